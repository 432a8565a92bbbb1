/**
 * Extractive answers on SciFact claims: does the answer lead with a sentence the annotators
 * marked as rationale (evidence) for the claim, and how many answer sentences come from abstracts
 * not relevant to it. Retrieval is fixed per claim and computed once; sentence embeddings are
 * cached, so weight settings can be compared cheaply (on train) before one is read on test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { numberPassages } from '../../src/engine/passages.ts';
import type { BeirQuerySet } from '../../src/evaluate/index.ts';
import {
  type ContextualAnswererOptions,
  createContextualExtractiveAnswerer,
  type SelectionWeights,
} from '../../src/generate/contextual-extractive-answerer.ts';
import { sentenceRole } from '../../src/generate/sentence-roles.ts';
import { type RetrievalMode, retrieve } from '../../src/retrieve/index.ts';
import type { Answerer, EmbeddingModel, Passage, Store } from '../../src/spec/index.ts';

/** One claim with its retrieved passages and the annotated evidence. */
export interface ClaimCase {
  id: string;
  claim: string;
  passages: Passage[];
  relevantDocs: Set<string>;
  /** docId -> indices of rationale sentences. */
  rationale: Map<string, Set<number>>;
}

/** Aggregate answer figures over a set of claims. */
export interface AnswerFigures {
  claims: number;
  answered: number;
  /** Answers whose first cited sentence is a labelled rationale sentence. */
  firstIsRationale: number;
  /** Answers whose first sentence reads as an aim, background or method statement. */
  firstIsAimOrBackground: number;
  sentences: number;
  /** Answer sentences citing an abstract not relevant to the claim. */
  unrelatedSentences: number;
}

/** Retrieves top-k passages for every claim of a split and attaches its rationale sentences. */
export async function prepareClaims(input: {
  store: Store;
  embedder: EmbeddingModel;
  set: BeirQuerySet;
  datasetDir: string;
  mode: RetrievalMode;
  k: number;
  limit?: number;
}): Promise<ClaimCase[]> {
  const evidence = readEvidence(path.join(input.datasetDir, 'queries.jsonl'));
  const queries = input.set.queries.slice(0, input.limit ?? input.set.queries.length);
  const cases: ClaimCase[] = [];
  for (const query of queries) {
    const retrieved = await retrieve({
      store: input.store,
      embedder: input.embedder,
      query: query.text,
      mode: input.mode,
      k: input.k,
    });
    const judgements = input.set.judgements.get(query.id) ?? new Map();
    cases.push({
      id: query.id,
      claim: query.text,
      passages: numberPassages(retrieved.results),
      relevantDocs: new Set([...judgements.entries()].filter(([, grade]) => grade > 0).map(([doc]) => doc)),
      rationale: evidence.get(query.id) ?? new Map(),
    });
  }
  return cases;
}

/** An embedder that remembers every vector it made, so repeated runs embed nothing twice. */
export function cachingEmbedder(model: EmbeddingModel): EmbeddingModel {
  const cache = new Map<string, Float32Array>();
  return {
    ...model,
    async doEmbed(options) {
      const missing = [...new Set(options.values.filter((value) => !cache.has(value)))];
      if (missing.length > 0) {
        const result = await model.doEmbed({ ...options, values: missing });
        missing.forEach((value, index) => {
          cache.set(value, result.embeddings[index] as Float32Array);
        });
      }
      return { embeddings: options.values.map((value) => cache.get(value) as Float32Array) };
    },
  };
}

/** Loads `createExtractiveAnswerer` from another file (an older build, for before/after runs). */
export async function loadAnswererFactory(
  file: string | undefined,
): Promise<(options: ContextualAnswererOptions) => Answerer> {
  if (!file) return createContextualExtractiveAnswerer;
  const module = (await import(pathToFileURL(path.resolve(file)).href)) as {
    createExtractiveAnswerer: (options: ContextualAnswererOptions) => Answerer;
  };
  return module.createExtractiveAnswerer;
}

