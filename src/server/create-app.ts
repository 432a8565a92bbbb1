import path from 'node:path';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { type RequestIdVariables, requestId } from 'hono/request-id';
import { streamSSE } from 'hono/streaming';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import type { ChunkingConfig } from '../chunk/index.ts';
import {
  type CairnConfig,
  DEFAULT_BUDGETS,
  DEFAULT_GUARD,
  DEFAULT_INGEST,
  type GuardSettings,
} from '../config/index.ts';
import type { CalibrationSettings } from '../engine/abstention-calibration.ts';
import type { AskCacheOptions, AskRouting } from '../engine/ask.ts';
import { type AskRetrievalOptions, ask, search } from '../engine/index.ts';
import { loadJudgeTrust, trustMark } from '../evaluate/judge-trust.ts';
import { renderReport } from '../evaluate/report/index.ts';
import type { EvalRuns } from '../evaluate/runs-store.ts';
import { redactResult } from '../guard/index.ts';
import { formatForPath } from '../ingest/index.ts';
import { createCairnMcpServer, passageUrl } from '../mcp/cairn-mcp-server.ts';
import { checkMcpRequest } from '../mcp/check-host-origin.ts';
import { createMcpSessions, type McpCaller } from '../mcp/mcp-http-sessions.ts';
import {
  type Answerer,
  CairnError,
  type EmbeddingModel,
  type FeedbackStore,
  type MetadataFilter,
  type Passage,
  type Store,
  type TraceExporter,
  type TraceStore,
  type UploadStore,
} from '../spec/index.ts';
import { openFolderUploads } from '../store/folder-uploads.ts';
import { type ModelPrice, parseTraceparent } from '../trace/index.ts';
import { type AnswerSpend, enforceBudget, type UsageLedger, utcDay } from '../usage/index.ts';
import { CAIRN_VERSION } from '../version.ts';
import { type AdmissionLimits, createAdmission, type Release } from './admission.ts';
import { type ApiKeyRecord, type ApiKeyStore, assertTenantName, type Role, roleAllows } from './api-keys.ts';
import { type AuditLog, recordAudit } from './audit-log.ts';
import { type AuthFailureLimits, createAuthFailureLimiter } from './auth-failure-limiter.ts';
import {
  chatChunk,
  chatCompletion,
  chatCompletionBody,
  chatErrorChunk,
  contentWithSources,
  questionOf,
} from './chat-completions.ts';
import { errorResponse } from './error-response.ts';
import { feedbackRoutes } from './feedback-routes.ts';
import { createIngestJobQueue, type IngestJobLog, type IngestJobQueue, newIngestJob } from './ingest-jobs.ts';
import { isLoopbackAddress, matchesLocalToken } from './local-access.ts';
import { createServerMetrics } from './metrics.ts';
import { describeError, type ServerLogger, stderrLogger } from './server-log.ts';
import { readStaticFile } from './static-files.ts';
import { createRateLimiter, type RateLimiter } from './token-bucket.ts';
import { createUploadIngest, setAsideCrashingUpload } from './upload-ingest.ts';
import { uploadNameOf } from './uploaded-file.ts';

