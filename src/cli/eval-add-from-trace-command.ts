import fs from 'node:fs';
import type { GoldenItem } from '../evaluate/index.ts';
import { loadGoldenSet } from '../evaluate/index.ts';
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
  const root = trace.spans.find((span) => span.name === 'cairn.ask');
  // The redaction step records which documents the final answer cited.
  const guard = trace.spans.find(
    (span) => span.name === 'cairn.guard' && span.attributes.check === 'redaction',
  );
  const question = String(root?.attributes.question ?? trace.label);
  const outOfScope = values['out-of-scope'] ?? false;
  const cited = Array.isArray(guard?.attributes.citedDocIds)
    ? (guard.attributes.citedDocIds as string[])
    : [];
  const item: GoldenItem = {
    id: values.id ?? `trace-${traceId.slice(0, 8)}`,
    question,
    reference_answer: outOfScope ? '' : (values.reference ?? String(root?.attributes.answer ?? '')),
    relevant_doc_ids: outOfScope
      ? []
      : values.relevant
        ? values.relevant
            .split(',')
            .map((id) => id.trim())
            .filter(Boolean)
        : [...new Set(cited)],
    tags: unique([
      ...(values.tags
        ? values.tags
            .split(',')
            .map((tag) => tag.trim())
            .filter(Boolean)
        : []),
      ...(outOfScope ? ['out-of-scope'] : []),
      'from-trace',
    ]),
    split,
  };
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

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
