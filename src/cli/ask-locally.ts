import type { LoadedConfig, PipelineSettings } from '../config/index.ts';
import type { AskResult } from '../engine/ask.ts';
import { openIndexStorage } from '../engine/open-index.ts';
import type { EmbeddingModel } from '../spec/index.ts';
import { createUsageLedger, enforceBudget } from '../usage/index.ts';
import { embedderEndpoint } from './chunking-options.ts';
import { closeStorage } from './close-index.ts';
import type { CommandContext } from './command-context.ts';
import { openTraceExporter } from './open-trace-exporter.ts';

/**
 * `cairn ask` in this process: opens the index, loads its embedder, checks the namespace's
 * budget, answers (streaming to the terminal when `stream`), records the spend and closes the
 * index again. Imported only when no server answers, since it loads the whole engine.
 */
export async function askLocally(
  question: string,
  settings: PipelineSettings,
  loaded: LoadedConfig,
  options: { stream: boolean; context: CommandContext; mark: (stage: string) => void },
): Promise<AskResult> {
  const { context, mark, stream } = options;
  const { index: indexPath, namespace } = settings;
  const opened = await openIndexStorage({
    indexPath,
    fallbackEmbedder: settings.embedder.model,
    // One question needs one model thread: a second would load another copy of the model (a
    // second or more of CPU on a busy machine) to share a shortlist of 16 sentences.
    endpoint: { ...embedderEndpoint(loaded.config), threads: 1 },
  });
  const { storage, embedder } = opened;
  // The local model loads on its worker while the rest of the engine is imported.
  (embedder as EmbeddingModel & { warm?: () => void }).warm?.();
  mark('index open');
  const traceExporter = await openTraceExporter(loaded.config.telemetry, (line) =>
    context.stderr.write(line),
  );
  try {
    const [{ ask }, { buildPipeline, indexAskOptions }] = await Promise.all([
      import('../engine/ask.ts'),
      import('./build-answerer.ts'),
    ]);
    mark('engine loaded');
    // The CLI spends from the same daily budget as the server's tenant of this namespace.
    const usage = createUsageLedger(storage.usage);
    const budget = await usage.standing(namespace, loaded.config.budgets);
    enforceBudget(budget);
    if (budget.state === 'warn') context.stderr.write(`cairn: warning: ${budget.message}\n`);
    const pipeline = buildPipeline(settings, embedder, { stream, cacheStore: storage.cache });
    const result = await ask({
      ...indexAskOptions(pipeline, opened, namespace),
      question,
      ...(traceExporter ? { traceExporter } : {}),
      ...(stream
        ? {
            onToken: (delta: string) => context.stdout.write(delta),
            onRetry: (reason: string) => context.stdout.write(`\n[discarded: ${reason}; answering again]\n`),
          }
        : {}),
    });
    mark('answered');
    await usage.recordAnswer(namespace, result);
    return result;
  } finally {
    await traceExporter?.shutdown();
    await closeStorage(opened);
    mark('index closed');
  }
}