/** Everything the API needs, built once by `cairn serve` (or a test). */
export interface AppDependencies {
  store: Store;
  embedder: EmbeddingModel;
  traceStore: TraceStore;
  /** Also sends every trace (answers, searches, ingest jobs) elsewhere, e.g. over OTLP. */
  traceExporter?: TraceExporter;
  /** Thumbs up/down on answers, kept with their traces; omit to leave the feedback routes out. */
  feedback?: FeedbackStore;
  keys: ApiKeyStore;
  answerer: Answerer;
  retrieval: AskRetrievalOptions;
  chunking: ChunkingConfig;
  /** Guard settings (config `guard`); each defaults as in the config. */
  guard?: Partial<GuardSettings>;
  /** Turn an answer left with no valid citation into an abstention (config `answerer.abstainWithoutCitations`). @default true */
  abstainWithoutCitations?: boolean;
  /** Where an answer goes after breaking the grounding policy twice (the extractive answerer). */
  fallbackAnswerer?: Answerer;
  /** Model routing rules (config `answerer.routing`). */
  routing?: AskRouting;
  /** Whole-answer deadline in milliseconds (config `answerer.deadlineMs`). */
  deadlineMs?: number;
  /** Answer cache shared by all tenants' requests (entries are kept per tenant). */
  cache?: AskCacheOptions;
  /** Tokens and cost per tenant, model and day; with `budgets`, enforces daily limits. */
  usage?: UsageLedger;
  budgets?: CairnConfig['budgets'];
  prices?: Record<string, ModelPrice>;
  /**
   * Where uploaded files are kept, so re-ingest and delete can find them.
   * @default files in `uploadsDir`, one folder per tenant
   */
  uploads?: UploadStore;
  /** The upload folder (one folder per tenant); with `uploads` elsewhere, where they are copied to be read. */
  uploadsDir: string;
  /**
   * Set when `cairn worker` processes run upload jobs from a durable queue: a job is recorded in
   * `jobLog` and `notify` tells the workers; this process runs none itself.
   */
  ingestWorkers?: { notify(tenant: string): Promise<void> };
  /** Append-only record of who searched or asked what and which documents came back. */
  auditLog?: AuditLog;
  /** Records ingest jobs so the ones a stopped server left unfinished resume on the next start. */
  jobLog?: IngestJobLog;
  /** Ingest queue settings (config `ingest`); each defaults as in the config. */
  ingest?: Partial<CairnConfig['ingest']>;
  /** Per-file extraction limits (config `ingestLimits`, in MiB); the loaders' defaults otherwise. */
  ingestLimits?: Partial<CairnConfig['ingestLimits']>;
  /** The built web UI (`web/dist`); omit to serve the API only. */
  webDir?: string;
  /** Stored evaluation runs (`cairn eval answers`), shown to admin keys; omit to hide them. */
  evalRuns?: EvalRuns;
  /** The index file whose folder may hold `judge-trust.json` for the runs. @default the bundled trust only */
  judgeTrustIndex?: string;
  /** Where the abstention calibration is read. @default the store's own settings */
  indexSettings?: CalibrationSettings;
  limits?: {
    /** @default 50 MiB */
    maxUploadBytes?: number;
    /** @default 1 MiB */
    maxJsonBytes?: number;
    /**
     * Answers (`/v1/ask`, `/v1/chat/completions`) computed at once, waiting, and the longest
     * wait; past them a request gets 503 with Retry-After. @default 64, 256 and 10 s
     */
    answers?: AdmissionLimits;
    /** Requests per key: burst size and refill per second. @default 60 and 10 */
    rateLimit?: { capacity: number; refillPerSecond: number };
    /** Failed authentications per client address: burst size and refill per second. @default 10 and 1 */
    authFailures?: AuthFailureLimits;
  };
  /**
   * Replaces the in-memory per-key limiter built from `limits.rateLimit`, e.g. one in Redis that
   * every API node shares (`openRedisRateLimiter`).
   */
  rateLimiter?: RateLimiter;
  /**
   * `/mcp` (Streamable HTTP): host names and browser origins allowed besides loopback
   * (`localhost`, `127.0.0.1`, `[::1]`), against DNS rebinding. @default none
   */
  mcp?: { allowedHosts?: string[]; allowedOrigins?: string[] };
  /** Where server failures (every 5xx) are reported. @default JSON lines on stderr */
  logger?: ServerLogger;
  /**
   * The client address failed authentications are counted against.
   * @default the TCP peer address; with `trustProxy`, the last `X-Forwarded-For` hop
   */
  clientAddress?: (c: Context) => string | undefined;
  /**
   * Set only behind a reverse proxy that appends the client to `X-Forwarded-For`; otherwise any
   * client could forge the header. @default false
   */
  trustProxy?: boolean;
  /**
   * The token of `<index>.server.json` (see `writeLocalAccess`), through which `cairn ask` on this
   * machine answers with this process instead of loading the model itself. It is accepted only
   * from a loopback peer (and never through a proxy's `X-Forwarded-For`), only on `POST /v1/ask`,
   * and acts in `tenant` with the admin role so `--include-quarantined` works: whoever can read
   * the file (its owner, mode 0600) can open the index file anyway.
   */
  localToken?: { token: string; tenant: string };
}

/** Answers at once, waiting, and the longest wait, unless the config says otherwise. */
export const DEFAULT_ANSWER_ADMISSION: AdmissionLimits = {
  maxInFlight: 64,
  maxQueued: 256,
  maxWaitMs: 10_000,
};

type Env = { Variables: { key: ApiKeyRecord } & RequestIdVariables };

/** The key id the local token acts under, in audit entries and rate limits. */
export const LOCAL_KEY_ID = 'local';

const searchBody = z
  .object({
    query: z.string().min(1).max(4000),
    k: z.number().int().min(1).max(100).default(10),
    mode: z.enum(['hybrid', 'bm25', 'dense']).optional(),
    filter: z
      .object({
        docIds: z.array(z.string()).optional(),
        sourcePrefix: z.string().optional(),
        where: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
      })
      .strict()
      .optional(),
    /** Admin keys only: search quarantined documents too, to review them. */
    includeQuarantined: z.boolean().default(false),
  })
  .strict();

const askBody = z
  .object({
    question: z.string().min(1).max(4000),
    k: z.number().int().min(1).max(20).optional(),
    stream: z.boolean().default(false),
    /** Admin keys only: let quarantined documents be retrieved, to review them. */
    includeQuarantined: z.boolean().default(false),
    /** Neither serve nor keep a cached answer (as `cairn ask --no-cache`), e.g. for "ask again". */
    noCache: z.boolean().default(false),
  })
  .strict();

const textDocuments = z
  .object({
    documents: z
      .array(z.object({ name: z.string().min(1).max(200), text: z.string().min(1) }).strict())
      .min(1)
      .max(100),
  })
  .strict();

const keyBody = z
  .object({
    role: z.enum(['reader', 'writer', 'admin', 'operator']),
    label: z.string().max(100).optional(),
    /** Operator keys only: create the key in this tenant (which may not exist yet). */
    tenant: z.string().min(1).max(64).optional(),
  })
  .strict();

/**
 * The cairn HTTP API. Every `/v1` route authenticates a bearer key, scopes all reads and writes to
 * the key's tenant namespace (only operator keys may name another tenant, and only on the keys
 * routes), checks its role and rate limit, and validates its body with zod.
 * Errors are `{error:{code,message,details},requestId}` with a matching status; every response
 * carries `x-request-id`, and every 5xx is logged under it.
 */