/** Answers every claim (never abstaining unless `abstainThreshold` is given) and scores the answers. */
export async function scoreAnswers(input: {
  cases: ClaimCase[];
  sentencesByDoc: Map<string, string[]>;
  embedder: EmbeddingModel;
  factory: (options: ContextualAnswererOptions) => Answerer;
  weights?: Partial<SelectionWeights>;
  abstainThreshold?: number;
}): Promise<AnswerFigures> {
  const answerer = input.factory({
    embedder: input.embedder,
    abstainThreshold: input.abstainThreshold ?? Number.NEGATIVE_INFINITY,
    ...(input.weights ? { weights: input.weights } : {}),
  });
  const figures: AnswerFigures = {
    claims: input.cases.length,
    answered: 0,
    firstIsRationale: 0,
    firstIsAimOrBackground: 0,
    sentences: 0,
    unrelatedSentences: 0,
  };
  for (const [index, item] of input.cases.entries()) {
    if (index > 0 && index % 50 === 0) process.stderr.write(`  ${index}/${input.cases.length} claims\r`);
    const draft = await answerer.answer({ question: item.claim, passages: item.passages });
    if (draft.abstained) continue;
    figures.answered++;
    const cited = citedSentences(draft.text);
    cited.forEach(({ text, n }, index) => {
      const docId = item.passages[n - 1]?.docId ?? '';
      figures.sentences++;
      if (!item.relevantDocs.has(docId)) figures.unrelatedSentences++;
      if (index !== 0) return;
      const role = sentenceRole(text);
      if (role === 'aim' || role === 'background' || role === 'method') figures.firstIsAimOrBackground++;
      const position = matchSentence(text, input.sentencesByDoc.get(docId) ?? []);
      if (position !== undefined && item.rationale.get(docId)?.has(position)) figures.firstIsRationale++;
    });
  }
  return figures;
}

/** `abstract_sentences.jsonl`: the sentence list of every abstract, for the documents needed. */
export function readAbstractSentences(file: string, docIds: Set<string>): Map<string, string[]> {
  const sentences = new Map<string, string[]>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { doc_id: string | number; sentences: string[] };
    const id = String(record.doc_id);
    if (docIds.has(id)) sentences.set(id, record.sentences);
  }
  return sentences;
}

/** claim id -> docId -> rationale sentence indices, from the evidence in `queries.jsonl`. */
function readEvidence(file: string): Map<string, Map<string, Set<number>>> {
  const evidence = new Map<string, Map<string, Set<number>>>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as {
      _id: string;
      metadata?: Record<string, { sentences: number[] }[]>;
    };
    const byDoc = new Map<string, Set<number>>();
    for (const [docId, sets] of Object.entries(record.metadata ?? {}))
      byDoc.set(docId, new Set(sets.flatMap((set) => set.sentences)));
    evidence.set(String(record._id), byDoc);
  }
  return evidence;
}

/** The answer's sentences with the passage each cites, in order. */
function citedSentences(answer: string): { text: string; n: number }[] {
  const out: { text: string; n: number }[] = [];
  const pattern = /(.+?)\s*\[(\d+)\]([.!?…]*)(?=\s|$)/gs;
  for (const match of answer.matchAll(pattern)) {
    const text = `${(match[1] ?? '').trim()}${match[3] ?? ''}`;
    if (text.startsWith('Note: the older document')) continue;
    out.push({ text, n: Number(match[2]) });
  }
  return out;
}

/** Index of the abstract sentence an answer sentence was taken from (best word overlap). */
function matchSentence(text: string, sentences: string[]): number | undefined {
  const words = (value: string) => new Set(value.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  const own = words(text);
  let best: number | undefined;
  let bestOverlap = 0;
  sentences.forEach((sentence, index) => {
    const theirs = words(sentence);
    let shared = 0;
    for (const word of own) if (theirs.has(word)) shared++;
    const overlap = shared / Math.max(1, own.size);
    if (overlap > bestOverlap) {
      bestOverlap = overlap;
      best = index;
    }
  });
  return bestOverlap >= 0.6 ? best : undefined;
}
