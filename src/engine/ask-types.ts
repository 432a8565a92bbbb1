import type { AnswerCache } from '../cache/index.ts';
import type { ScreenedPassage } from '../guard/index.ts';
import type { FusionOptions, RetrievalMode } from '../retrieve/index.ts';
import type {
  Answerer,
  ChunkMetadata,
  Conflict,
  EmbeddingModel,
  Passage,
  Store,
  TraceExporter,
  TraceParent,
  TraceStore,
} from '../spec/index.ts';
import type { ModelPrice } from '../trace/cost.ts';
import type { CalibrationSettings } from './abstention-calibration.ts';
import type { PolicyViolation } from './grounding-policy.ts';

/** Retrieval settings used by {@link ask}. */
export interface AskRetrievalOptions {
  mode?: RetrievalMode;
  /** Passages handed to the answerer. @default 6 */
  k?: number;
  candidates?: number;
  fusion?: FusionOptions;
  mmrLambda?: number;
  expandParents?: boolean;
  /** Passages past the top `k` searched for a value that contradicts one of them. @default 12 */
  conflictDepth?: number;
  /** Search quarantined documents too (reviewers only). @default false */
  includeQuarantined?: boolean;
}

/** Options of one question. */
export interface AskOptions {
  store: Store;
  embedder: EmbeddingModel;
  answerer: Answerer;
  question: string;
  /** @default 'default' */
  namespace?: string;
  retrieval?: AskRetrievalOptions;
  /** Where the trace is saved; without one the trace id is still returned but not kept. */
  traceStore?: TraceStore;
  /** Also sends the finished trace elsewhere, e.g. to an OpenTelemetry collector. */
  traceExporter?: TraceExporter;
  /** The caller's span (a `traceparent` header): the trace takes its id and roots under it. */
  traceParent?: TraceParent;
  prices?: Record<string, ModelPrice>;
  /** Treat an answer with no valid citation as a policy violation. @default true */
  abstainWithoutCitations?: boolean;
  /**
   * Tried once when the answerer's answer (and its one retry) breaks the grounding policy, e.g.
   * the extractive answerer behind an LLM. Without one, the next step is a refusal.
   */
  fallbackAnswerer?: Answerer;
  /** Scan the question for prompt injection: strip injected parts, refuse pure attacks. @default true */
  screenQuestion?: boolean;
  /**
   * Take sentences the injection classifier reads as orders out of retrieved passages before an
   * LLM answerer reads them; the extractive answerer follows no orders and is never screened.
   * @default true
   */
  screenPassages?: boolean;
  /**
   * Use the abstention threshold the index calibrated for this namespace (`cairn calibrate`);
   * an answerer built with an explicit threshold keeps its own. @default true
   */
  useIndexCalibration?: boolean;
  /** Where the index calibration is read from. @default the store's own settings */
  indexSettings?: CalibrationSettings;
  /**
   * Abstain (`unanswerable_terms`) when the question names something (an acronym, identifier or
   * proper noun) that no retrieved passage mentions. @default true for the extractive answerer
   */
  checkQuestionTerms?: boolean;
  /**
   * Look for passages that give different values for the same thing; when found, the answer
   * starts by naming the disagreement and the result lists it in `conflicts`. @default true
   */
  detectConflicts?: boolean;
  /** Model routing: a cheaper answerer tries first; the main one takes long contexts and escalations. */
  routing?: AskRouting;
  /** Serve and keep answers in an answer cache (exact, and semantic when a similarity is set). */
  cache?: AskCacheOptions;
  /** Called before a policy retry or fallback, so a streaming client can discard the text so far. */
  onRetry?: (reason: PolicyViolation) => void;
  /**
   * Replace personal data and secrets with typed placeholders in the answer and in everything
   * returned with it: citations, passages, conflicts, cache report, and the deltas `onToken`
   * receives (held back by up to 64 characters so a value split across tokens is still caught).
   * Identifiers (document, chunk and trace ids) are kept. Traces are always redacted. @default true
   */
  redactAnswer?: boolean;
  /** Receives answer text as it is generated. */
  onToken?: (delta: string) => void;
  abortSignal?: AbortSignal;
  /**
   * The whole answer must finish within this many milliseconds, across embedding, retrieval,
   * every provider call, retry and fallback; past it, every pending call is cancelled and a
   * `deadline_exceeded` error names the stage that was running.
   */
  deadlineMs?: number;
}

