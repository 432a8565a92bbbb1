import { createHash } from 'node:crypto';
import type { AnswerCache, CacheHit } from '../cache/index.ts';
import { countTokens } from '../chunk/count-tokens.ts';
import { embed } from '../embed/embed-many.ts';
import { checkCitations } from '../generate/citations.ts';
import { redactPii, screenQuestion } from '../guard/index.ts';
import { type FusionOptions, type RetrievalMode, type RetrievalResult, retrieve } from '../retrieve/index.ts';
import type {
  AnswerDraft,
  Answerer,
  ChunkMetadata,
  EmbeddingModel,
  Passage,
  Span,
  SpanName,
  Store,
  TraceStore,
} from '../spec/index.ts';
import { CairnError } from '../spec/index.ts';
import { costOf, type ModelPrice } from '../trace/cost.ts';
import { Tracer } from '../trace/tracer.ts';
import { findPolicyViolation, type PolicyViolation, RETRY_INSTRUCTIONS } from './grounding-policy.ts';

/** Retrieval settings used by {@link ask}. */
export interface AskRetrievalOptions {
  mode?: RetrievalMode;
  /** Passages handed to the answerer. @default 6 */
  k?: number;
  candidates?: number;
  fusion?: FusionOptions;
  mmrLambda?: number;
  expandParents?: boolean;
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
  /** Model routing: a cheaper answerer tries first; the main one takes long contexts and escalations. */
  routing?: AskRouting;
  /** Serve and keep answers in an answer cache (exact, and semantic when a similarity is set). */
  cache?: AskCacheOptions;
  /** Called before a policy retry or fallback, so a streaming client can discard the text so far. */
  onRetry?: (reason: PolicyViolation) => void;
  /**
   * Replace personal data and secrets in the final answer with typed placeholders. Traces are
   * always redacted. Streamed deltas are sent before this check. @default true
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
}

/** Everything `cairn ask --json` prints. */
export interface AskResult {
  answer: string;
  citations: Citation[];
  abstained: boolean;
  abstainReason?: string;
  /** Strength of the best evidence, when the answerer computes one (extractive). */
  evidenceScore?: number;
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
  /** Present when the answer was served from the answer cache (no model was called). */
  cache?: AskCacheReport;
  traceId: string;
  /** The passages the answerer saw, in citation order. */
  passages: Passage[];
}

/**
 * Answers a question from the index: screen the question, embed, retrieve, (rerank), generate
 * with citations, enforce the grounding policy (retry once, fall back, refuse), redact, and
 * record a trace with a span per stage and decision.
 */
export async function ask(options: AskOptions): Promise<AskResult> {
  const asked = options.question.trim();
  if (asked === '') throw new CairnError('invalid_option', 'the question is empty');
  const namespace = options.namespace ?? 'default';
  const retrieval = options.retrieval ?? {};
  // Traces are read by more people than answers: personal data never reaches them.
  const tracer = new Tracer({ namespace, label: redactPii(asked).text.slice(0, 200) });
  const root = tracer.start('cairn.ask', { namespace, answerer: options.answerer.id });
  const deadline = options.deadlineMs === undefined ? undefined : AbortSignal.timeout(options.deadlineMs);
  const abortSignal = combineSignals(options.abortSignal, deadline);
  const signal = abortSignal ? { abortSignal } : {};
  // Everything below sees the combined signal, so the deadline reaches every HTTP request.
  options = { ...options, ...signal };
  let firstTokenMs: number | null = null;

  try {
    const screening = (options.screenQuestion ?? true) ? screenQuestion(asked) : undefined;
    if (screening && screening.action !== 'pass') {
      tracer.record('cairn.guard', tracer.now(), 0, {
        check: 'question-injection',
        action: screening.action,
        category: screening.category ?? null,
        rules: screening.rules,
        removed: screening.removed.map((part) => redactPii(part).text.slice(0, 300)),
      });
    }
    const questionInjection =
      screening && screening.action !== 'pass'
        ? {
            action: screening.action === 'refuse' ? ('refused' as const) : ('stripped' as const),
            ...(screening.category ? { category: screening.category } : {}),
            rules: screening.rules,
            ...(screening.action === 'stripped' ? { answered: screening.question } : {}),
          }
        : undefined;
    if (screening?.action === 'refuse') {
      return await finish({
        tracer,
        root,
        options,
        passages: [],
        outcome: {
          answer: `I can't help with that: the question contains instructions aimed at the assistant (${screening.category}).`,
          abstained: true,
          abstainReason: 'injection_detected',
          validCitations: [],
          invalidCitations: [],
          drafts: [],
          policy: { decision: 'refused', attempts: [], ...(questionInjection ? { questionInjection } : {}) },
        },
        firstTokenMs,
      });
    }
    const question = screening?.question ?? asked;
    const cache = options.cache;
    const fingerprint = cache ? cacheFingerprint(options) : '';
    if (cache) {
      const hit = cache.cache.lookupExact({ namespace, fingerprint, question });
      const served =
        hit && (await serveFromCache({ hit, tracer, root, options, namespace, questionInjection }));
      if (served) return served;
    }

    const semantic = cache?.semanticSimilarity !== undefined;
    const needsVector =
      semantic || (retrieval.mode ?? 'hybrid') !== 'bm25' || options.answerer.id === 'extractive';
    const questionEmbedding = needsVector
      ? await tracer.span(
          'cairn.embed',
          { model: `${options.embedder.provider}:${options.embedder.modelId}` },
          () => embed(options.embedder, question, signal),
        )
      : undefined;
    if (cache && semantic && questionEmbedding) {
      const hit = cache.cache.lookupSemantic({
        namespace,
        fingerprint,
        embedding: questionEmbedding,
        minSimilarity: cache.semanticSimilarity as number,
      });
      const served =
        hit && (await serveFromCache({ hit, tracer, root, options, namespace, questionInjection }));
      if (served) return served;
    }
    cache?.cache.record('miss');

    const retrieveSpan = tracer.start('cairn.retrieve', {
      mode: retrieval.mode ?? 'hybrid',
      k: retrieval.k ?? 6,
    });
    const retrieved = await retrieve({
      store: options.store,
      embedder: options.embedder,
      query: question,
      namespace,
      k: retrieval.k ?? 6,
      ...(retrieval.mode ? { mode: retrieval.mode } : {}),
      ...(retrieval.candidates ? { candidates: retrieval.candidates } : {}),
      ...(retrieval.fusion ? { fusion: retrieval.fusion } : {}),
      ...(retrieval.mmrLambda !== undefined ? { mmr: { lambda: retrieval.mmrLambda } } : {}),
      ...(retrieval.expandParents !== undefined ? { expandParents: retrieval.expandParents } : {}),
      ...(retrieval.includeQuarantined ? { includeQuarantined: true } : {}),
      ...(questionEmbedding ? { queryEmbedding: questionEmbedding } : {}),
    });
    const passages = await addSupersedingPassages(
      options,
      question,
      namespace,
      await toPassages(options.store, namespace, retrieved.results),
      questionEmbedding,
    );
    const t = retrieved.timings;
    tracer.record('cairn.retrieve.bm25', retrieveSpan.startMs, t.bm25Ms);
    tracer.record('cairn.retrieve.dense', retrieveSpan.startMs + t.bm25Ms, t.denseMs);
    tracer.record('cairn.retrieve.fuse', retrieveSpan.startMs + t.bm25Ms + t.denseMs, t.fuseMs);
    Object.assign(retrieveSpan.attributes, {
      docIds: passages.map((passage) => passage.docId),
      chunkIds: passages.map((passage) => passage.chunkId),
      ranks: passages.map((passage) => passage.n),
      scores: passages.map((passage) => Number(passage.score.toFixed(6))),
    });
    tracer.end(retrieveSpan);
    const rerankSpan = tracer.start('cairn.rerank', { reranker: 'none' });
    tracer.end(rerankSpan);

    const outcome = await answerWithinPolicy({
      options,
      tracer,
      question,
      passages,
      ...(questionEmbedding ? { questionEmbedding } : {}),
      onFirstToken: () => {
        if (firstTokenMs === null) firstTokenMs = tracer.now();
      },
    });
    if (questionInjection) outcome.policy.questionInjection = questionInjection;
    const result = await finish({ tracer, root, options, passages, outcome, firstTokenMs });
    if (cache && !result.abstained)
      await storeInCache(cache, options, namespace, fingerprint, question, questionEmbedding, result);
    return result;
  } catch (caught) {
    const error = deadlineError(caught, deadline, tracer, options);
    root.status = 'error';
    root.attributes.error = error instanceof Error ? error.message : String(error);
    await options.traceStore?.saveTrace(tracer.finish()).catch(() => undefined);
    throw error;
  }
}

/** What a cached answer depends on: a change to any of these must not serve old answers. */
function cacheFingerprint(options: AskOptions): string {
  const parts = {
    answerer: options.answerer.id,
    fallback: options.fallbackAnswerer?.id ?? null,
    routing: options.routing
      ? [options.routing.cheap.id, options.routing.longContextTokens, options.routing.escalateOnAbstain]
      : null,
    retrieval: options.retrieval ?? {},
    redact: options.redactAnswer ?? true,
    requireCitations: options.abstainWithoutCitations ?? true,
    settings: options.cache?.settings ?? '',
  };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/**
 * Returns the cached answer as this request's result, after checking that every document it
 * cites is unchanged and not quarantined; a stale entry is dropped and undefined returned.
 */
async function serveFromCache(input: {
  hit: CacheHit;
  tracer: Tracer;
  root: Span;
  options: AskOptions;
  namespace: string;
  questionInjection: AskPolicyReport['questionInjection'];
}): Promise<AskResult | undefined> {
  const { hit, tracer, root, options } = input;
  const cache = options.cache as AskCacheOptions;
  const span = tracer.start('cairn.cache', {
    lookup: hit.kind,
    similarity: Number(hit.similarity.toFixed(4)),
  });
  const current = new Map(
    (
      await options.store.getDocuments(
        input.namespace,
        hit.citedVersions.map((v) => v.docId),
      )
    ).map((d) => [d.id, d]),
  );
  const fresh = hit.citedVersions.every((version) => {
    const document = current.get(version.docId);
    return document !== undefined && document.contentHash === version.contentHash && !document.quarantined;
  });
  span.attributes.hit = fresh;
  if (!fresh) {
    span.attributes.stale = true;
    tracer.end(span);
    cache.cache.remove(hit.id);
    cache.cache.record('stale');
    return undefined;
  }
  cache.cache.record(hit.kind);
  tracer.end(span);
  const cached = hit.value as Omit<AskResult, 'traceId' | 'timings'>;
  options.onToken?.(cached.answer);
  Object.assign(root.attributes, {
    question: redactPii(options.question).text.slice(0, 2000),
    answer: cached.answer.slice(0, 4000),
    abstained: false,
    cache: hit.kind,
  });
  tracer.end(root);
  const trace = tracer.finish();
  await options.traceStore?.saveTrace(trace);
  const spanMs = (name: SpanName) =>
    trace.spans.filter((s) => s.name === name).reduce((sum, s) => sum + s.durationMs, 0);
  return {
    ...cached,
    usage: { ...cached.usage, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 },
    policy: {
      ...cached.policy,
      ...(input.questionInjection ? { questionInjection: input.questionInjection } : {}),
    },
    cache: {
      hit: hit.kind,
      similarity: hit.similarity,
      cachedQuestion: hit.question,
      cachedAt: hit.createdAt,
    },
    timings: {
      embedMs: spanMs('cairn.embed'),
      retrieveMs: 0,
      rerankMs: 0,
      generateMs: 0,
      guardMs: spanMs('cairn.guard') + spanMs('cairn.cache'),
      totalMs: trace.durationMs,
      firstTokenMs: trace.durationMs,
    },
    traceId: trace.traceId,
  };
}

/** Keeps an answer with the versions of the documents it cites, so a change invalidates it. */
async function storeInCache(
  cache: AskCacheOptions,
  options: AskOptions,
  namespace: string,
  fingerprint: string,
  question: string,
  embedding: Float32Array | undefined,
  result: AskResult,
): Promise<void> {
  const cited = [...new Set(result.citations.map((citation) => citation.docId))];
  const documents = await options.store.getDocuments(namespace, cited);
  const { traceId: _traceId, timings: _timings, cache: _cache, ...value } = result;
  cache.cache.put({
    namespace,
    fingerprint,
    question,
    ...(embedding ? { embedding } : {}),
    value,
    citedVersions: documents.map((document) => ({ docId: document.id, contentHash: document.contentHash })),
  });
}

/** Both signals in one, or whichever exists. */
function combineSignals(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  return present.length <= 1 ? present[0] : AbortSignal.any(present);
}

/** A failure caused by the deadline becomes `deadline_exceeded`, naming the stage it cut short. */
function deadlineError(
  error: unknown,
  deadline: AbortSignal | undefined,
  tracer: Tracer,
  options: AskOptions,
): unknown {
  if (!deadline?.aborted) return error;
  const stage = tracer.openSpanName() ?? 'cairn.ask';
  return new CairnError(
    'deadline_exceeded',
    `no answer within the ${options.deadlineMs} ms deadline (cut short during ${stage}); raise answerer.deadlineMs or check the provider`,
    { cause: error },
  );
}

/** The answer the policy settled on, before redaction and pricing. */
interface PolicyOutcome {
  answer: string;
  abstained: boolean;
  abstainReason?: string;
  validCitations: number[];
  invalidCitations: number[];
  /** Every draft produced, in order; the last one is the answer's (when any). */
  drafts: AnswerDraft[];
  policy: AskPolicyReport;
}

/**
 * Generates an answer and enforces the grounding policy: an answer that breaks it is retried once
 * with the reason (skipped for deterministic answerers), then handed to the fallback answerer,
 * then refused with the violation as reason code. Abstentions are accepted as they are.
 */
async function answerWithinPolicy(input: {
  options: AskOptions;
  tracer: Tracer;
  question: string;
  passages: Passage[];
  questionEmbedding?: Float32Array;
  onFirstToken: () => void;
}): Promise<PolicyOutcome> {
  const { options, tracer, passages } = input;
  const main = options.answerer;
  const fallback = options.fallbackAnswerer;
  const routing = options.routing;
  // Routing: the cheap model answers first unless the passages are too long for it.
  const contextTokens = routing ? passages.reduce((sum, passage) => sum + countTokens(passage.text), 0) : 0;
  const cheapFirst = routing !== undefined && contextTokens <= routing.longContextTokens;
  const route: AskPolicyReport['route'] = routing
    ? { first: cheapFirst ? routing.cheap.id : main.id, contextTokens, escalated: false }
    : undefined;
  const plan: PlanStep[] = [{ answerer: cheapFirst ? (routing as AskRouting).cheap : main, kind: 'first' }];
  const drafts: AnswerDraft[] = [];
  const attempts: AskPolicyReport['attempts'] = [];
  let violation: PolicyViolation | undefined;
  const decisionOf: Record<PlanStep['kind'], AskPolicyReport['decision']> = {
    first: 'answered',
    retry: 'retried',
    escalate: 'escalated',
    fallback: 'fell_back',
  };
  const report = (decision: AskPolicyReport['decision']): AskPolicyReport => ({
    decision,
    attempts,
    ...(route ? { route } : {}),
  });
  for (let index = 0; index < plan.length; index++) {
    const step = plan[index] as PlanStep;
    if (index > 0 && violation && violation !== 'provider_failed') options.onRetry?.(violation);
    if (step.kind === 'escalate' && route) route.escalated = true;
    const generateSpan = tracer.start('cairn.generate', {
      model: step.answerer.id,
      attempt: index + 1,
      step: step.kind,
    });
    let draft: AnswerDraft;
    let streamed = false;
    try {
      draft = await step.answerer.answer({
        question: input.question,
        passages,
        ...(input.questionEmbedding ? { questionEmbedding: input.questionEmbedding } : {}),
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
        ...(step.retryReason ? { retryReason: RETRY_INSTRUCTIONS[step.retryReason] } : {}),
        onToken: (delta) => {
          streamed = true;
          input.onFirstToken();
          options.onToken?.(delta);
        },
      });
    } catch (error) {
      generateSpan.status = 'error';
      generateSpan.attributes.error = error instanceof Error ? error.message : String(error);
      // Cancellation and deadlines are not failures to route around; nor are bugs.
      if (options.abortSignal?.aborted || !CairnError.is(error, 'api_call_failed')) throw error;
      // A stream cut after its first token could not be retried inside the provider chain (the
      // user had seen text): ask it once more from the start. A failing cheap model escalates.
      // Otherwise the chain already retried, so go to the fallback answerer.
      const again = streamed && !plan.some((p, i) => i !== index && p.answerer === step.answerer);
      const next: PlanStep | undefined = again
        ? { answerer: step.answerer, kind: 'retry' }
        : step.answerer === routing?.cheap && cheapFirst
          ? { answerer: main, kind: 'escalate' }
          : fallback && step.answerer !== fallback
            ? { answerer: fallback, kind: 'fallback' }
            : undefined;
      // Left open when rethrowing, so a deadline error can name the stage it interrupted.
      if (!next) throw error;
      tracer.end(generateSpan);
      attempts.push({ answerer: step.answerer.id, violation: 'provider_failed' });
      violation = 'provider_failed';
      options.onRetry?.('provider_failed');
      plan.splice(index + 1, plan.length, next);
      continue;
    }
    drafts.push(draft);
    Object.assign(generateSpan.attributes, {
      model: draft.modelId,
      inputTokens: draft.usage.inputTokens,
      outputTokens: draft.usage.outputTokens,
      costUsd: costOf(draft.usage, draft.modelId, options.prices ?? {}) ?? null,
      abstained: draft.abstained,
      ...(draft.evidenceScore === undefined ? {} : { evidenceScore: Number(draft.evidenceScore.toFixed(4)) }),
      ...(draft.promptVersion ? { promptVersion: draft.promptVersion } : {}),
    });
    tracer.end(generateSpan);

    const policySpan = tracer.start('cairn.guard', { check: 'grounding-policy', attempt: index + 1 });
    const checked = draft.abstained
      ? { text: draft.text, valid: [], invalid: [] }
      : checkCitations(draft.text, passages.length);
    violation = draft.abstained
      ? undefined
      : findPolicyViolation({
          answer: checked.text,
          validCitations: checked.valid,
          passages,
          requireCitations: options.abstainWithoutCitations ?? true,
        });
    // A cheap model that abstains is not trusted to be right: the main model gets the question.
    const fromCheap = step.answerer === routing?.cheap && cheapFirst;
    if (fromCheap && draft.abstained && routing?.escalateOnAbstain) violation = 'low_confidence';
    attempts.push({ answerer: draft.modelId, ...(violation ? { violation } : {}) });
    Object.assign(policySpan.attributes, {
      violation: violation ?? null,
      validCitations: checked.valid,
      invalidCitations: checked.invalid,
    });
    tracer.end(policySpan);
    if (!violation) {
      return {
        answer: checked.text,
        abstained: draft.abstained,
        ...(draft.abstainReason ? { abstainReason: draft.abstainReason } : {}),
        validCitations: checked.valid,
        invalidCitations: checked.invalid,
        drafts,
        policy: report(decisionOf[step.kind]),
      };
    }
    if (fromCheap) {
      // The cheap model's answer failed: escalate rather than retry it.
      plan.push({ answerer: main, kind: 'escalate' });
      continue;
    }
    if ((step.kind === 'first' || step.kind === 'escalate') && !step.answerer.deterministic) {
      plan.push({ answerer: step.answerer, kind: 'retry', retryReason: violation });
    }
    if (index === plan.length - 1 && fallback && !plan.some((p) => p.answerer === fallback)) {
      plan.push({ answerer: fallback, kind: 'fallback' });
    }
  }
  return {
    answer:
      violation === 'no_valid_citation'
        ? 'I could not find a supported answer in the documents.'
        : `I could not give an answer that meets the grounding policy (${violation}).`,
    abstained: true,
    abstainReason: violation ?? 'policy_violation',
    validCitations: [],
    invalidCitations: [],
    drafts,
    policy: report('refused'),
  };
}

/** One planned answer attempt and why it is made. */
interface PlanStep {
  answerer: Answerer;
  kind: 'first' | 'retry' | 'escalate' | 'fallback';
  retryReason?: PolicyViolation;
}

/** Redacts, prices and traces the outcome, saves the trace, and builds the result. */
async function finish(input: {
  tracer: Tracer;
  root: Span;
  options: AskOptions;
  passages: Passage[];
  outcome: PolicyOutcome;
  firstTokenMs: number | null;
}): Promise<AskResult> {
  const { tracer, root, options, passages, outcome } = input;
  const guardSpan = tracer.start('cairn.guard', { check: 'redaction' });
  let answer = outcome.answer;
  const redaction = !outcome.abstained && (options.redactAnswer ?? true) ? redactPii(answer) : undefined;
  if (redaction) answer = redaction.text;
  Object.assign(guardSpan.attributes, {
    piiRedacted: Object.entries(redaction?.redacted ?? {}).map(([type, count]) => `${type}:${count}`),
    citedDocIds: outcome.abstained ? [] : outcome.validCitations.map((n) => passages[n - 1]?.docId ?? ''),
    abstained: outcome.abstained,
    decision: outcome.policy.decision,
    attempts: outcome.policy.attempts.map((a) => `${a.answerer}:${a.violation ?? 'ok'}`),
    ...(outcome.abstainReason ? { abstainReason: outcome.abstainReason } : {}),
  });
  tracer.end(guardSpan);

  // Every attempt is paid for; the answer is attributed to the model that produced it.
  const final = outcome.drafts.at(-1);
  const usage = outcome.drafts.reduce(
    (sum, draft) => ({
      inputTokens: sum.inputTokens + draft.usage.inputTokens,
      outputTokens: sum.outputTokens + draft.usage.outputTokens,
      reported: sum.reported && draft.usage.reported,
    }),
    { inputTokens: 0, outputTokens: 0, reported: true },
  );
  const costs = outcome.drafts.map((draft) => costOf(draft.usage, draft.modelId, options.prices ?? {}));
  const cost =
    costs.length === 0
      ? 0
      : costs.some((c) => c === undefined)
        ? undefined
        : costs.reduce((a, b) => (a ?? 0) + (b ?? 0), 0);

  Object.assign(root.attributes, {
    question: redactPii(options.question).text.slice(0, 2000),
    answer: redactPii(answer).text.slice(0, 4000),
    abstained: outcome.abstained,
  });
  tracer.end(root);
  const trace = tracer.finish();
  await options.traceStore?.saveTrace(trace);
  const total = (name: SpanName) =>
    trace.spans.filter((s) => s.name === name).reduce((sum, s) => sum + s.durationMs, 0);
  return {
    answer,
    citations: outcome.abstained
      ? []
      : outcome.validCitations.map((n) => toCitation(passages[n - 1] as Passage)),
    abstained: outcome.abstained,
    ...(outcome.abstainReason ? { abstainReason: outcome.abstainReason } : {}),
    ...(final?.evidenceScore === undefined ? {} : { evidenceScore: final.evidenceScore }),
    invalidCitations: outcome.invalidCitations,
    timings: {
      embedMs: total('cairn.embed'),
      retrieveMs: total('cairn.retrieve'),
      rerankMs: total('cairn.rerank'),
      generateMs: total('cairn.generate'),
      guardMs: total('cairn.guard'),
      totalMs: trace.durationMs,
      firstTokenMs: input.firstTokenMs,
    },
    usage: {
      model: final?.modelId ?? options.answerer.id,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      totalTokens: usage.inputTokens + usage.outputTokens,
      tokensReported: usage.reported,
      costUsd: cost ?? null,
    },
    ...(final?.promptVersion ? { promptVersion: final.promptVersion } : {}),
    policy: outcome.policy,
    traceId: trace.traceId,
    passages,
  };
}

/** Numbers the results from 1 and attaches their documents' metadata (dates, supersession). */
async function toPassages(store: Store, namespace: string, results: RetrievalResult[]): Promise<Passage[]> {
  const documents = new Map(
    (await store.getDocuments(namespace, [...new Set(results.map((result) => result.docId))])).map((d) => [
      d.id,
      d,
    ]),
  );
  return results.map((result, index) => ({
    n: index + 1,
    chunkId: result.chunkId,
    docId: result.docId,
    source: result.source,
    title: result.title,
    text: result.text,
    score: result.score,
    metadata: result.metadata,
    documentMetadata: documents.get(result.docId)?.metadata ?? {},
  }));
}

/**
 * When a retrieved document says it is superseded (`superseded_by` in its front matter) and the
 * newer document was not retrieved, adds the newer document's best passage, so the answerer can
 * prefer the current version and mention the conflict.
 */
async function addSupersedingPassages(
  options: AskOptions,
  question: string,
  namespace: string,
  passages: Passage[],
  questionEmbedding: Float32Array | undefined,
): Promise<Passage[]> {
  const present = new Set(passages.map((passage) => passage.docId));
  const missing = [
    ...new Set(
      passages.flatMap((passage) => {
        const newer = passage.documentMetadata?.superseded_by;
        return typeof newer === 'string' && !present.has(newer) ? [newer] : [];
      }),
    ),
  ];
  if (missing.length === 0) return passages;
  const extra = await retrieve({
    store: options.store,
    embedder: options.embedder,
    query: question,
    namespace,
    k: missing.length,
    filter: { docIds: missing },
    ...(questionEmbedding ? { queryEmbedding: questionEmbedding } : {}),
  });
  const added = await toPassages(options.store, namespace, extra.results);
  return [...passages, ...added.map((passage, index) => ({ ...passage, n: passages.length + index + 1 }))];
}

function toCitation(passage: Passage): Citation {
  return {
    n: passage.n,
    chunkId: passage.chunkId,
    docId: passage.docId,
    source: passage.source,
    title: passage.title,
    text: passage.text,
    metadata: passage.metadata,
  };
}
