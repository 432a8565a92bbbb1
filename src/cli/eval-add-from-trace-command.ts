import fs from 'node:fs';
import { goldenItemFromTrace, loadGoldenSet } from '../evaluate/index.ts';
import { CairnError } from '../spec/index.ts';
import { openDomains } from '../store/open-storage.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { parseOptions } from './parse-options.ts';

export const ADD_FROM_TRACE_HELP = `Usage: cairn eval add-from-trace <traceId> --golden FILE [options]

Turns a stored answer into a golden item: the question from the trace, the cited documents as
relevant documents (override with --relevant), and the answer as the reference unless given.

Options:
  --golden FILE         golden set to append to (created if missing) (required)
  --reference TEXT      reference answer (default: the traced answer; empty for --out-of-scope)
  --relevant IDS        comma-separated relevant document ids (default: the cited ones)
  --tags TAGS           comma-separated tags
  --out-of-scope        the right behaviour is to abstain
  --split dev|test      (default: dev)
  --id ID               item id (default: trace-<first 8 chars of the trace id>)
`;

/** `cairn eval add-from-trace`: grows the golden set from real traffic. */
export async function evalAddFromTraceCommand(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions('eval add-from-trace', args, {
    golden: { type: 'string' },
    reference: { type: 'string' },
    relevant: { type: 'string' },
    tags: { type: 'string' },
    'out-of-scope': { type: 'boolean' },
    split: { type: 'string' },
    id: { type: 'string' },
    index: { type: 'string' },
    namespace: { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    context.stdout.write(ADD_FROM_TRACE_HELP);
    return EXIT.ok;
  }
  const [traceId] = positionals;
  if (!traceId || !values.golden)
    throw new CairnError('invalid_option', 'usage: cairn eval add-from-trace <traceId> --golden FILE');
  const split = values.split ?? 'dev';
  if (split !== 'dev' && split !== 'test')
    throw new CairnError('invalid_option', `--split must be dev or test, got "${split}"`);
  const { config } = context.config();
  const domains = await openDomains(values.index ?? config.index);
  const trace = await domains.traces
    .getTrace(values.namespace ?? config.namespace, traceId)
    .finally(() => domains.close());
  if (!trace)
    throw new CairnError('not_found', `no trace ${traceId}; list recent ones with cairn trace --list`);
  const list = (text: string | undefined) =>
    text
      ?.split(',')
      .map((one) => one.trim())
      .filter(Boolean);
  const relevant = list(values.relevant);
  const tags = list(values.tags);
  const item = goldenItemFromTrace(trace, {
    ...(values.id ? { id: values.id } : {}),
    ...(values.reference !== undefined ? { reference: values.reference } : {}),
    ...(relevant ? { relevantDocIds: relevant } : {}),
    ...(tags ? { tags } : {}),
    outOfScope: values['out-of-scope'] ?? false,
    split,
  });
  const { question } = item;
  if (fs.existsSync(values.golden)) {
    const existing = loadGoldenSet(values.golden);
    if (existing.some((other) => other.id === item.id))
      throw new CairnError('invalid_option', `${values.golden} already has an item "${item.id}"; pass --id`);
  }
  const prefix =
    fs.existsSync(values.golden) && !fs.readFileSync(values.golden, 'utf8').endsWith('\n') ? '\n' : '';
  fs.appendFileSync(values.golden, `${prefix}${JSON.stringify(item)}\n`);
  context.stdout.write(
    `added ${item.id} to ${values.golden}: "${question}" (relevant: ${item.relevant_doc_ids.join(', ') || 'none'})\n`,
  );
  return EXIT.ok;
}
