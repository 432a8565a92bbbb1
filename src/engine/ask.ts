import { checkOptions } from '../config/check-options.ts';
import { CONFLICT_DEPTH } from '../config/config-schema.ts';
import { askOptionsSchema } from '../config/option-schemas.ts';
import { embed } from '../embed/embed-many.ts';
import { ABSTENTION_TEXT } from '../generate/extractive-answerer.ts';
import {
  createRedactingStream,
  redactPii,
  redactResult,
  type ScreenedPassage,
  screenPassages,
  screenQuestion,
} from '../guard/index.ts';
import { defaultCandidates, retrieve } from '../retrieve/index.ts';
import type { Conflict, Passage, Span } from '../spec/index.ts';
import { CairnError } from '../spec/index.ts';
import { costOf } from '../trace/cost.ts';
import { exportTrace } from '../trace/export-trace.ts';
import { Tracer } from '../trace/tracer.ts';
import { readCalibration } from './abstention-calibration.ts';
import { cacheFingerprint, serveFromCache, storeInCache } from './answer-cache-step.ts';
import { answerWithinPolicy, type PolicyOutcome } from './answer-within-policy.ts';
import type { AskOptions, AskPolicyReport, AskResult, Citation } from './ask-types.ts';
import { closeTrace } from './close-trace.ts';
import { findConflicts, noteFor, streamingNoteFirst, withNote } from './conflict-step.ts';
import type { PolicyViolation } from './grounding-policy.ts';
import { retrieverSettings, toPassages } from './passages.ts';
import { findUnanswerableTerms } from './unanswerable-terms.ts';

export type {
  AskCacheOptions,
  AskCacheReport,
  AskOptions,
  AskPolicyReport,
  AskResult,
  AskRetrievalOptions,
  AskRouting,
  AskTimings,
  Citation,
} from './ask-types.ts';

/**
 * Answers a question from the index: screen the question, embed, retrieve, generate
 * with citations, enforce the grounding policy (retry once, fall back, refuse), redact, and
 * record a trace with a span per stage and decision. With `redactAnswer` on, every text field of
 * the result (fresh, cached or abstained) and every streamed delta is redacted the same way.
 */
export async function ask(options: AskOptions): Promise<AskResult> {
  if (!(options.redactAnswer ?? true)) return answerQuestion(options);
  const { onToken, onRetry } = options;
  const stream = onToken ? createRedactingStream(onToken) : undefined;
  const result = await answerQuestion({
    ...options,
    ...(stream
      ? {
          onToken: stream.write,
          onRetry: (reason: PolicyViolation) => {
            // A draft the policy rejected is complete and can be sent in full; a cut-off stream
            // may end inside a value, so its unsent rest is dropped.
            if (reason === 'provider_failed') stream.discard();
            else stream.end();
            onRetry?.(reason);
          },
        }
      : {}),
  });
  stream?.end();
  return redactResult(result);
}

