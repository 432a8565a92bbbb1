import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { resolvePipelineSettings, servingFingerprint } from '../config/index.ts';
import { createBatchingEmbedder } from '../embed/index.ts';
import { ingestThreads, openIndexStorage } from '../engine/index.ts';
import type { EvalRun } from '../evaluate/eval-run.ts';
import {
  type AppDependencies,
  acquireIndexLock,
  createApp,
  createLocalToken,
  type IngestJob,
  loopbackUrl,
  writeLocalAccess,
} from '../server/index.ts';
import { CairnError } from '../spec/index.ts';
import { storageFilePath } from '../store/open-storage.ts';
import { createUsageLedger } from '../usage/index.ts';
import { openIngestNotifier } from '../worker/ingest-notifier.ts';
import { startIngestWorker } from '../worker/ingest-worker.ts';
import { buildPipeline, type Pipeline } from './build-answerer.ts';
import { embedderEndpoint } from './chunking-options.ts';
import { closeEmbedder } from './close-index.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { openTraceExporter, tracesUrl } from './open-trace-exporter.ts';
import { integerOption, parseOptions } from './parse-options.ts';
import { requireWorkerSetup, uploadWorkerOptions } from './worker-command.ts';

// The UI built by `npm install` (vite build web), next to this package's sources.
const WEB_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

export const SERVE_HELP = `Usage: cairn serve [--port 8787] [--host 127.0.0.1] [--index FILE|postgres://...] [--config FILE]
                   [--no-worker]

Serves the HTTP API (see the README) on one port. On the first start, when the index has no API
keys, it creates an admin key for the default namespace and prints it once.
Stops cleanly on SIGTERM or Ctrl-C: in-flight requests finish and queued ingest jobs complete;
jobs cut off by a crash resume on the next start, and a job that stopped the server
ingest.maxAttempts times (3) is marked failed with its file set aside. One server per index
(<index>.lock); any number share a postgres:// index. With ingest.queue "redis", upload jobs go
to a BullMQ queue in server.redisUrl that cairn worker processes (and this node, unless
--no-worker) take them from. /metrics needs an operator key: cairn keys create --tenant ops
--role operator. Beside a SQLite index it leaves <index>.server.json (readable by you only) so
that cairn ask on this machine answers through this server; it is removed on shutdown.
`;

