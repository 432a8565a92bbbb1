import { z } from 'zod';
import { DEFAULT_CHUNKING } from '../chunk/default-chunking.ts';
import { DEFAULT_MAX_TEXT_BYTES, DEFAULT_MAX_UNPACKED_BYTES } from '../ingest/extraction-limits.ts';

const chunking = z
  .object({
    strategy: z.enum(['structure', 'token-window', 'parent-child']).default(DEFAULT_CHUNKING.strategy),
    maxTokens: z.number().int().min(16).default(DEFAULT_CHUNKING.maxTokens),
    overlapTokens: z.number().int().min(0).default(DEFAULT_CHUNKING.overlapTokens),
    childMaxTokens: z.number().int().min(8).default(DEFAULT_CHUNKING.childMaxTokens),
  })
  .strict();

const fusion = z.discriminatedUnion('method', [
  z
    .object({
      method: z.literal('rrf'),
      k: z.number().int().min(1).default(60),
      weights: z
        .object({ bm25: z.number().min(0), dense: z.number().min(0) })
        .strict()
        .optional(),
    })
    .strict(),
  z.object({ method: z.literal('weighted'), alpha: z.number().min(0).max(1).default(0.5) }).strict(),
]);

const dailyBudget = z
  .object({ tokens: z.number().int().min(0).optional(), costUsd: z.number().min(0).optional() })
  .strict();

/** No limits: budgets are opt-in. */
/** Passages past the top k searched for contradicting values (chosen on RGB dev, README). */
export const CONFLICT_DEPTH = 12;

/**
 * Calls each model takes at once before the rest queue (`answerer.maxConcurrency`): as many as the
 * server admits answers, so a server's own admission, not a hidden limit, decides.
 */
export const DEFAULT_MODEL_CONCURRENCY = 64;

export const DEFAULT_BUDGETS = { daily: {}, tenants: {}, warnAt: 0.8 };

/**
 * Answer-cache settings when the config says nothing. The semantic tier is off: even with the
 * same-question check, bench/cache-safety.ts still finds a wrong serve on its test split.
 */
export const DEFAULT_CACHE = {
  enabled: true,
  semanticSimilarity: null as number | null,
  ttlSeconds: 86400,
  maxEntriesPerTenant: 10000,
};

/** Guard settings when the config says nothing. */
export const DEFAULT_GUARD = {
  redactAnswers: true,
  redactDocuments: false,
  scanDocuments: true,
  scanQuestions: true,
  screenPassages: true,
  policyFallback: 'extractive',
} as const;

/** Server ingest-queue settings when the config says nothing. */
export const DEFAULT_INGEST = {
  maxConcurrentTenants: 4,
  maxAttempts: 3,
  queue: 'in-process' as 'in-process' | 'redis',
  workerLockMs: 30_000,
};

/** Per-file extraction limits when the config says nothing (the loaders' own defaults, in MiB). */
export const DEFAULT_INGEST_LIMITS = {
  maxUnpackedMb: DEFAULT_MAX_UNPACKED_BYTES / (1024 * 1024),
  maxTextMb: DEFAULT_MAX_TEXT_BYTES / (1024 * 1024),
};

/** Trace export settings when the config says nothing: off unless an endpoint is set. */
export const DEFAULT_TELEMETRY = {
  enabled: null as boolean | null,
  endpoint: null as string | null,
  tracesEndpoint: null as string | null,
  protocol: 'http/protobuf' as 'http/protobuf' | 'http/json',
  headers: {} as Record<string, string>,
  serviceName: 'cairn',
  captureContent: false,
  maxQueueSpans: 2048,
  timeoutMs: 10_000,
};

const price = z
  .object({
    /** US dollars per million input tokens. */
    inputPerMillion: z.number().min(0),
    /** US dollars per million output tokens. */
    outputPerMillion: z.number().min(0),
  })
  .strict();

/**
 * The whole configuration; every field has a default so cairn works with no file at all.
 * Unknown keys are rejected so a typo never silently does nothing.
 */
