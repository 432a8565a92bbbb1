import { embed } from '../embed/embed-many.ts';
import { checkCitations } from '../generate/citations.ts';
import { redactPii } from '../guard/index.ts';
import { type FusionOptions, type RetrievalMode, type RetrievalResult, retrieve } from '../retrieve/index.ts';
import type { Answerer, ChunkMetadata, EmbeddingModel, Passage, Store, TraceStore } from '../spec/index.ts';
import { CairnError } from '../spec/index.ts';
import { costOf, type ModelPrice } from '../trace/cost.ts';
import { Tracer } from '../trace/tracer.ts';

/** Retrieval settings used by {@link ask}. */
export interface AskRetrievalOptions {
  mode?: RetrievalMode;
  /** Passages handed to the answerer. @default 6 */
  k?: number;
  candidates?: number;
  fusion?: FusionOptions;
  mmrLambda?: number;
  expandParents?: boolean;
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
  /** Turn an answer left with no valid citation into an abstention. @default true */
  abstainWithoutCitations?: boolean;
  /**
   * Replace personal data and secrets in the final answer with typed placeholders. Traces are
   * always redacted. Streamed deltas are sent before this check. @default true
   */
  redactAnswer?: boolean;
  /** Receives answer text as it is generated. */
  onToken?: (delta: string) => void;
  abortSignal?: AbortSignal;
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
  traceId: string;
  /** The passages the answerer saw, in citation order. */
  passages: Passage[];
}

/**
 * Answers a question from the index: embed, retrieve, (rerank), generate with citations, check
 * the citations, and record a trace with a span per stage.
 */
export async function ask(options: AskOptions): Promise<AskResult> {
  const question = options.question.trim();
  if (question === '') throw new CairnError('invalid_option', 'the question is empty');
  const namespace = options.namespace ?? 'default';
  const retrieval = options.retrieval ?? {};
  // Traces are read by more people than answers: personal data never reaches them.
  const tracer = new Tracer({ namespace, label: redactPii(question).text.slice(0, 200) });
  const root = tracer.start('cairn.ask', { namespace, answerer: options.answerer.id });
  const signal = options.abortSignal ? { abortSignal: options.abortSignal } : {};
  let firstTokenMs: number | null = null;

  try {
    const needsVector = (retrieval.mode ?? 'hybrid') !== 'bm25' || options.answerer.id === 'extractive';
    const questionEmbedding = needsVector
      ? await tracer.span(
          'cairn.embed',
          { model: `${options.embedder.provider}:${options.embedder.modelId}` },
          () => embed(options.embedder, question, signal),
        )
      : undefined;

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
      ...(questionEmbedding ? { queryEmbedding: questionEmbedding } : {}),
    });
    const passages = await addSupersedingPassages(
      options,
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

    const generateSpan = tracer.start('cairn.generate', { model: options.answerer.id });
    const draft = await options.answerer.answer({
      question,
      passages,
      ...(questionEmbedding ? { questionEmbedding } : {}),
      ...signal,
      onToken: (delta) => {
        if (firstTokenMs === null) firstTokenMs = tracer.now();
        options.onToken?.(delta);
      },
    });
    const cost = costOf(draft.usage, draft.modelId, options.prices ?? {});
    Object.assign(generateSpan.attributes, {
      model: draft.modelId,
      inputTokens: draft.usage.inputTokens,
      outputTokens: draft.usage.outputTokens,
      costUsd: cost ?? null,
      abstained: draft.abstained,
      ...(draft.evidenceScore === undefined ? {} : { evidenceScore: Number(draft.evidenceScore.toFixed(4)) }),
      ...(draft.promptVersion ? { promptVersion: draft.promptVersion } : {}),
    });
    tracer.end(generateSpan);

    const guardSpan = tracer.start('cairn.guard', { check: 'citations' });
    const checked = draft.abstained
      ? { text: draft.text, valid: [], invalid: [] }
      : checkCitations(draft.text, passages.length);
    let abstained = draft.abstained;
    let abstainReason = draft.abstainReason;
    let answer = checked.text;
    if (!abstained && checked.valid.length === 0 && (options.abstainWithoutCitations ?? true)) {
      abstained = true;
      abstainReason = 'no_valid_citation';
      answer = 'I could not find a supported answer in the documents.';
    }
    const redaction = !abstained && (options.redactAnswer ?? true) ? redactPii(answer) : undefined;
    if (redaction) answer = redaction.text;
    Object.assign(guardSpan.attributes, {
      piiRedacted: Object.entries(redaction?.redacted ?? {}).map(([type, count]) => `${type}:${count}`),
      validCitations: checked.valid,
      citedDocIds: abstained ? [] : checked.valid.map((n) => passages[n - 1]?.docId ?? ''),
      invalidCitations: checked.invalid,
      abstained,
      ...(abstainReason ? { abstainReason } : {}),
    });
    tracer.end(guardSpan);
    Object.assign(root.attributes, {
      question: redactPii(question).text.slice(0, 2000),
      answer: redactPii(answer).text.slice(0, 4000),
      abstained,
    });
    tracer.end(root);

    const trace = tracer.finish();
    await options.traceStore?.saveTrace(trace);
    const span = (name: string) => trace.spans.find((s) => s.name === name)?.durationMs ?? 0;
    return {
      answer,
      citations: abstained ? [] : checked.valid.map((n) => toCitation(passages[n - 1] as Passage)),
      abstained,
      ...(abstainReason ? { abstainReason } : {}),
      ...(draft.evidenceScore === undefined ? {} : { evidenceScore: draft.evidenceScore }),
      invalidCitations: checked.invalid,
      timings: {
        embedMs: span('cairn.embed'),
        retrieveMs: span('cairn.retrieve'),
        rerankMs: span('cairn.rerank'),
        generateMs: span('cairn.generate'),
        guardMs: span('cairn.guard'),
        totalMs: trace.durationMs,
        firstTokenMs,
      },
      usage: {
        model: draft.modelId,
        inputTokens: draft.usage.inputTokens,
        outputTokens: draft.usage.outputTokens,
        totalTokens: draft.usage.inputTokens + draft.usage.outputTokens,
        tokensReported: draft.usage.reported,
        costUsd: cost ?? null,
      },
      ...(draft.promptVersion ? { promptVersion: draft.promptVersion } : {}),
      traceId: trace.traceId,
      passages,
    };
  } catch (error) {
    root.status = 'error';
    root.attributes.error = error instanceof Error ? error.message : String(error);
    await options.traceStore?.saveTrace(tracer.finish()).catch(() => undefined);
    throw error;
  }
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
    query: options.question,
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
