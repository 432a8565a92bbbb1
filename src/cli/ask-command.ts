import { resolvePipelineSettings, settingsFingerprint } from '../config/index.ts';
import { ask } from '../engine/ask.ts';
import { openIndexStorage } from '../engine/index.ts';
import { CairnError } from '../spec/index.ts';
import { createUsageLedger, enforceBudget } from '../usage/index.ts';
import { buildPipeline } from './build-answerer.ts';
import { embedderEndpoint } from './chunking-options.ts';
import { closeStorage } from './close-index.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { formatAnswer } from './format-answer.ts';
import { openTraceExporter } from './open-trace-exporter.ts';
import { integerOption, numberOption, parseOptions } from './parse-options.ts';
import { requireIndex } from './require-index.ts';

export const ASK_HELP = `Usage: cairn ask "<question>" [options]

Answers from the indexed documents with a citation [n] per sentence, or says the documents do
not hold the answer. Uses the extractive answerer (offline) unless the config names an LLM.

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
  const { index: indexPath, namespace } = settings;
  requireIndex(indexPath);
  const opened = await openIndexStorage({
    indexPath,
    fallbackEmbedder: settings.embedder.model,
    endpoint: embedderEndpoint(loaded.config),
  });
  const { storage, embedder } = opened;
  const streaming = !values.json;
  // The CLI spends from the same daily budget as the server's tenant of this namespace.
  const usage = createUsageLedger(storage.usage);
  try {
    const budget = await usage.standing(namespace, loaded.config.budgets);
    enforceBudget(budget);
    if (budget.state === 'warn') context.stderr.write(`cairn: warning: ${budget.message}\n`);
  } catch (error) {
    await closeStorage(opened);
    throw error;
  }
  const pipeline = buildPipeline(settings, embedder, { stream: streaming, cacheStore: storage.cache });
  const { cache } = pipeline;
  const traceExporter = await openTraceExporter(loaded.config.telemetry, (line) =>
    context.stderr.write(line),
  );
  try {
    const result = await ask({
      ...pipeline.ask,
      store: storage.store,
      indexSettings: storage.settings,
      embedder,
      question,
      traceStore: storage.traces,
      ...(traceExporter ? { traceExporter } : {}),
      namespace,
      ...(cache ? { cache } : {}),
      ...(streaming
        ? {
            onToken: (delta: string) => context.stdout.write(delta),
            onRetry: (reason: string) => context.stdout.write(`\n[discarded: ${reason}; answering again]\n`),
          }
        : {}),
    });
    await usage.recordAnswer(namespace, result);
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
  } finally {
    await traceExporter?.shutdown();
    await closeStorage(opened);
  }
}
