import os from 'node:os';
import path from 'node:path';
import { type CairnConfig, type PipelineSettings, resolvePipelineSettings } from '../config/index.ts';
import { ingestThreads, openIndexStorage } from '../engine/index.ts';
import type { EvalRun } from '../evaluate/eval-run.ts';
import type { IngestJob } from '../server/index.ts';
import { createUploadIngest, setAsideCrashingUpload } from '../server/upload-ingest.ts';
import { CairnError, type EmbeddingModel, type TraceExporter } from '../spec/index.ts';
import { parseStorageUrl, type Storage } from '../store/open-storage.ts';
import { type IngestWorkerOptions, startIngestWorker } from '../worker/ingest-worker.ts';
import { embedderEndpoint } from './chunking-options.ts';
import { closeStorage } from './close-index.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { openTraceExporter } from './open-trace-exporter.ts';
import { integerOption, parseOptions } from './parse-options.ts';

export const WORKER_HELP = `Usage: cairn worker [--index postgres://...] [--concurrency 4] [--config FILE]

Runs upload jobs that API nodes took (POST /v1/documents) from the durable queue: BullMQ in
server.redisUrl, with the jobs and uploaded files in the postgres:// index every node shares.
Start as many as you like on any machine; each runs --concurrency tenants' jobs at once
(ingest.maxConcurrentTenants). A worker killed mid-job loses nothing: after ingest.workerLockMs
another worker runs the job again, skipping the documents already written. Stops cleanly on
SIGTERM or Ctrl-C, finishing the jobs in hand first.
`;

/** `cairn worker`: a long-running process taking upload jobs from the queue. */
export async function workerCommand(args: string[], context: CommandContext): Promise<number> {
  const { values } = parseOptions('worker', args, {
    index: { type: 'string' },
    concurrency: { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    context.stdout.write(WORKER_HELP);
    return EXIT.ok;
  }
  const loaded = context.config();
  const { config } = loaded;
  const settings = resolvePipelineSettings(loaded, 'serve', values.index ? { index: values.index } : {});
  const concurrency = integerOption(
    'concurrency',
    values.concurrency,
    config.ingest.maxConcurrentTenants,
    1,
    64,
  );
  const redisUrl = requireWorkerSetup(settings.index, config.server.redisUrl);
  const threads = settings.embedder.threads ?? ingestThreads();
  const opened = await openIndexStorage<IngestJob, EvalRun>({
    indexPath: settings.index,
    fallbackEmbedder: settings.embedder.model,
    endpoint: { ...embedderEndpoint(config), threads },
  });
  const { storage } = opened;
  // Uploads are copied here from Postgres to be read; one folder per worker process.
  const workDir = path.join(os.tmpdir(), `cairn-worker-${process.pid}`);
  const traceExporter = await openTraceExporter(config.telemetry, (line) => context.stderr.write(line));
  let worker: Awaited<ReturnType<typeof startIngestWorker>>;
  try {
    worker = await startIngestWorker({
      ...uploadWorkerOptions({
        redisUrl,
        storage,
        embedder: opened.embedder,
        settings,
        config,
        workDir,
        traceExporter,
      }),
      concurrency,
      log: (line) => context.stdout.write(`${line}\n`),
    });
  } catch (error) {
    await traceExporter?.shutdown();
    await closeStorage(opened);
    throw error;
  }
  context.stdout.write(
    `cairn worker ${process.pid}: taking upload jobs (${concurrency} tenants at once, embedder ${opened.embedder.modelId})\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      context.stdout.write('shutting down: finishing the jobs in hand...\n');
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await worker.close();
  // After the last job, so its trace is sent before the process ends.
  await traceExporter?.shutdown();
  await closeStorage(opened);
  return EXIT.ok;
}

/** What a worker (`cairn worker`, or `cairn serve` running jobs itself) takes jobs with. */
export function uploadWorkerOptions(setup: {
  redisUrl: string;
  storage: Pick<Storage<IngestJob>, 'store' | 'jobs' | 'uploads'>;
  embedder: EmbeddingModel;
  settings: PipelineSettings;
  config: CairnConfig;
  workDir: string;
  traceExporter?: TraceExporter | undefined;
}): IngestWorkerOptions {
  const { storage, settings, config } = setup;
  return {
    redisUrl: setup.redisUrl,
    jobs: storage.jobs,
    run: createUploadIngest({
      store: storage.store,
      embedder: setup.embedder,
      chunking: settings.chunking,
      uploads: storage.uploads,
      workDir: setup.workDir,
      ingestLimits: config.ingestLimits,
      scanInjection: settings.guard.scanDocuments,
      redactPii: settings.guard.redactDocuments,
      ...(setup.traceExporter ? { traceExporter: setup.traceExporter } : {}),
    }),
    concurrency: config.ingest.maxConcurrentTenants,
    maxAttempts: config.ingest.maxAttempts,
    lockMs: config.ingest.workerLockMs,
    onGiveUp: (job) => setAsideCrashingUpload(storage.uploads, job),
  };
}

/**
 * The Redis URL workers and API nodes share, after checking the setup can have workers at all:
 * a postgres:// index (a SQLite file belongs to one machine) and `server.redisUrl`.
 */
export function requireWorkerSetup(index: string, redisUrl: string | null): string {
  if (parseStorageUrl(index).kind !== 'postgres')
    throw new CairnError(
      'invalid_option',
      `upload workers need a postgres:// index that every node shares, not ${index}; ` +
        'with a SQLite index, cairn serve runs upload jobs itself (ingest.queue "in-process")',
    );
  if (!redisUrl)
    throw new CairnError(
      'invalid_option',
      'upload workers take jobs from a queue in Redis: set server.redisUrl (e.g. redis://127.0.0.1:6379/0) in the config',
    );
  return redisUrl;
}