/** `cairn serve`: the API as a long-running process. */
export async function serveCommand(args: string[], context: CommandContext): Promise<number> {
  const { values } = parseOptions('serve', args, {
    port: { type: 'string' },
    host: { type: 'string' },
    index: { type: 'string' },
    'no-worker': { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    context.stdout.write(SERVE_HELP);
    return EXIT.ok;
  }
  const loaded = context.config();
  const { config } = loaded;
  const settings = resolvePipelineSettings(loaded, 'serve', values.index ? { index: values.index } : {});
  const port = integerOption('port', values.port, 8787, 0, 65535);
  const host = values.host ?? '127.0.0.1';
  const indexPath = settings.index;
  // Uploads, the lock and the judge-trust file live in the index's folder; a server whose index is
  // not a file (postgres://) keeps them in ./.cairn.
  const indexFile = storageFilePath(indexPath) ?? path.join('.cairn', 'index.db');
  // The first start in an empty folder creates `.cairn/`: the lock file lives next to the index.
  fs.mkdirSync(path.dirname(path.resolve(indexFile)), { recursive: true });
  // Opened first: a wrong Redis URL fails before the index is locked or any file is opened.
  let lastRedisWarning = 0;
  // Imported only when used, so a single-node server never loads the Redis client.
  const rateLimiter = config.server.redisUrl
    ? await (await import('../server/redis-rate-limiter.ts')).openRedisRateLimiter({
        url: config.server.redisUrl,
        ...config.server.rateLimit,
        onError: (error) => {
          // Once a minute, not once per request, while Redis is down.
          if (Date.now() - lastRedisWarning < 60_000) return;
          lastRedisWarning = Date.now();
          context.stderr.write(
            `rate limit: Redis unreachable, requests let through (${(error as Error).message})\n`,
          );
        },
      })
    : undefined;
  // Several API nodes share a postgres:// index; a SQLite file has one server.
  const lock = storageFilePath(indexPath) ? acquireIndexLock(path.resolve(indexFile)) : { release: () => {} };
  const queued = config.ingest.queue === 'redis';
  const redisUrl = queued ? requireWorkerSetup(indexPath, config.server.redisUrl) : undefined;
  const threads = settings.embedder.threads ?? ingestThreads();
  let opened: Awaited<ReturnType<typeof openIndexStorage<IngestJob, EvalRun>>>;
  try {
    opened = await openIndexStorage<IngestJob, EvalRun>({
      indexPath,
      createDirectories: true,
      fallbackEmbedder: settings.embedder.model,
      endpoint: { ...embedderEndpoint(config), threads },
    });
  } catch (error) {
    lock.release();
    await rateLimiter?.close?.();
    throw error;
  }
  const { storage } = opened;
  // Concurrent requests each embed one query; batching them keeps the model busy, not queued.
  const embedder = createBatchingEmbedder(opened.embedder, { concurrency: threads });
  const keys = storage.apiKeys;
  await storage.audit.purgeOlderThan(config.server.auditRetentionDays);
  const pipeline = buildPipeline(settings, embedder, { stream: true, cacheStore: storage.cache });
  const usage = createUsageLedger(storage.usage);
  const feedback = storage.feedback;
  const uploadsDir = path.join(path.dirname(path.resolve(indexFile)), 'uploads');
  const notifier = redisUrl ? await openIngestNotifier(redisUrl) : undefined;
  const traceExporter = await openTraceExporter(config.telemetry, (line) => context.stderr.write(line));
  // `cairn ask` on this machine answers through this process (the model is already loaded) with
  // this token, which it reads from beside the SQLite index it asks.
  const localToken = storageFilePath(indexPath)
    ? { token: createLocalToken(), tenant: config.namespace }
    : undefined;
  const { app, jobs } = createApp({
    store: storage.store,
    indexSettings: storage.settings,
    embedder,
    traceStore: storage.traces,
    ...(traceExporter ? { traceExporter } : {}),
    feedback,
    keys,
    ...answeringDependencies(pipeline),
    chunking: settings.chunking,
    usage,
    budgets: config.budgets,
    uploads: storage.uploads,
    uploadsDir,
    ...(notifier ? { ingestWorkers: notifier } : {}),
    evalRuns: storage.evalRuns,
    judgeTrustIndex: indexFile,
    webDir: WEB_DIR,
    jobLog: storage.jobs,
    ingest: config.ingest,
    ingestLimits: config.ingestLimits,
    auditLog: storage.audit,
    limits: {
      rateLimit: config.server.rateLimit,
      maxUploadBytes: config.server.maxUploadMb * 1024 * 1024,
      answers: config.server.answers,
    },
    ...(rateLimiter ? { rateLimiter } : {}),
    mcp: { allowedHosts: config.server.mcpAllowedHosts, allowedOrigins: config.server.mcpAllowedOrigins },
    trustProxy: config.server.trustProxy,
    ...(localToken ? { localToken } : {}),
  });
  // With the queue, this node also runs upload jobs unless --no-worker (a node that only serves).
  const worker =
    redisUrl && !values['no-worker']
      ? await startIngestWorker({
          ...uploadWorkerOptions({
            redisUrl,
            storage,
            embedder,
            settings,
            config,
            workDir: uploadsDir,
            traceExporter,
          }),
          log: (line) => context.stdout.write(`${line}\n`),
        })
      : undefined;
  const firstKey =
    (await await keys.count()) === 0
      ? await keys.create({ tenant: config.namespace, role: 'admin', label: 'first start' })
      : undefined;

  const server = serve({ fetch: app.fetch, port, hostname: host });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new CairnError(
                'invalid_option',
                `port ${port} on ${host} is already in use: stop the other process or pass --port`,
              )
            : error,
        ),
      );
    });
  } catch (error) {
    await jobs.idle();
    await worker?.close();
    await notifier?.close();
    await traceExporter?.shutdown();
    await storage.close();
    await closeEmbedder(opened.embedder);
    lock.release();
    await rateLimiter?.close?.();
    throw error;
  }
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const access = shareWithLocalCommands(context, {
    localToken,
    url: loopbackUrl(host, actualPort),
    index: path.resolve(indexFile),
    fingerprint: servingFingerprint(settings, config),
  });
  context.stdout.write(
    `cairn API and UI on http://${host}:${actualPort} (index ${indexPath}, embedder ${embedder.modelId})\n`,
  );
  if (traceExporter) context.stdout.write(`traces exported over OTLP to ${tracesUrl(config.telemetry)}\n`);
  if (firstKey)
    context.stdout.write(
      `admin key for namespace "${config.namespace}" (shown once, store it now):\n  ${firstKey.key}\n`,
    );

  await new Promise<void>((resolve) => {
    const stop = () => {
      // First, so no new command tries a server that is closing.
      access?.remove();
      context.stdout.write('shutting down: finishing in-flight requests and ingest jobs...\n');
      server.close(() => resolve());
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await jobs.idle();
  await worker?.close();
  await notifier?.close();
  // After the last request and job, so their traces are sent before the process ends.
  await traceExporter?.shutdown();
  await storage.close();
  await rateLimiter?.close?.();
  await closeEmbedder(opened.embedder);
  lock.release();
  return EXIT.ok;
}

/**
 * Writes `<index>.server.json` for `cairn ask` on this machine, when the server has a local token
 * and a loopback URL. A server that cannot write it still serves; commands then answer alone.
 */
function shareWithLocalCommands(
  context: CommandContext,
  options: {
    localToken: { token: string; tenant: string } | undefined;
    url: string | undefined;
    index: string;
    fingerprint: string;
  },
): { remove(): void } | undefined {
  const { localToken, url, index, fingerprint } = options;
  if (!localToken || !url) return undefined;
  try {
    return writeLocalAccess({ pid: process.pid, url, ...localToken, index, fingerprint });
  } catch (error) {
    context.stderr.write(
      `cairn: warning: cairn ask will not answer through this server: ${(error as Error).message}\n`,
    );
    return undefined;
  }
}

/**
 * What the server answers with, all from the resolved pipeline: answerer, retrieval (candidates,
 * MMR, parent expansion), guard, citation rule, policy fallback, routing, deadline, prices, cache.
 */
export function answeringDependencies(
  pipeline: Pipeline,
): Pick<
  AppDependencies,
  | 'answerer'
  | 'retrieval'
  | 'guard'
  | 'abstainWithoutCitations'
  | 'deadlineMs'
  | 'prices'
  | 'fallbackAnswerer'
  | 'routing'
  | 'cache'
> {
  const { ask, cache, settings } = pipeline;
  return {
    answerer: ask.answerer,
    retrieval: ask.retrieval,
    guard: settings.guard,
    abstainWithoutCitations: ask.abstainWithoutCitations,
    deadlineMs: ask.deadlineMs,
    prices: ask.prices,
    ...(ask.fallbackAnswerer ? { fallbackAnswerer: ask.fallbackAnswerer } : {}),
    ...(ask.routing ? { routing: ask.routing } : {}),
    ...(cache ? { cache } : {}),
  };
}