export function createApp(deps: AppDependencies): { app: Hono<Env>; jobs: IngestJobQueue } {
  const app = new Hono<Env>();
  const guard: GuardSettings = { ...DEFAULT_GUARD, ...deps.guard };
  const uploads = deps.uploads ?? openFolderUploads(deps.uploadsDir);
  const exporting = deps.traceExporter ? { traceExporter: deps.traceExporter } : {};
  // A request carrying a W3C traceparent header continues the caller's trace.
  const joining = (c: Context) => {
    const traceParent = parseTraceparent(c.req.header('traceparent'));
    return traceParent ? { traceParent } : {};
  };
  const jobs = createIngestJobQueue(deps.jobLog, {
    ...DEFAULT_INGEST,
    ...deps.ingest,
    onGiveUp: (job) => setAsideCrashingUpload(uploads, job),
  });
  const runIngest = createUploadIngest({
    store: deps.store,
    embedder: deps.embedder,
    chunking: deps.chunking,
    uploads,
    workDir: deps.uploadsDir,
    ...(deps.ingestLimits ? { ingestLimits: deps.ingestLimits } : {}),
    scanInjection: guard.scanDocuments,
    redactPii: guard.redactDocuments,
    ...exporting,
  });
  // Jobs enqueued before the log is read wait behind the resumed ones (see IngestJobQueue.resume);
  // with workers, they resume cut-off jobs instead.
  if (!deps.ingestWorkers)
    jobs.resume(runIngest).catch((error) =>
      logger({
        time: new Date().toISOString(),
        level: 'error',
        requestId: 'ingest-resume',
        method: 'RESUME',
        route: 'ingest jobs',
        path: '',
        status: 500,
        error: describeError(error),
      }),
    );
  const limiter =
    deps.rateLimiter ?? createRateLimiter(deps.limits?.rateLimit ?? { capacity: 60, refillPerSecond: 10 });
  const maxUploadBytes = deps.limits?.maxUploadBytes ?? 50 * 1024 * 1024;
  const admission = createAdmission(deps.limits?.answers ?? DEFAULT_ANSWER_ADMISSION);
  // A turn to answer, or `overloaded` (503) with Retry-After saying when to come back.
  const admitAnswer = async (c: Context<Env>): Promise<Release> => {
    try {
      return await admission.admit(c.req.raw.signal);
    } catch (error) {
      const wait = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
      if (wait !== undefined) c.header('Retry-After', String(wait));
      throw error;
    }
  };
  const maxJsonBytes = deps.limits?.maxJsonBytes ?? 1024 * 1024;
  const metrics = createServerMetrics();
  const logger = deps.logger ?? stderrLogger;
  const authFailures = createAuthFailureLimiter(deps.limits?.authFailures);
  const clientAddress = deps.clientAddress ?? ((c: Context) => peerAddress(c, deps.trustProxy ?? false));

  /** The error as a status and body carrying the request id; every 5xx but an overload refusal is logged under that id. */
  const reportError = (error: unknown, c: Context<Env>) => {
    const id = c.get('requestId');
    const response = errorResponse(error, id);
    // Turning a request away under overload is the server working as meant, not a failure to log
    // (a burst would write one stack per refused request).
    if (response.status >= 500 && !CairnError.is(error, 'overloaded'))
      logger({
        time: new Date().toISOString(),
        level: 'error',
        requestId: id,
        method: c.req.method,
        route: c.req.routePath,
        path: c.req.path,
        status: response.status,
        error: describeError(error),
      });
    return response;
  };

  // Sane incoming ids (a proxy's or the client's) are kept, so one id follows a request end to end.
  app.use('*', requestId({ limitLength: 128 }));
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    // Route patterns, not raw paths, so ids do not explode the label set.
    metrics.observeRequest(c.req.routePath, c.req.method, c.res.status, (performance.now() - started) / 1000);
  });

  app.onError((error, c) => {
    const { status, body } = reportError(error, c);
    return c.json(body, status as ContentfulStatusCode);
  });
  app.notFound((c) =>
    c.json(
      {
        error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` },
        requestId: c.get('requestId'),
      },
      404,
    ),
  );

  const startedAt = new Date().toISOString();
  /** The local token's key, when the request carries it from where it is accepted. */
  const localKey = (c: Context<Env>, key: string): ApiKeyRecord | undefined => {
    const local = deps.localToken;
    if (!local || !matchesLocalToken(local.token, key)) return undefined;
    const fromLoopback = isLoopbackAddress(peerAddress(c, false)) && !c.req.header('x-forwarded-for');
    if (!fromLoopback || c.req.method !== 'POST' || c.req.path !== '/v1/ask') return undefined;
    return {
      id: LOCAL_KEY_ID,
      tenant: local.tenant,
      role: 'admin',
      label: 'cairn ask',
      createdAt: startedAt,
    };
  };

  const authenticate = async (c: Context<Env>, next: () => Promise<void>) => {
    const header = c.req.header('authorization') ?? '';
    const key = header.startsWith('Bearer ')
      ? header.slice('Bearer '.length).trim()
      : c.req.header('x-api-key');
    if (!key) throw new CairnError('unauthorized', 'missing API key: send "Authorization: Bearer <key>"');
    // Checked before the key, so a blocked address learns nothing about the keys it tries.
    const address = clientAddress(c) ?? 'unknown';
    const blocked = authFailures.blocked(address);
    if (blocked) {
      c.header('Retry-After', String(blocked.retryAfterSeconds));
      throw new CairnError(
        'rate_limited',
        `too many failed authentications from ${address}; retry in ${blocked.retryAfterSeconds} s`,
      );
    }
    const record = localKey(c, key) ?? (await deps.keys.verify(key));
    if (!record) {
      authFailures.fail(address);
      throw new CairnError('unauthorized', 'unknown or revoked API key');
    }
    const taken = await limiter.take(record.id);
    if (!taken.allowed) {
      c.header('Retry-After', String(taken.retryAfterSeconds));
      throw new CairnError(
        'rate_limited',
        `rate limit exceeded for key ${record.id}; retry in ${taken.retryAfterSeconds} s`,
      );
    }
    c.set('key', record);
    await next();
  };

  // Server-wide counters cover every tenant's traffic, so a tenant's own admin may not read them:
  // operator keys only, which Prometheus sends as a bearer token.
  app.get('/metrics', authenticate, (c) => {
    requireRole(c, 'operator');
    return c.text(metrics.render(deps.cache?.cache.stats()), 200, {
      'content-type': 'text/plain; version=0.0.4',
    });
  });

  app.get('/healthz', (c) =>
    c.json({ ok: true, embedder: `${deps.embedder.provider}:${deps.embedder.modelId}` }),
  );

  app.use('/v1/*', authenticate);
  app.use(
    '/mcp',
    async (c, next) => {
      checkMcpRequest({ host: c.req.header('host'), origin: c.req.header('origin') }, deps.mcp ?? {});
      await next();
    },
    authenticate,
  );

  const requireRole = (c: { get: (name: 'key') => ApiKeyRecord }, role: Role) => {
    const key = c.get('key');
    if (!roleAllows(key.role, role))
      throw new CairnError('forbidden', `this key has role ${key.role}; the route needs ${role}`);
    return key;
  };
  /**
   * What a reader gets of the documents' text (search results, the citation viewer's chunks):
   * redacted like the answers, or an API that redacts answers would hand out the same values raw.
   */
  const asReturnedWithAnswers = <T>(value: T): T => (guard.redactAnswers ? redactResult(value) : value);
  /** On abstention, the best passages found, so the reader sees what came closest. */
  const closestOnAbstention = ({ abstained, passages }: { abstained: boolean; passages: Passage[] }) =>
    abstained && passages.length > 0
      ? {
          closestPassages: asReturnedWithAnswers(
            passages.slice(0, 3).map(({ n, docId, chunkId, source, title, text, score, metadata }) => ({
              n,
              docId,
              chunkId,
              source,
              title,
              text,
              score,
              metadata,
            })),
          ),
        }
      : {};
  // What every answering route passes to ask().
  const answerOptions = {
    ...(deps.indexSettings ? { indexSettings: deps.indexSettings } : {}),
    ...(deps.deadlineMs ? { deadlineMs: deps.deadlineMs } : {}),
    ...(deps.cache ? { cache: deps.cache } : {}),
    ...(deps.routing ? { routing: deps.routing } : {}),
    ...(deps.prices ? { prices: deps.prices } : {}),
    redactAnswer: guard.redactAnswers,
    screenQuestion: guard.scanQuestions,
    screenPassages: guard.screenPassages,
    ...(deps.abstainWithoutCitations === undefined
      ? {}
      : { abstainWithoutCitations: deps.abstainWithoutCitations }),
    ...(deps.fallbackAnswerer ? { fallbackAnswerer: deps.fallbackAnswerer } : {}),
    ...exporting,
  };
  /**
   * Refuses the request when the tenant's daily budget is spent; near the limit, sets a warning
   * header and returns the status so the answer can carry it.
   */
  const admitWithinBudget = async (tenant: string, c: { header: (name: string, value: string) => void }) => {
    if (!deps.usage) return undefined;
    const status = await deps.usage.standing(tenant, deps.budgets ?? DEFAULT_BUDGETS);
    enforceBudget(status);
    if (status.state !== 'warn') return undefined;
    c.header('x-cairn-budget-warning', status.message ?? 'near the daily budget');
    return status;
  };
  /** Counts an answer in the metrics and the tenant's usage, and writes its audit entry. */
  const recordAnswer = async (
    key: ApiKeyRecord,
    route: 'ask' | 'chat' | 'mcp-ask',
    question: string,
    result: AnswerSpend & { passages: { docId: string }[] },
  ) => {
    metrics.observeAnswer(result.usage);
    await deps.usage?.recordAnswer(key.tenant, result);
    if (deps.auditLog)
      await recordAudit(deps.auditLog, {
        tenant: key.tenant,
        keyId: key.id,
        route,
        query: question,
        docIds: result.passages.map((passage) => passage.docId),
      });
  };
  const jsonLimit = bodyLimit({
    maxSize: maxJsonBytes,
    onError: () => {
      throw new CairnError('payload_too_large', `request body over ${maxJsonBytes} bytes`);
    },
  });

  app.post('/v1/search', jsonLimit, async (c) => {
    const key = requireRole(c, 'reader');
    const body = searchBody.parse(await readJson(c.req.raw));
    const { results, timings } = await search({
      store: deps.store,
      embedder: deps.embedder,
      query: body.query,
      namespace: key.tenant,
      k: body.k,
      mode: body.mode ?? deps.retrieval.mode ?? 'hybrid',
      ...(deps.retrieval.fusion ? { fusion: deps.retrieval.fusion } : {}),
      ...(body.filter ? { filter: metadataFilter(body.filter) } : {}),
      ...(body.includeQuarantined && requireRole(c, 'admin') ? { includeQuarantined: true } : {}),
      ...exporting,
      ...joining(c),
      abortSignal: c.req.raw.signal,
    });
    if (deps.auditLog)
      await recordAudit(deps.auditLog, {
        tenant: key.tenant,
        keyId: key.id,
        route: 'search',
        query: body.query,
        docIds: results.map((result) => result.docId),
      });
    return c.json({ results: asReturnedWithAnswers(results), timings });
  });

  // What the answering routes pass to ask() when a request asks for a fresh answer.
  const { cache: _cache, ...withoutCache } = answerOptions;

  app.post('/v1/ask', jsonLimit, async (c) => {
    const key = requireRole(c, 'reader');
    const body = askBody.parse(await readJson(c.req.raw));
    const budget = await admitWithinBudget(key.tenant, c);
    const wantsStream = body.stream || (c.req.header('accept') ?? '').includes('text/event-stream');
    const options = {
      store: deps.store,
      embedder: deps.embedder,
      answerer: deps.answerer,
      question: body.question,
      namespace: key.tenant,
      traceStore: deps.traceStore,
      retrieval: {
        ...deps.retrieval,
        ...(body.k ? { k: body.k } : {}),
        ...(body.includeQuarantined && requireRole(c, 'admin') ? { includeQuarantined: true } : {}),
      },
      ...(body.noCache ? withoutCache : answerOptions),
      ...joining(c),
    };
    const release = await admitAnswer(c);
    if (!wantsStream) {
      try {
        const { passages, ...result } = await ask({ ...options, abortSignal: c.req.raw.signal });
        await recordAnswer(key, 'ask', body.question, { ...result, passages });
        const answered = { ...result, ...closestOnAbstention({ abstained: result.abstained, passages }) };
        return c.json(budget ? { ...answered, budget } : answered);
      } finally {
        release();
      }
    }
    return streamSSE(c, async (stream) => {
      const controller = new AbortController();
      stream.onAbort(() => controller.abort());
      try {
        const result = await ask({
          ...options,
          abortSignal: controller.signal,
          onToken: (text) => {
            void stream.writeSSE({ event: 'token', data: JSON.stringify({ text }) });
          },
          // The text streamed so far broke the grounding policy: the client discards it.
          onRetry: (reason) => {
            void stream.writeSSE({ event: 'reset', data: JSON.stringify({ reason }) });
          },
        });
        await recordAnswer(key, 'ask', body.question, result);
        for (const citation of result.citations)
          await stream.writeSSE({ event: 'citation', data: JSON.stringify(citation) });
        for (const conflict of result.conflicts)
          await stream.writeSSE({ event: 'conflict', data: JSON.stringify(conflict) });
        const { passages: _passages, citations: _citations, ...answered } = result;
        const done = { ...answered, ...closestOnAbstention(result) };
        await stream.writeSSE({ event: 'done', data: JSON.stringify(budget ? { ...done, budget } : done) });
      } catch (error) {
        if (controller.signal.aborted) return;
        await stream.writeSSE({ event: 'error', data: JSON.stringify(reportError(error, c).body) });
      } finally {
        release();
      }
    });
  });

  // OpenAI-compatible: any OpenAI client can use cairn as a grounded "model".
  app.post('/v1/chat/completions', jsonLimit, async (c) => {
    const key = requireRole(c, 'reader');
    await admitWithinBudget(key.tenant, c);
    const body = chatCompletionBody.parse(await readJson(c.req.raw));
    const model = body.model ?? 'cairn';
    const options = {
      store: deps.store,
      embedder: deps.embedder,
      answerer: deps.answerer,
      question: questionOf(body),
      namespace: key.tenant,
      traceStore: deps.traceStore,
      retrieval: deps.retrieval,
      ...answerOptions,
      ...joining(c),
    };
    const release = await admitAnswer(c);
    if (!body.stream) {
      try {
        const result = await ask({ ...options, abortSignal: c.req.raw.signal });
        await recordAnswer(key, 'chat', options.question, result);
        return c.json(chatCompletion(result, model));
      } finally {
        release();
      }
    }
    return streamSSE(c, async (stream) => {
      const controller = new AbortController();
      stream.onAbort(() => controller.abort());
      const id = `chatcmpl-${crypto.randomUUID()}`;
      await stream.writeSSE({
        data: JSON.stringify(chatChunk(id, model, { role: 'assistant', content: '' })),
      });
      try {
        const result = await ask({
          ...options,
          abortSignal: controller.signal,
          onToken: (text) => {
            void stream.writeSSE({ data: JSON.stringify(chatChunk(id, model, { content: text })) });
          },
          // The OpenAI stream shape cannot retract text: say plainly that what follows replaces it.
          onRetry: (reason) => {
            const notice = `\n\n(the text above was discarded: ${reason}; answering again)\n\n`;
            void stream.writeSSE({ data: JSON.stringify(chatChunk(id, model, { content: notice })) });
          },
        });
        await recordAnswer(key, 'chat', options.question, result);
        const sources = contentWithSources(result).slice(result.answer.length);
        if (sources)
          await stream.writeSSE({ data: JSON.stringify(chatChunk(id, model, { content: sources })) });
        await stream.writeSSE({
          data: JSON.stringify({
            ...chatChunk(id, model, {}, 'stop'),
            citations: chatCompletion(result, model).citations,
            cairn: { conflicts: result.conflicts },
          }),
        });
      } catch (error) {
        if (controller.signal.aborted) return;
        // Like the SSE path of /v1/ask: the client learns why the text stopped, and the stream ends.
        const { status, body: failure } = reportError(error, c);
        await stream.writeSSE({
          data: JSON.stringify(chatErrorChunk(status, failure.error, failure.requestId)),
        });
      } finally {
        release();
      }
      await stream.writeSSE({ data: '[DONE]' });
    });
  });

  app.get('/v1/documents', async (c) => {
    const key = requireRole(c, 'reader');
    return c.json({ documents: await deps.store.listDocuments(key.tenant) });
  });

  app.post(
    '/v1/documents',
    bodyLimit({
      maxSize: maxUploadBytes,
      onError: () => {
        throw new CairnError(
          'payload_too_large',
          `upload over ${maxUploadBytes} bytes; split it into smaller files`,
        );
      },
    }),
    async (c) => {
      const key = requireRole(c, 'writer');
      const files = await readUploads(c.req.raw);
      // Each file is stored whole (never half-received) before the job that ingests it exists.
      for (const { name, bytes } of files) await uploads.put(key.tenant, name, bytes);
      const names = files.map(({ name }) => name);
      if (!deps.ingestWorkers) return c.json({ job: jobs.enqueue(key.tenant, names, runIngest) }, 202);
      if (!deps.jobLog) throw new Error('ingest workers need a job log to hand jobs to');
      const job = newIngestJob(key.tenant, names);
      await deps.jobLog.save(job);
      // The job is recorded: if the queue cannot be told now, the workers' sweep finds it later.
      await deps.ingestWorkers.notify(key.tenant).catch((error) =>
        logger({
          time: new Date().toISOString(),
          level: 'error',
          requestId: c.get('requestId'),
          method: 'POST',
          route: '/v1/documents',
          path: '/v1/documents',
          status: 202,
          error: describeError(error),
        }),
      );
      return c.json({ job }, 202);
    },
  );

  // Quarantine review: admins release a flagged document into retrieval, or hold one back.
  for (const action of ['release', 'hold'] as const) {
    app.post(`/v1/documents/:id/${action}`, async (c) => {
      const key = requireRole(c, 'admin');
      const id = c.req.param('id');
      if (!(await deps.store.setQuarantined(key.tenant, id, action === 'hold')))
        throw new CairnError('not_found', `no document "${id}"`);
      const [document] = await deps.store.getDocuments(key.tenant, [id]);
      return c.json({ document });
    });
  }

  app.get('/v1/documents/:id/chunks', async (c) => {
    const key = requireRole(c, 'reader');
    const id = c.req.param('id');
    const [document] = await deps.store.getDocuments(key.tenant, [id]);
    if (!document) throw new CairnError('not_found', `no document "${id}"`);
    // Ids are `<doc>#<ordinal>`; parent-child documents also hold parents, so look a little further.
    const ids = Array.from({ length: document.chunkCount * 3 + 2 }, (_, ordinal) => `${id}#${ordinal}`);
    // `?passage=<chunk id>` (the links MCP results carry) narrows the answer to that passage.
    const passage = c.req.query('passage');
    const chunks = (
      await deps.store.getChunks(key.tenant, passage ? ids.filter((one) => one === passage) : ids)
    )
      .sort((a, b) => a.ordinal - b.ordinal)
      .map(({ id: chunkId, ordinal, role, parentId, text, metadata }) => ({
        id: chunkId,
        ordinal,
        role,
        parentId,
        text,
        metadata,
      }));
    // The web UI opens this next to an answer to show a cited passage in its document.
    return c.json(asReturnedWithAnswers({ document, chunks }));
  });

  app.delete('/v1/documents/:id', async (c) => {
    const key = requireRole(c, 'writer');
    const id = c.req.param('id');
    const [document] = await deps.store.getDocuments(key.tenant, [id]);
    if (!document) throw new CairnError('not_found', `no document "${id}"`);
    // The file goes first: left behind, the next upload job would bring the document back.
    const upload = uploadNameOf(document);
    if (upload !== undefined) await uploads.remove(key.tenant, upload);
    await deps.store.deleteDocument(key.tenant, id);
    await deps.cache?.cache.invalidateDocument(key.tenant, id);
    return c.json({ deleted: id });
  });

  app.get('/v1/ingest-jobs/:id', async (c) => {
    const key = requireRole(c, 'reader');
    const job = await jobs.get(key.tenant, c.req.param('id'));
    if (!job) throw new CairnError('not_found', `no ingest job "${c.req.param('id')}"`);
    return c.json({ job });
  });

  app.get('/v1/traces/:id', async (c) => {
    const key = requireRole(c, 'reader');
    const trace = await deps.traceStore.getTrace(key.tenant, c.req.param('id'));
    if (!trace) throw new CairnError('not_found', `no trace "${c.req.param('id')}"`);
    return c.json({ trace });
  });

  if (deps.feedback)
    app.route(
      '/v1',
      feedbackRoutes({
        feedback: deps.feedback,
        traceStore: deps.traceStore,
        requireRole,
        jsonLimit,
        redact: asReturnedWithAnswers,
      }),
    );
  // The web UI keeps conversations per tenant and shows admin pages to admin keys.
  app.get('/v1/me', (c) => {
    const { id, tenant, role } = requireRole(c, 'reader');
    return c.json({ keyId: id, tenant, role });
  });

  // Runs hold questions and answers from the tenant's documents: only that tenant's keys see them.
  app.get('/v1/eval-runs', async (c) => {
    const key = requireRole(c, 'admin');
    const runs = deps.evalRuns ? await deps.evalRuns.list(key.tenant) : [];
    const trust = loadJudgeTrust(deps.judgeTrustIndex);
    return c.json({
      runs: runs.map(({ run }) => ({
        runId: run.runId,
        createdAt: run.createdAt,
        label: run.label,
        answerer: run.config.answerer,
        judge: run.judge.id,
        split: run.golden.split,
        items: run.items.length,
        aggregates: run.aggregates,
        latency: run.latency,
        cost: run.cost,
        // Per judged metric, whether people agree with it (stored judge-check kappa ≥ 0.4).
        trust: Object.fromEntries(
          Object.keys(run.aggregates).flatMap((metric) => {
            const mark = trustMark(trust, run.judge.id, metric);
            return mark ? [[metric, mark]] : [];
          }),
        ),
      })),
    });
  });

  app.get('/v1/eval-runs/:id/report', async (c) => {
    const key = requireRole(c, 'admin');
    const id = c.req.param('id');
    // Another tenant's run id is answered exactly as an unknown one; only a whole id matches.
    const found = (await deps.evalRuns?.list(key.tenant))?.find(({ run }) => run.runId === id);
    if (!found) throw new CairnError('not_found', `no stored run "${c.req.param('id')}"`);
    return c.html(
      renderReport([found.run], {
        title: `cairn run ${found.run.label}`,
        trust: loadJudgeTrust(deps.judgeTrustIndex),
      }),
    );
  });

  app.get('/v1/audit', async (c) => {
    const key = requireRole(c, 'admin');
    const limit = Math.min(1000, Math.max(1, Number(c.req.query('limit') ?? 100) || 100));
    return c.json({ entries: (await deps.auditLog?.list(key.tenant, limit)) ?? [] });
  });

  app.get('/v1/usage', async (c) => {
    const key = requireRole(c, 'admin');
    const days = Math.min(366, Math.max(1, Number(c.req.query('days') ?? 7) || 7));
    const since = utcDay(new Date(Date.now() - (days - 1) * 86_400_000));
    if (!deps.usage) return c.json({ since, rows: [], budget: null });
    return c.json({
      since,
      rows: await deps.usage.report({ tenant: key.tenant, since }),
      budget: await deps.usage.standing(key.tenant, deps.budgets ?? DEFAULT_BUDGETS),
    });
  });

  /**
   * The tenant a keys request acts on: the key's own, or (operator keys only) the one named by
   * `?tenant=` or the body, so an operator can set up a new tenant's first admin key.
   */
  const keysTenant = (key: ApiKeyRecord, requested: string | undefined) => {
    if (requested === undefined || requested === key.tenant) return key.tenant;
    if (!roleAllows(key.role, 'operator'))
      throw new CairnError(
        'forbidden',
        `this key has role ${key.role}; managing the keys of another tenant needs operator`,
      );
    assertTenantName(requested);
    return requested;
  };

  app.get('/v1/keys', async (c) => {
    const key = requireRole(c, 'admin');
    return c.json({ keys: await deps.keys.list(keysTenant(key, c.req.query('tenant'))) });
  });

  app.post('/v1/keys', jsonLimit, async (c) => {
    const key = requireRole(c, 'admin');
    const body = keyBody.parse(await readJson(c.req.raw));
    const tenant = keysTenant(key, body.tenant);
    if (!roleAllows(key.role, body.role))
      throw new CairnError('forbidden', `this key has role ${key.role}; it cannot create ${body.role} keys`);
    const created = await deps.keys.create({
      tenant,
      role: body.role,
      ...(body.label ? { label: body.label } : {}),
    });
    return c.json(created, 201);
  });

  app.delete('/v1/keys/:id', async (c) => {
    const key = requireRole(c, 'admin');
    const tenant = keysTenant(key, c.req.query('tenant'));
    const id = c.req.param('id');
    const target = (await deps.keys.list(tenant)).find((record) => record.id === id);
    if (!target) throw new CairnError('not_found', `no active key "${id}"`);
    // An admin must not lock an operator out of its own tenant.
    if (!roleAllows(key.role, target.role))
      throw new CairnError(
        'forbidden',
        `this key has role ${key.role}; it cannot revoke ${target.role} keys`,
      );
    await deps.keys.revoke(tenant, id);
    return c.json({ revoked: id });
  });

  app.get('*', (c) => {
    if (!deps.webDir || c.req.path.startsWith('/v1/'))
      throw new CairnError('not_found', `no route GET ${c.req.path}`);
    const file = readStaticFile(deps.webDir, c.req.path);
    if (!file)
      throw new CairnError(
        'not_found',
        'the web UI is not built: run "npm run build:web" (npm install does it)',
      );
    c.header('content-type', file.type);
    if (file.immutable) c.header('cache-control', 'public, max-age=31536000, immutable');
    return c.body(new Uint8Array(file.body));
  });

  // MCP over Streamable HTTP: the same tools as `cairn mcp`, scoped to the key's tenant, with
  // the routes' budgets, usage, audit log and redaction.
  const mcpSessions = createMcpSessions<McpCaller & { key: ApiKeyRecord; origin: string }>({
    serverFor: ({ key, origin }) =>
      createCairnMcpServer(
        {
          store: deps.store,
          namespace: key.tenant,
          redact: asReturnedWithAnswers,
          linkFor: (docId, chunkId) => passageUrl(origin, docId, chunkId),
          search: async (query, k) => {
            const { results } = await search({
              store: deps.store,
              embedder: deps.embedder,
              query,
              namespace: key.tenant,
              k,
              mode: deps.retrieval.mode ?? 'hybrid',
              ...(deps.retrieval.fusion ? { fusion: deps.retrieval.fusion } : {}),
              ...exporting,
            });
            if (deps.auditLog)
              await recordAudit(deps.auditLog, {
                tenant: key.tenant,
                keyId: key.id,
                route: 'mcp-search',
                query,
                docIds: results.map((result) => result.docId),
              });
            return results;
          },
          ask: async (question) => {
            await admitWithinBudget(key.tenant, { header: () => {} });
            const result = await ask({
              store: deps.store,
              embedder: deps.embedder,
              answerer: deps.answerer,
              question,
              namespace: key.tenant,
              traceStore: deps.traceStore,
              retrieval: deps.retrieval,
              ...answerOptions,
            });
            await recordAnswer(key, 'mcp-ask', question, result);
            return result;
          },
        },
        { version: CAIRN_VERSION },
      ),
  });
  app.all('/mcp', async (c) => {
    const key = requireRole(c, 'reader');
    return mcpSessions.handle(c.req.raw, {
      keyId: key.id,
      tenant: key.tenant,
      key,
      origin: new URL(c.req.url).origin,
    });
  });

  return { app, jobs };
}