/** {@link ask} before redaction of the result and of the streamed deltas. */
async function answerQuestion(options: AskOptions): Promise<AskResult> {
  checkOptions('ask', askOptionsSchema, options);
  const asked = options.question.trim();
  if (asked === '') throw new CairnError('invalid_option', 'the question is empty');
  const namespace = options.namespace ?? 'default';
  const retrieval = options.retrieval ?? {};
  // Traces are read by more people than answers: personal data never reaches them.
  const tracer = new Tracer({
    namespace,
    label: redactPii(asked).text.slice(0, 200),
    ...(options.traceParent ? { parent: options.traceParent } : {}),
  });
  const root = tracer.start('cairn.ask', { namespace, answerer: options.answerer.id });
  const deadline = options.deadlineMs === undefined ? undefined : AbortSignal.timeout(options.deadlineMs);
  const abortSignal = combineSignals(options.abortSignal, deadline);
  const signal = abortSignal ? { abortSignal } : {};
  // Everything below sees the combined signal, so the deadline reaches every HTTP request.
  options = { ...options, ...signal };
  let firstTokenMs: number | null = null;

  try {
    const screening = (options.screenQuestion ?? true) ? screenQuestion(asked) : undefined;
    let questionInjection: AskPolicyReport['questionInjection'];
    if (screening && screening.action !== 'pass') {
      tracer.record('cairn.guard', tracer.now(), 0, {
        check: 'question-injection',
        action: screening.action,
        category: screening.category ?? null,
        rules: screening.rules,
        removed: screening.removed.map((part) => redactPii(part).text.slice(0, 300)),
      });
      questionInjection = {
        action: screening.action === 'refuse' ? 'refused' : 'stripped',
        ...(screening.category ? { category: screening.category } : {}),
        rules: screening.rules,
        ...(screening.action === 'stripped' ? { answered: screening.question } : {}),
      };
    }
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
      const hit = await cache.cache.lookupExact({ namespace, fingerprint, question });
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
      const hit = await cache.cache.lookupSemantic({
        namespace,
        fingerprint,
        question,
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
    const k = retrieval.k ?? 6;
    const detecting = options.detectConflicts ?? true;
    const conflictDepth = detecting ? (retrieval.conflictDepth ?? CONFLICT_DEPTH) : 0;
    const retrieved = await retrieve({
      store: options.store,
      embedder: options.embedder,
      query: question,
      namespace,
      k: k + conflictDepth,
      ...retrieverSettings(retrieval),
      // The fusion pool `k` alone would get, so searching deeper leaves the top k as they were.
      candidates: retrieval.candidates ?? defaultCandidates(k),
      ...(retrieval.includeQuarantined ? { includeQuarantined: true } : {}),
      ...(questionEmbedding ? { queryEmbedding: questionEmbedding } : {}),
      traceStep: tracer.stepsUnder(retrieveSpan),
    });
    const ranked = await toPassages(options.store, namespace, retrieved.results);
    const deeper = ranked.slice(k);
    let passages = await addSupersedingPassages(
      options,
      question,
      namespace,
      ranked.slice(0, k),
      questionEmbedding,
    );
    Object.assign(retrieveSpan.attributes, {
      docIds: passages.map((passage) => passage.docId),
      chunkIds: passages.map((passage) => passage.chunkId),
      ranks: passages.map((passage) => passage.n),
      scores: passages.map((passage) => Number(passage.score.toFixed(6))),
    });
    tracer.end(retrieveSpan);

    const unanswerable =
      // An LLM reads the passages and declines by itself; the extractive answerer cannot tell.
      (options.checkQuestionTerms ?? options.answerer.id === 'extractive') && passages.length > 0
        ? findUnanswerableTerms(question, passages)
        : [];
    if (unanswerable.length > 0) {
      tracer.record('cairn.guard', tracer.now(), 0, { check: 'question-terms', unanswerable });
      const result = await finish({
        tracer,
        root,
        options,
        passages,
        outcome: {
          answer: `${ABSTENTION_TEXT} No passage found mentions ${unanswerable.map((term) => `"${term}"`).join(', ')}.`,
          abstained: true,
          abstainReason: 'unanswerable_terms',
          validCitations: [],
          invalidCitations: [],
          drafts: [],
          policy: { decision: 'answered', attempts: [], ...(questionInjection ? { questionInjection } : {}) },
        },
        firstTokenMs,
      });
      return { ...result, unanswerableTerms: unanswerable };
    }
    const calibration =
      (options.useIndexCalibration ?? true)
        ? await readCalibration(options.indexSettings ?? options.store, namespace)
        : undefined;

    let conflicts: Conflict[] = [];
    if (detecting) ({ conflicts, passages } = findConflicts(tracer, question, passages, deeper));
    const note = noteFor(conflicts);
    const screened = screenForAnswerer(tracer, options, passages);
    passages = screened.passages;
    const answered = await answerWithinPolicy({
      options: streamingNoteFirst(options, note),
      tracer,
      question,
      passages,
      ...(conflicts.length > 0 ? { conflicts } : {}),
      ...(questionEmbedding ? { questionEmbedding } : {}),
      ...(calibration ? { abstainThreshold: calibration.threshold } : {}),
      onFirstToken: () => {
        if (firstTokenMs === null) firstTokenMs = tracer.now();
      },
    });
    // The disagreement leads the answer, so no single value reads as the fact.
    const outcome = withNote(answered, note, conflicts);
    if (questionInjection) outcome.policy.questionInjection = questionInjection;
    if (screened.screened.length > 0) outcome.policy.passageInjection = { screened: screened.screened };
    const result = await finish({ tracer, root, options, passages, outcome, firstTokenMs, conflicts });
    if (cache && !result.abstained) {
      // The cache keeps what is served, so its file holds no more personal data than the answers.
      const kept = (options.redactAnswer ?? true) ? redactResult(result) : result;
      await storeInCache(cache, options, namespace, fingerprint, question, questionEmbedding, kept);
    }
    return result;
  } catch (caught) {
    const error = deadlineError(caught, deadline, tracer, options);
    root.status = 'error';
    root.attributes.error = error instanceof Error ? error.message : String(error);
    const trace = tracer.finish();
    await options.traceStore?.saveTrace(trace).catch(() => undefined);
    exportTrace(trace, options);
    throw error;
  }
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

/** Prices and traces the outcome, saves the trace, and builds the result ({@link ask} redacts it). */
async function finish(input: {
  tracer: Tracer;
  root: Span;
  options: AskOptions;
  passages: Passage[];
  outcome: PolicyOutcome;
  firstTokenMs: number | null;
  conflicts?: Conflict[];
}): Promise<AskResult> {
  const { tracer, root, options, passages, outcome } = input;
  const guardSpan = tracer.start('cairn.guard', { check: 'redaction' });
  const { answer } = outcome;
  // What redaction takes out of the answer, for the trace; ask() then redacts the whole result.
  const redacted = (options.redactAnswer ?? true) ? redactPii(answer).redacted : {};
  Object.assign(guardSpan.attributes, {
    piiRedacted: Object.entries(redacted).map(([type, count]) => `${type}:${count}`),
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

  const { trace, stageMs } = await closeTrace({
    tracer,
    root,
    options,
    answer,
    abstained: outcome.abstained,
  });
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
      embedMs: stageMs('cairn.embed'),
      retrieveMs: stageMs('cairn.retrieve'),
      rerankMs: 0,
      generateMs: stageMs('cairn.generate'),
      guardMs: stageMs('cairn.guard'),
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
    conflicts: input.conflicts ?? [],
    traceId: trace.traceId,
    passages,
  };
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

/**
 * The passages as the answerer reads them: for an LLM, sentences that read as orders to the
 * assistant taken out, with a guard span naming what went.
 */
function screenForAnswerer(
  tracer: Tracer,
  options: AskOptions,
  passages: Passage[],
): { passages: Passage[]; screened: ScreenedPassage[] } {
  if (options.screenPassages === false || options.answerer.id === 'extractive')
    return { passages, screened: [] };
  const started = tracer.now();
  const result = screenPassages(passages);
  tracer.record('cairn.guard', started, tracer.now() - started, {
    check: 'passage-injection',
    screenedChunkIds: result.screened.map((passage) => passage.chunkId),
    screenedScores: result.screened.map((passage) => Number(passage.score.toFixed(4))),
  });
  return result;
}