/** A source the answer cites, resolved from its `[n]` marker. */
export interface Citation {
  n: number;
  chunkId: string;
  docId: string;
  source: string;
  title: string;
  text: string;
  metadata: ChunkMetadata;
}

/** Milliseconds per stage of one answer. */
export interface AskTimings {
  embedMs: number;
  retrieveMs: number;
  /** Always 0: cairn has no reranker yet (the field keeps stored runs and clients unchanged). */
  rerankMs: number;
  generateMs: number;
  guardMs: number;
  totalMs: number;
  /** From the request to the first answer token handed to the caller. */
  firstTokenMs: number | null;
}

/** Routing rules (config `answerer.routing`). */
export interface AskRouting {
  /** Tried first when the passages fit within `longContextTokens`. */
  cheap: Answerer;
  /** Passages longer than this (gpt-tokenizer tokens) go straight to the main answerer. */
  longContextTokens: number;
  /** When the cheap answerer abstains, ask the main one (it may know better). */
  escalateOnAbstain: boolean;
}

/** How {@link ask} uses an answer cache. */
export interface AskCacheOptions {
  cache: AnswerCache;
  /** Serve a cached answer to a question at least this similar (cosine of embeddings); exact only when unset. */
  semanticSimilarity?: number;
  /** Settings the answer depends on beyond those ask sees (prompt version, temperature...). */
  settings?: string;
}

/** Set when the answer came from the cache. */
export interface AskCacheReport {
  hit: 'exact' | 'semantic';
  similarity: number;
  /** The question the cached answer was made for. */
  cachedQuestion: string;
  cachedAt: string;
}

/** The guard's decisions for one question. */
export interface AskPolicyReport {
  /**
   * `answered` first time; `retried` after one policy retry; `escalated` from the cheap model to
   * the main one (routing); `fell_back` to the fallback answerer; `refused` when every attempt
   * broke the policy or the question was only an attack.
   */
  decision: 'answered' | 'retried' | 'escalated' | 'fell_back' | 'refused';
  /** Each answer attempt with the answerer used and the violation it had, if any. */
  attempts: { answerer: string; violation?: PolicyViolation }[];
  /** Set when routing is on: which answerer went first, the context size, and whether it escalated. */
  route?: { first: string; contextTokens: number; escalated: boolean };
  /** Set when the question carried a prompt-injection attempt. */
  questionInjection?: {
    action: 'stripped' | 'refused';
    category?: string;
    rules: string[];
    /** The question actually answered (the clean part), when stripped. */
    answered?: string;
  };
  /** Set when the passage screen took text out of retrieved passages before the answerer read them. */
  passageInjection?: { screened: ScreenedPassage[] };
}

/** Everything `cairn ask --json` prints. */
export interface AskResult {
  answer: string;
  citations: Citation[];
  abstained: boolean;
  abstainReason?: string;
  /** Strength of the best evidence, when the answerer computes one (extractive). */
  evidenceScore?: number;
  /** With `abstainReason: 'unanswerable_terms'`: the question's terms no retrieved passage mentions. */
  unanswerableTerms?: string[];
  /** Citation numbers the answerer produced that pointed at no passage (removed from the text). */
  invalidCitations: number[];
  timings: AskTimings;
  usage: {
    model: string;
    inputTokens: number;
    outputTokens: number;
    totalTokens: number;
    /** Provider-reported counts, or counted locally with gpt-tokenizer. */
    tokensReported: boolean;
    /** US dollars; null when the model has no price configured. */
    costUsd: number | null;
  };
  promptVersion?: string;
  /** How the grounding policy reached this answer; every step is also in the trace. */
  policy: AskPolicyReport;
  /**
   * Retrieved passages that disagree on a value the question is about (numbers, dates, names,
   * versions), each value with its citations and date, and the newer side when known. Empty when
   * they agree.
   */
  conflicts: Conflict[];
  /** Present when the answer was served from the answer cache (no model was called). */
  cache?: AskCacheReport;
  traceId: string;
  /** The passages the answerer saw, in citation order. */
  passages: Passage[];
}