/** Drops absent fields so the filter matches the store's exact optional types. */
function metadataFilter(filter: z.infer<typeof searchBody>['filter'] & object): MetadataFilter {
  return {
    ...(filter.docIds ? { docIds: filter.docIds } : {}),
    ...(filter.sourcePrefix ? { sourcePrefix: filter.sourcePrefix } : {}),
    ...(filter.where ? { where: filter.where } : {}),
  };
}

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new CairnError('invalid_input', 'request body is not valid JSON');
  }
}

/** Uploaded files from multipart form data (any file field) or `{documents:[{name,text}]}`. */
async function readUploads(request: Request): Promise<{ name: string; bytes: Uint8Array }[]> {
  const type = request.headers.get('content-type') ?? '';
  let files: { name: string; bytes: Uint8Array }[];
  if (type.startsWith('multipart/form-data')) {
    const form = await readForm(request, type);
    files = [];
    for (const [, value] of form as unknown as Iterable<[string, FormDataEntryValue]>) {
      if (typeof value === 'string') continue;
      files.push({ name: value.name, bytes: new Uint8Array(await value.arrayBuffer()) });
    }
  } else {
    const body = textDocuments.parse(await readJson(request));
    files = body.documents.map((document) => ({
      name: document.name,
      bytes: Buffer.from(document.text, 'utf8'),
    }));
  }
  if (files.length === 0) throw new CairnError('invalid_input', 'no files in the upload');
  return files.map((file) => ({ name: safeFileName(file.name), bytes: file.bytes }));
}