export const configSchema = z
  .object({
    index: z.string().min(1).default('.cairn/index.db'),
    namespace: z.string().min(1).default('default'),
    embedder: z
      .object({
        model: z.string().min(1).default('local'),
        baseURL: z.url().optional(),
        apiKey: z.string().optional(),
        dimensions: z.number().int().min(1).optional(),
        threads: z.number().int().min(1).max(64).optional(),
      })
      .strict()
      .default({ model: 'local' }),
    chunking: chunking.default({ ...DEFAULT_CHUNKING }),
    retrieval: z
      .object({
        mode: z.enum(['hybrid', 'bm25', 'dense']).default('hybrid'),
        k: z.number().int().min(1).max(100).default(6),
        candidates: z.number().int().min(1).max(1000).optional(),
        fusion: fusion.default({ method: 'weighted', alpha: 0.2 }),
        mmrLambda: z.number().min(0).max(1).optional(),
        expandParents: z.boolean().default(true),
        /**
         * Passages past the top `k` searched for a value that contradicts one of the top `k`; a
         * passage found that way is added to the answer's passages so both sides can be cited.
         */
        conflictDepth: z.number().int().min(0).max(100).default(CONFLICT_DEPTH),
      })
      .strict()
      .default({
        mode: 'hybrid',
        k: 6,
        fusion: { method: 'weighted', alpha: 0.2 },
        expandParents: true,
        conflictDepth: CONFLICT_DEPTH,
      }),
    answerer: z
      .object({
        /** `extractive` (offline, default), `openai-compatible:<model>` or `anthropic:<model>`. */
        model: z.string().min(1).default('extractive'),
        baseURL: z.url().optional(),
        apiKey: z.string().optional(),
        temperature: z.number().min(0).max(2).default(0),
        maxOutputTokens: z.number().int().min(16).max(32000).default(512),
        timeoutMs: z.number().int().min(100).default(60000),
        /** Whole-answer deadline across every call (embed, retrieve, each retry, fallback). */
        deadlineMs: z.number().int().min(100).default(120000),
        /** Extractive: evidence score below which the answer abstains (calibrated on the golden dev split). */
        abstainThreshold: z.number().min(-1).max(1).optional(),
        /**
         * Extractive: after each `cairn ingest`, calibrate the index's own abstention threshold when
         * it was never calibrated or its documents changed by more than a fifth (`cairn calibrate`).
         * Off until its probe questions transfer: on SciFact they raised false abstention (README).
         */
        calibrate: z.boolean().default(false),
        /** Extractive: most sentences in an answer. */
        maxSentences: z.number().int().min(1).max(20).default(4),
        /** Turn an LLM answer left with no valid citation into an abstention. */
        abstainWithoutCitations: z.boolean().default(true),
        promptVersion: z.string().default('grounded-answer.v1'),
        /** Retries per model on timeouts, 408, 429 and 5xx (exponential backoff, full jitter). */
        retries: z.number().int().min(0).max(10).default(2),
        /**
         * Calls to each model at once that have not yet sent their first token (streams) or their
         * answer; more wait their turn. Lower it for a model server that takes few requests at once.
         */
        maxConcurrency: z.number().int().min(1).max(10_000).default(DEFAULT_MODEL_CONCURRENCY),
        /**
         * Model routing: this cheaper model answers first; the main model takes passages longer
         * than `longContextTokens`, answers the cheap one declines, and answers that break the
         * grounding policy.
         */
        routing: z
          .object({
            model: z.string().min(1),
            baseURL: z.url().optional(),
            apiKey: z.string().optional(),
            longContextTokens: z.number().int().min(1).default(3000),
            escalateOnAbstain: z.boolean().default(true),
          })
          .strict()
          .optional(),
        /** Models tried in order when the primary keeps failing. */
        fallbacks: z
          .array(
            z
              .object({
                model: z.string().min(1),
                baseURL: z.url().optional(),
                apiKey: z.string().optional(),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .default({
        model: 'extractive',
        temperature: 0,
        maxOutputTokens: 512,
        timeoutMs: 60000,
        deadlineMs: 120000,
        maxSentences: 4,
        calibrate: false,
        abstainWithoutCitations: true,
        promptVersion: 'grounded-answer.v1',
        retries: 2,
        maxConcurrency: DEFAULT_MODEL_CONCURRENCY,
        fallbacks: [],
      }),
    judge: z
      .object({
        /** `offline` (no LLM, a proxy), `openai-compatible:<model>` or `anthropic:<model>`. */
        model: z.string().min(1).default('offline'),
        baseURL: z.url().optional(),
        apiKey: z.string().optional(),
        /** Offline judge: support score at or above which a statement counts as supported. */
        supportThreshold: z.number().min(0).max(1).optional(),
      })
      .strict()
      .default({ model: 'offline' }),
    guard: z
      .object({
        /**
         * Replace personal data and secrets with typed placeholders in answers and everything
         * returned with them: citations, passages, conflicts, streamed text, search results and
         * the citation viewer's chunks (traces always are).
         */
        redactAnswers: z.boolean().default(true),
        /** Replace personal data and secrets in documents before they are stored (opt-in). */
        redactDocuments: z.boolean().default(false),
        /** Scan documents for prompt injection at ingest and quarantine the ones flagged. */
        scanDocuments: z.boolean().default(true),
        /** Refuse questions that carry a prompt-injection attempt. */
        scanQuestions: z.boolean().default(true),
        /**
         * Take sentences that read as orders to the assistant out of retrieved passages before an
         * LLM reads them (a looser threshold than quarantine: the document stays searchable).
         */
        screenPassages: z.boolean().default(true),
        /** Where an LLM answer goes after it breaks the grounding policy twice: the extractive answerer, or straight to a refusal. */
        policyFallback: z.enum(['extractive', 'none']).default('extractive'),
      })
      .strict()
      .default({ ...DEFAULT_GUARD }),
    budgets: z
      .object({
        /** Daily limits for every tenant (UTC days); omit a field for no limit. */
        daily: dailyBudget.default({}),
        /** Per-tenant limits that replace `daily` for that tenant. */
        tenants: z.record(z.string(), dailyBudget).default({}),
        /** Share of a limit at which answers carry a warning. */
        warnAt: z.number().min(0).max(1).default(0.8),
      })
      .strict()
      .default({ ...DEFAULT_BUDGETS }),
    cache: z
      .object({
        /** Keep answers and serve repeats of a question without calling the model. */
        enabled: z.boolean().default(true),
        /**
         * Also serve an answer to a question whose embedding is at least this similar (cosine) and
         * that asks the same thing (same numbers, entities, negation and opposites); null for exact
         * matches only. Off by default: see the README for the measured hit and wrong-serve rates.
         */
        semanticSimilarity: z.number().min(0.5).max(1).nullable().default(DEFAULT_CACHE.semanticSimilarity),
        /** Cached answers older than this are never served. */
        ttlSeconds: z.number().int().min(1).default(86400),
        maxEntriesPerTenant: z.number().int().min(1).default(10000),
      })
      .strict()
      .default({ ...DEFAULT_CACHE }),
    server: z
      .object({
        /** Requests per API key: burst size and refill per second (token bucket). */
        rateLimit: z
          .object({
            capacity: z.number().int().min(1).default(60),
            refillPerSecond: z.number().positive().default(10),
          })
          .strict()
          .default({ capacity: 60, refillPerSecond: 10 }),
        /** Largest upload request in MiB. */
        maxUploadMb: z.number().positive().default(50),
        /** Days the audit log keeps its entries; older ones are deleted at start-up. */
        auditRetentionDays: z.number().int().min(1).default(365),
        /**
         * Count failed authentications against the last `X-Forwarded-For` hop instead of the TCP
         * peer. Only behind a reverse proxy that appends the client address: otherwise any client
         * could forge the header.
         */
        trustProxy: z.boolean().default(false),
        /**
         * `redis://host:port/db`: keep the per-key rate limit in Redis, so that it holds across
         * every API node pointing at it; null keeps it in the process.
         */
        redisUrl: z.string().url().nullable().default(null),
        /**
         * Answers (`/v1/ask`, `/v1/chat/completions`) computed at once, waiting for a turn, and
         * the longest wait: past them a request gets 503 with Retry-After at once, instead of
         * every answer slowing down together until they time out.
         */
        answers: z
          .object({
            maxInFlight: z.number().int().min(1).max(10_000).default(64),
            maxQueued: z.number().int().min(0).max(100_000).default(256),
            maxWaitMs: z.number().int().min(0).max(600_000).default(10_000),
          })
          .strict()
          .default({ maxInFlight: 64, maxQueued: 256, maxWaitMs: 10_000 }),
        /** Host names `/mcp` accepts besides loopback (DNS-rebinding check). */
        mcpAllowedHosts: z.array(z.string().min(1)).default([]),
        /** Browser origins `/mcp` accepts besides those of allowed hosts. */
        mcpAllowedOrigins: z.array(z.string().url()).default([]),
      })
      .strict()
      .default({
        rateLimit: { capacity: 60, refillPerSecond: 10 },
        maxUploadMb: 50,
        auditRetentionDays: 365,
        trustProxy: false,
        redisUrl: null,
        answers: { maxInFlight: 64, maxQueued: 256, maxWaitMs: 10_000 },
        mcpAllowedHosts: [],
        mcpAllowedOrigins: [],
      }),
    /** The server's ingest job queue. */
    ingest: z
      .object({
        /** Tenants whose upload jobs run at once (one job per tenant at a time); 1 runs every job in turn. */
        maxConcurrentTenants: z.number().int().min(1).max(64).default(DEFAULT_INGEST.maxConcurrentTenants),
        /** Starts of a job cut off by the server stopping (a crash) before it is marked failed. */
        maxAttempts: z.number().int().min(1).max(100).default(DEFAULT_INGEST.maxAttempts),
        /**
         * Where upload jobs run: `in-process` in the API server that took them, or `redis`: a
         * durable BullMQ queue in `server.redisUrl` that `cairn worker` processes take them from
         * (needs a postgres:// index, which every node shares).
         */
        queue: z.enum(['in-process', 'redis']).default(DEFAULT_INGEST.queue),
        /**
         * How long a worker's hold on a job lasts unless renewed (it renews at half that while
         * alive): a worker killed mid-job has the job taken over by another after about this long.
         */
        workerLockMs: z.number().int().min(1000).max(3_600_000).default(DEFAULT_INGEST.workerLockMs),
      })
      .strict()
      .default({ ...DEFAULT_INGEST }),
    /** Bounds on what one file may expand to while it is loaded; a file past them fails alone. */
    ingestLimits: z
      .object({
        /** MiB a DOCX's zip entries or a PDF's streams may inflate to in total (zip-bomb guard). */
        maxUnpackedMb: z.number().positive().default(DEFAULT_INGEST_LIMITS.maxUnpackedMb),
        /** MiB (millions of characters, roughly) of text extracted from one file. */
        maxTextMb: z.number().positive().default(DEFAULT_INGEST_LIMITS.maxTextMb),
      })
      .strict()
      .default({ ...DEFAULT_INGEST_LIMITS }),
    /**
     * OpenTelemetry export of every trace (answers, searches, ingests, evaluations) over OTLP/HTTP.
     * The standard OTEL_EXPORTER_OTLP_* variables set these too, and win over the file.
     */
    telemetry: z
      .object({
        /** Export traces; null: export when an endpoint is set. */
        enabled: z.boolean().nullable().default(DEFAULT_TELEMETRY.enabled),
        /** The collector's base URL, `/v1/traces` appended (OTEL_EXPORTER_OTLP_ENDPOINT). @default http://localhost:4318 */
        endpoint: z.url().nullable().default(DEFAULT_TELEMETRY.endpoint),
        /** The full traces URL, used as it is; wins over `endpoint` (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). */
        tracesEndpoint: z.url().nullable().default(DEFAULT_TELEMETRY.tracesEndpoint),
        /** OTLP encoding; gRPC is not supported (OTEL_EXPORTER_OTLP_PROTOCOL). */
        protocol: z.enum(['http/protobuf', 'http/json']).default(DEFAULT_TELEMETRY.protocol),
        /** Sent with every export, e.g. `Authorization` (OTEL_EXPORTER_OTLP_HEADERS). */
        headers: z.record(z.string(), z.string()).default({}),
        /** The exported resource's `service.name` (OTEL_SERVICE_NAME). */
        serviceName: z.string().min(1).default(DEFAULT_TELEMETRY.serviceName),
        /**
         * Also export the question, answer and search query text (PII-redacted) as
         * `gen_ai.input.messages` / `gen_ai.output.messages` (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT).
         */
        captureContent: z.boolean().default(DEFAULT_TELEMETRY.captureContent),
        /** Spans waiting for the collector at most; past it new spans are dropped and counted. */
        maxQueueSpans: z.number().int().min(1).max(1_000_000).default(DEFAULT_TELEMETRY.maxQueueSpans),
        /**
         * One export's time limit, retries included (OTEL_EXPORTER_OTLP_TIMEOUT); also the longest a
         * command waits at exit for its last traces when the collector does not answer.
         */
        timeoutMs: z.number().int().min(1).max(600_000).default(DEFAULT_TELEMETRY.timeoutMs),
      })
      .strict()
      .default({ ...DEFAULT_TELEMETRY, headers: {} }),
    /** Per-model prices for cost accounting, keyed by model id (e.g. `gpt-4o-mini`). */
    prices: z.record(z.string(), price).default({}),
  })
  .strict();

/** The validated, defaulted configuration. */
export type CairnConfig = z.infer<typeof configSchema>;

/** The `guard` section: injection scanning, PII redaction and the grounding policy's fallback. */
export type GuardSettings = CairnConfig['guard'];

// The sections on their own, so the library's functions validate their options with the very
// rules (and messages) a configuration file gets; see check-options.ts.

/** The `embedder` section: model spec, endpoint and local-model threads. */
export const embedderSchema = configSchema.shape.embedder.unwrap();

/** The `chunking` section: strategy and token sizes. */
export const chunkingSchema = configSchema.shape.chunking.unwrap();

/** The `retrieval` section: mode, k, candidates, fusion, MMR and parent expansion. */
export const retrievalSchema = configSchema.shape.retrieval.unwrap();

/** Hybrid fusion settings: `{ method: 'rrf', k, weights }` or `{ method: 'weighted', alpha }`. */
export const fusionSchema = retrievalSchema.shape.fusion.unwrap();

/** The `answerer` section: model, limits, deadline and extractive settings. */
export const answererSchema = configSchema.shape.answerer.unwrap();

/** The `guard` section. */
export const guardSchema = configSchema.shape.guard.unwrap();

/** The `cache` section. */
export const cacheSchema = configSchema.shape.cache.unwrap();

/** The `telemetry` section: OTLP trace export. */
export type TelemetrySettings = CairnConfig['telemetry'];

/** Per-model prices, keyed by model id. */
export const pricesSchema = configSchema.shape.prices.unwrap();
