import { splitSentences } from '../chunk/split-sentences.ts';
import { embed } from '../embed/embed-many.ts';
import { seededRandom } from '../evaluate/compare/seeded-random.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import { retrieve } from '../retrieve/index.ts';
import {
  CairnError,
  type EmbeddingModel,
  type Store,
  type StoredChunk,
  type StoredDocument,
} from '../spec/index.ts';
import { contentTerms, STOP_WORDS } from '../text/content-terms.ts';
import {
  type AbstentionCalibration,
  type CalibrationSettings,
  documentFingerprints,
  type ScoreSummary,
  writeCalibration,
} from './abstention-calibration.ts';
import type { AskRetrievalOptions } from './ask-types.ts';
import { numberPassages, retrieverSettings } from './passages.ts';
import { findUnanswerableTerms } from './unanswerable-terms.ts';

/** Fewest documents an index needs before it calibrates itself. @default 20 */
export const MIN_CALIBRATION_DOCUMENTS = 20;

/** Options of {@link calibrateAbstention}. */
export interface CalibrateOptions {
  store: Store;
  /** Where the calibration is recorded. @default the store's own settings */
  indexSettings?: CalibrationSettings;
  /** The index's embedder (the extractive answerer compares meanings with it). */
  embedder: EmbeddingModel;
  /** @default 'default' */
  namespace?: string;
  /** Retrieval as `ask` uses it, so the scores are the ones questions will get. */
  retrieval?: AskRetrievalOptions;
  /** The extractive answerer's answer length. @default 4 */
  maxSentences?: number;
  /** Seed of the document sample and the probe wording. @default 1 */
  seed?: number;
  /** Most probe questions in all (held-out plus present). @default 160 */
  maxProbes?: number;
  /** Largest share of present-document probes allowed to abstain. @default 0.05 */
  targetFalseAbstention?: number;
  /** Record the result in the index. @default true */
  save?: boolean;
  abortSignal?: AbortSignal;
}

/** One probe question and the evidence it found. */
export interface CalibrationProbe {
  docId: string;
  question: string;
  heldOut: boolean;
  score: number;
  /** True when the unanswerable-terms check alone would abstain. */
  unanswerable: boolean;
}

/** The recorded calibration plus the probes behind it. */
export interface CalibrationReport extends AbstentionCalibration {
  probes: CalibrationProbe[];
}

/**
 * Calibrates the extractive answerer's abstention threshold on the index itself: it holds out a
 * seeded sample of documents (excluded from retrieval, not deleted), turns each sampled
 * document's title, a heading or a key sentence into a question, and scores every question's
 * evidence as `ask` would. The threshold is the highest one at which at most
 * `targetFalseAbstention` of present-document questions abstain, which maximises abstention on
 * held-out ones. The result is recorded in the index unless `save` is false.
 */
export async function calibrateAbstention(options: CalibrateOptions): Promise<CalibrationReport> {
  const started = performance.now();
  const namespace = options.namespace ?? 'default';
  const seed = options.seed ?? 1;
  const target = options.targetFalseAbstention ?? 0.05;
  const documents = (await options.store.listDocuments(namespace)).filter(
    (document) => !document.quarantined,
  );
  if (documents.length < MIN_CALIBRATION_DOCUMENTS) {
    throw new CairnError(
      'invalid_input',
      `calibration needs at least ${MIN_CALIBRATION_DOCUMENTS} documents; namespace "${namespace}" has ${documents.length}`,
    );
  }
  const random = seededRandom(seed);
  const order = shuffle(
    [...documents].sort((a, b) => (a.id < b.id ? -1 : 1)),
    random,
  );
  const maxProbes = Math.max(4, options.maxProbes ?? 160);
  // A fifth of the corpus at most is held out, so retrieval still sees a corpus like the real one.
  const heldOutCount = Math.max(2, Math.min(Math.floor(maxProbes / 2), Math.round(documents.length * 0.2)));
  const heldOut = order.slice(0, heldOutCount);
  const present = order.slice(heldOutCount, heldOutCount + Math.min(maxProbes - heldOutCount, 200));
  const excludeDocIds = heldOut.map((document) => document.id);
  const answerer = createExtractiveAnswerer({
    embedder: options.embedder,
    abstainThreshold: -1,
    ...(options.maxSentences === undefined ? {} : { maxSentences: options.maxSentences }),
  });
  const signal = options.abortSignal ? { abortSignal: options.abortSignal } : {};
  const retrieval = options.retrieval ?? {};
  const probes: CalibrationProbe[] = [];
  for (const [group, isHeldOut] of [
    [heldOut, true],
    [present, false],
  ] as const) {
    for (const document of group) {
      const question = probeQuestion(
        document,
        await documentChunks(options.store, namespace, document),
        random,
      );
      if (question === undefined) continue;
      const queryEmbedding = await embed(options.embedder, question, signal);
      const retrieved = await retrieve({
        store: options.store,
        embedder: options.embedder,
        query: question,
        namespace,
        k: retrieval.k ?? 6,
        ...retrieverSettings(retrieval),
        filter: { excludeDocIds },
        queryEmbedding,
        ...signal,
      });
      const passages = numberPassages(retrieved.results);
      const draft = await answerer.answer({
        question,
        passages,
        questionEmbedding: queryEmbedding,
        ...signal,
      });
      probes.push({
        docId: document.id,
        question,
        heldOut: isHeldOut,
        score: draft.evidenceScore ?? 0,
        unanswerable: passages.length > 0 && findUnanswerableTerms(question, passages).length > 0,
      });
    }
  }
  const presentProbes = probes.filter((probe) => !probe.heldOut);
  const heldOutProbes = probes.filter((probe) => probe.heldOut);
  if (presentProbes.length === 0 || heldOutProbes.length === 0) {
    throw new CairnError('invalid_input', 'no probe questions could be derived from the documents');
  }
  const threshold = chooseThreshold(presentProbes, target);
  const abstains = (probe: CalibrationProbe) => probe.unanswerable || probe.score < threshold;
  const calibration: AbstentionCalibration = {
    version: 1,
    threshold,
    targetFalseAbstention: target,
    expectedTrueAbstention: heldOutProbes.filter(abstains).length / heldOutProbes.length,
    expectedFalseAbstention: presentProbes.filter(abstains).length / presentProbes.length,
    present: summarize(presentProbes.map((probe) => probe.score)),
    heldOut: summarize(heldOutProbes.map((probe) => probe.score)),
    unanswerableTerms: {
      present: presentProbes.filter((probe) => probe.unanswerable).length,
      heldOut: heldOutProbes.filter((probe) => probe.unanswerable).length,
    },
    seed,
    embedderId: options.store.info.embedderId,
    calibratedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
    documents: documents.length,
    fingerprints: documentFingerprints(documents),
  };
  if (options.save ?? true)
    await writeCalibration(options.indexSettings ?? options.store, namespace, calibration);
  return { ...calibration, probes };
}