/** The parts of a multipart body, or a 400 that says what is wrong with it. */
async function readForm(request: Request, type: string): Promise<FormData> {
  const match = /;\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(type);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary)
    throw new CairnError(
      'invalid_input',
      'multipart body has no boundary in Content-Type; send "multipart/form-data; boundary=..." (HTTP clients add it when the body is a FormData)',
    );
  const malformed = (reason: string) =>
    new CairnError(
      'invalid_input',
      `multipart body is truncated or malformed: ${reason}; send a complete multipart/form-data body`,
    );
  let body: ArrayBuffer;
  try {
    body = await request.arrayBuffer();
  } catch (error) {
    if (CairnError.is(error)) throw error;
    throw malformed('the body ended before it was complete');
  }
  const bytes = Buffer.from(body);
  // The parser only says "failed to parse", so the common faults are named first.
  if (bytes.length === 0) throw malformed('the body is empty');
  if (!bytes.includes(`--${boundary}`)) throw malformed(`no part starts with the boundary "--${boundary}"`);
  if (!bytes.includes(`--${boundary}--`))
    throw malformed(`the closing boundary "--${boundary}--" is missing, so the body was cut off`);
  try {
    return await new Response(body, { headers: { 'content-type': type } }).formData();
  } catch {
    throw malformed('a part has headers that cannot be parsed');
  }
}

/** The client's address: the TCP peer, or behind a trusted proxy the last `X-Forwarded-For` hop. */
function peerAddress(c: Context, trustProxy: boolean): string | undefined {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  const peer = incoming?.socket?.remoteAddress;
  if (!trustProxy) return peer;
  const hops = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  return hops.at(-1) ?? peer;
}

/** A plain file name with a supported extension; anything path-like or unsupported is refused. */
function safeFileName(name: string): string {
  const base = path.basename(name.replace(/\\/g, '/'));
  if (!/^[A-Za-z0-9][A-Za-z0-9._ -]{0,150}$/.test(base))
    throw new CairnError(
      'invalid_input',
      `file name "${name}" must be a plain name of letters, digits, dot, dash, underscore or space`,
    );
  const format = formatForPath(base);
  if (!format || format === 'beir')
    throw new CairnError('unsupported_format', `"${base}": upload .md, .txt, .html, .pdf or .docx files`);
  return base;
}
