import {
  type CairnConfig,
  type PipelineSettings,
  resolvePipelineSettings,
  servingFingerprint,
  settingsFingerprint,
} from '../config/index.ts';
import type { AskResult } from '../engine/ask.ts';
import { CairnError } from '../spec/index.ts';
import { storageFilePath } from '../store/parse-storage-url.ts';
import { askViaServer, type ServerAnswer } from './ask-via-server.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { formatAnswer } from './format-answer.ts';
import { integerOption, numberOption, parseOptions } from './parse-options.ts';
import { requireIndex } from './require-index.ts';

export const ASK_HELP = `Usage: cairn ask "<question>" [options]

Answers from the indexed documents with a citation [n] per sentence, or says the documents do
not hold the answer. Uses the extractive answerer (offline) unless the config names an LLM.
When a "cairn serve" of yours holds the index with the same settings, it answers (its model is
already loaded); otherwise, or with --local, the answer is made in this process.

Options:
  --index FILE          index file (default: config index, $CAIRN_INDEX or .cairn/index.db)
  --namespace NAME      tenant namespace (default: default)
  -k, --top-k N         passages given to the answerer (default: 6)
  --json                print {answer, citations, abstained, timings, usage, traceId,
                        settingsFingerprint} as JSON
  --passages            with --json, include the passages the answerer saw
  --abstain-threshold X extractive: abstain when the best evidence scores below X
                        (default: calibrated, see README; --abstain-threshold=-1 never abstains)
  --include-quarantined also search documents quarantined for prompt injection (to review them)
  --no-cache            neither serve nor keep a cached answer (config: cache.enabled)
  --local               answer in this process even when a cairn serve holds the index
  --config FILE         configuration file (default: ./cairn.config.json or .yaml)
`;

/** `cairn ask`: a cited answer, streamed to the terminal, with timings, tokens, cost and trace id. */
export async function askCommand(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions('ask', args, {
    index: { type: 'string' },
    namespace: { type: 'string' },
    'top-k': { type: 'string', short: 'k' },
    json: { type: 'boolean' },
    passages: { type: 'boolean' },
    'abstain-threshold': { type: 'string' },
    'include-quarantined': { type: 'boolean' },
    'no-cache': { type: 'boolean' },
    local: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    context.stdout.write(ASK_HELP);
    return EXIT.ok;
  }
  const question = positionals.join(' ').trim();
  if (question === '')
    throw new CairnError('invalid_option', 'cairn ask needs a question. See: cairn ask --help');
  const loaded = context.config();
  const settings = resolvePipelineSettings(loaded, 'ask', {
    ...(values.index ? { index: values.index } : {}),
    ...(values.namespace ? { namespace: values.namespace } : {}),
    ...(values['top-k'] === undefined
      ? {}
      : { k: integerOption('top-k', values['top-k'], loaded.config.retrieval.k) }),
    ...(values['abstain-threshold'] === undefined
      ? {}
      : { abstainThreshold: numberOption('abstain-threshold', values['abstain-threshold'], 0, -1, 1) }),
    ...(values['include-quarantined'] ? { includeQuarantined: true } : {}),
    ...(values['no-cache'] ? { noCache: true } : {}),
  });
  requireIndex(settings.index);
  const mark = stageMarks(context);
  mark('settings resolved');
  const stream = !values.json;
  const served = await answerThroughServer(question, settings, loaded.config, values, context);
  let result: AskResult;
  if ('result' in served) {
    if (context.debug) context.stderr.write(`cairn: answered by the server at ${served.url}\n`);
    result = served.result;
  } else {
    if (context.debug) context.stderr.write(`cairn: answering here: ${served.declined}\n`);
    const { askLocally } = await import('./ask-locally.ts');
    result = await askLocally(question, settings, loaded, { stream, context, mark });
  }
  if (values.json) {
    const { passages, ...rest } = result;
    // The fingerprint matches an evaluation run's when both answered with the same settings.
    const printed = {
      ...(values.passages ? result : rest),
      settingsFingerprint: settingsFingerprint(settings),
    };
    context.stdout.write(`${JSON.stringify(printed, null, 2)}\n`);
  } else {
    context.stdout.write(formatAnswer(result, { alreadyStreamed: true }));
  }
  return EXIT.ok;
}

/**
 * The answer of the `cairn serve` holding this SQLite index, or why this process answers instead:
 * `--local`, `--passages` (the server returns none), an index that is not a file, or whatever
 * {@link askViaServer} declines for.
 */
async function answerThroughServer(
  question: string,
  settings: PipelineSettings,
  config: CairnConfig,
  values: { local?: boolean | undefined; passages?: boolean | undefined; json?: boolean | undefined },
  context: CommandContext,
): Promise<ServerAnswer> {
  if (values.local) return { declined: '--local' };
  if (values.passages) return { declined: '--passages (the server returns no passages)' };
  const indexFile = storageFilePath(settings.index);
  if (indexFile === undefined) return { declined: 'the index is not a file' };
  return askViaServer({
    indexFile,
    namespace: settings.namespace,
    fingerprint: servingFingerprint(settings, config),
    request: {
      question,
      k: settings.retrieval.k,
      includeQuarantined: settings.retrieval.includeQuarantined === true,
      noCache: !settings.cache.enabled,
    },
    stream: !values.json,
    stdout: context.stdout,
    stderr: context.stderr,
  });
}

/** With --debug, a line per stage on stderr: milliseconds since the process started. */
function stageMarks(context: CommandContext): (stage: string) => void {
  if (!context.debug) return () => {};
  return (stage) => context.stderr.write(`cairn: ${performance.now().toFixed(0)} ms ${stage}\n`);
}