/**
 * The highest threshold at which at most `target` of the present-document probes abstain
 * (counting those the unanswerable-terms check stops anyway); a probe abstains when its score is
 * below the threshold.
 */
export function chooseThreshold(
  present: Pick<CalibrationProbe, 'score' | 'unanswerable'>[],
  target: number,
): number {
  const allowed = Math.floor(target * present.length) - present.filter((probe) => probe.unanswerable).length;
  const scores = present
    .filter((probe) => !probe.unanswerable)
    .map((probe) => probe.score)
    .sort((a, b) => a - b);
  if (scores.length === 0) return -1;
  if (allowed < 0) return -1;
  // Rounded down, so the probe at the cut still answers.
  return Math.floor((scores[Math.min(allowed, scores.length - 1)] as number) * 1e4) / 1e4;
}

/** The leaf chunks of a document's opening, in order (enough text for a probe). */
async function documentChunks(
  store: Store,
  namespace: string,
  document: StoredDocument,
): Promise<StoredChunk[]> {
  const ids = Array.from(
    { length: Math.min(2 * document.chunkCount + 2, 16) },
    (_, n) => `${document.id}#${n}`,
  );
  return (await store.getChunks(namespace, ids)).filter((chunk) => chunk.role !== 'parent');
}

/**
 * A question-like query derived from a document: its title or one of its headings ("How does
 * <heading> work?"), or a key sentence with some of its content words left out and asked as a
 * yes/no question, so the probe does not quote the document word for word. Undefined when the
 * document offers nothing usable.
 */
export function probeQuestion(
  document: Pick<StoredDocument, 'title' | 'source'>,
  chunks: Pick<StoredChunk, 'text' | 'metadata'>[],
  random: () => number,
): string | undefined {
  const headings = [
    document.title,
    ...chunks.flatMap((chunk) => chunk.metadata.headingsPath?.slice(-1) ?? []),
  ].filter((heading, index, all) => isTopical(heading, document.source) && all.indexOf(heading) === index);
  const sentences = chunks
    .flatMap((chunk) => splitSentences(chunk.text).map((span) => span.text.trim()))
    .filter((text) => /^[\p{L}\p{N}(]/u.test(text) && wordCount(text) >= 8 && wordCount(text) <= 45);
  const pick = random();
  if (headings.length > 0 && (pick < 0.5 || sentences.length === 0)) {
    const heading = (headings[Math.floor(random() * headings.length)] as string).replace(/[.:?!]+$/, '');
    const phrase = /^\p{Lu}\p{Ll}/u.test(heading) ? heading[0]?.toLowerCase() + heading.slice(1) : heading;
    const templates = [`What about ${phrase}?`, `How does ${phrase} work?`, `What is known about ${phrase}?`];
    return templates[Math.floor(random() * templates.length)];
  }
  if (sentences.length === 0) return undefined;
  // Sentences dense in content words say the most; take one of the densest few.
  const ranked = [...sentences].sort((a, b) => contentTerms(b).length - contentTerms(a).length);
  const sentence = ranked[Math.floor(random() * Math.min(3, ranked.length))] as string;
  const words = sentence
    .replace(/[.!?]+$/, '')
    .split(/\s+/)
    .slice(0, 20);
  const kept = words.filter((word) => STOP_WORDS.has(word.toLowerCase()) || random() >= 0.3);
  return `Is it true that ${kept.join(' ')}?`;
}

function isTopical(heading: string, source: string): boolean {
  const base = source.split('/').pop() ?? source;
  return contentTerms(heading).length >= 2 && heading !== base && !/\.\w{2,4}$/.test(heading);
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter((word) => word !== '').length;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** Quantile summary of scores (linear interpolation). */
export function summarize(scores: number[]): ScoreSummary {
  const sorted = [...scores].sort((a, b) => a - b);
  const at = (q: number) => {
    if (sorted.length === 0) return 0;
    const position = q * (sorted.length - 1);
    const low = Math.floor(position);
    const high = Math.ceil(position);
    const value =
      (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (position - low);
    return Math.round(value * 1e4) / 1e4;
  };
  const mean = sorted.reduce((sum, score) => sum + score, 0) / Math.max(1, sorted.length);
  return {
    n: sorted.length,
    min: at(0),
    p10: at(0.1),
    p25: at(0.25),
    median: at(0.5),
    p75: at(0.75),
    p90: at(0.9),
    max: at(1),
    mean: Math.round(mean * 1e4) / 1e4,
  };
}
