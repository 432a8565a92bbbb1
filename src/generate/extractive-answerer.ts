import { isAbbreviation, splitSentences } from '../chunk/split-sentences.ts';
import { embed, embedMany } from '../embed/embed-many.ts';
import { dot } from '../embed/normalize-vector.ts';
import type { AnswerDraft, Answerer, AnswerRequest, EmbeddingModel, Passage } from '../spec/index.ts';
import { contentTerms } from '../text/content-terms.ts';

/** Settings of the extractive answerer. */
export interface ExtractiveAnswererOptions {
  /** Embeds sentences to compare their meaning with the question; use the index's embedder. */
  embedder: EmbeddingModel;
  /**
   * Evidence score below which the answerer abstains. When unset, the index's own calibrated
   * threshold (`AnswerRequest.abstainThreshold`, from `cairn calibrate`) applies, else
   * {@link DEFAULT_ABSTAIN_THRESHOLD}. @default DEFAULT_ABSTAIN_THRESHOLD
   */
  abstainThreshold?: number;
  /** Most sentences in one answer. @default 4 */
  maxSentences?: number;
  /** Sentences whose meaning is compared with the question, after a lexical shortlist. @default 16 */
  shortlist?: number;
}

/** Calibrated on corpus/golden.jsonl (dev split); see the README's abstention section. */
export const DEFAULT_ABSTAIN_THRESHOLD = 0.46;

/** How the note on a superseded document starts; metrics leave such notes out of faithfulness. */
export const SUPERSESSION_NOTE_PREFIX = 'Note: the older document';

/** A sentence that asks ("How are keys rotated?"), possibly closed by brackets or a reference. */
export const QUESTION_SENTENCE = /\?[\s"'”’»)\]]*(?:\[\d[\d,\s–-]*\])?$/;

/** The text an extractive answer gives when the evidence is too weak. */
export const ABSTENTION_TEXT = 'I could not find this in the documents.';

interface Candidate {
  passage: Passage;
  /** Order of the sentence within its passage. */
  position: number;
  text: string;
  lexical: number;
  prior: number;
  semantic: number;
  score: number;
  vector?: Float32Array;
}

/**
 * The offline answerer: no LLM. It scores every sentence of the retrieved passages by meaning
 * (sentence embedding vs question), weighted term overlap and the passage's rank; keeps the best
 * few while skipping near-repeats (MMR); puts the best one first and the rest in source order;
 * and cites each one. When even the best sentence scores below the threshold it abstains.
 */
export function createExtractiveAnswerer(options: ExtractiveAnswererOptions): Answerer {
  const maxSentences = options.maxSentences ?? 4;
  const shortlistSize = options.shortlist ?? 16;
  return {
    id: 'extractive',
    deterministic: true,
    async answer(request: AnswerRequest): Promise<AnswerDraft> {
      const base = {
        usage: { inputTokens: 0, outputTokens: 0, reported: true },
        modelId: 'extractive',
        warnings: [],
      };
      const { current, superseded } = splitSuperseded(request.passages);
      const candidates = collectCandidates(request.question, current);
      if (candidates.length === 0) {
        return {
          ...base,
          text: ABSTENTION_TEXT,
          abstained: true,
          abstainReason: 'no_passages',
          evidenceScore: 0,
        };
      }
      const shortlist = candidates
        .sort((a, b) => b.lexical + b.prior - (a.lexical + a.prior))
        .slice(0, shortlistSize);
      const signal = request.abortSignal ? { abortSignal: request.abortSignal } : {};
      const questionVector =
        request.questionEmbedding ?? (await embed(options.embedder, request.question, signal));
      const { embeddings } = await embedMany(
        options.embedder,
        shortlist.map((candidate) => candidate.text),
        signal,
      );
      shortlist.forEach((candidate, index) => {
        const vector = embeddings[index] as Float32Array;
        candidate.vector = vector;
        candidate.semantic = dot(questionVector, vector);
        // Meaning dominates; term overlap and passage rank break ties and catch exact identifiers.
        candidate.score = 0.6 * candidate.semantic + 0.3 * candidate.lexical + 0.1 * candidate.prior;
      });
      shortlist.sort((a, b) => b.score - a.score);
      // An explicit threshold wins over the index's calibrated one, which wins over the default.
      const threshold = options.abstainThreshold ?? request.abstainThreshold ?? DEFAULT_ABSTAIN_THRESHOLD;
      const best = shortlist[0] as Candidate;
      if (best.score < threshold) {
        return {
          ...base,
          text: ABSTENTION_TEXT,
          abstained: true,
          abstainReason: 'weak_evidence',
          evidenceScore: best.score,
        };
      }
      const chosen = selectDiverse(shortlist, maxSentences, best.score);
      // The direct answer leads; supporting sentences follow in source order.
      const [lead, ...rest] = chosen;
      rest.sort((a, b) => a.passage.n - b.passage.n || a.position - b.position);
      chosen.splice(0, chosen.length, ...(lead ? [lead] : []), ...rest);
      let text = chosen.map((candidate) => citeSentence(candidate.text, candidate.passage.n)).join(' ');
      const note = supersessionNote(superseded, request.passages, chosen);
      if (note) text = `${text} ${note}`;
      request.onToken?.(text);
      return { ...base, text, abstained: false, evidenceScore: best.score };
    },
  };
}

/** Splits passages into sentences and scores their term overlap with the question. */
function collectCandidates(question: string, passages: Passage[]): Candidate[] {
  const questionTerms = [...new Set(contentTerms(question))];
  const sentences: { passage: Passage; position: number; text: string; terms: Set<string> }[] = [];
  for (const passage of passages) {
    splitSentences(passage.text).forEach((span, position) => {
      const text = span.text.trim();
      // Headings, table rows and code fences make poor answers on their own, and a question
      // (an FAQ's, a rhetorical one) repeats the asking instead of answering.
      if (
        text.split(/\s+/).length < 5 ||
        text.startsWith('```') ||
        text.startsWith('#') ||
        text.startsWith('|') ||
        QUESTION_SENTENCE.test(text)
      )
        return;
      sentences.push({ passage, position, text, terms: new Set(contentTerms(text)) });
    });
  }
  // Inverse document frequency over the candidate sentences: rare question terms weigh more.
  const idf = new Map<string, number>();
  for (const term of questionTerms) {
    const df = sentences.filter((sentence) => sentence.terms.has(term)).length;
    idf.set(term, Math.log(1 + (sentences.length + 1) / (df + 0.5)));
  }
  const totalWeight = questionTerms.reduce((sum, term) => sum + (idf.get(term) ?? 0), 0) || 1;
  return sentences.map(({ passage, position, text, terms }) => {
    const matched = questionTerms.reduce(
      (sum, term) => sum + (terms.has(term) ? (idf.get(term) ?? 0) : 0),
      0,
    );
    return {
      passage,
      position,
      text,
      lexical: matched / totalWeight,
      prior: 1 / (1 + 0.25 * (passage.n - 1)),
      semantic: 0,
      score: 0,
    };
  });
}

/** Greedy MMR over scored sentences; stops when the next pick is much weaker than the best. */
function selectDiverse(ranked: Candidate[], limit: number, bestScore: number): Candidate[] {
  const chosen: Candidate[] = [];
  const remaining = [...ranked];
  while (chosen.length < limit && remaining.length > 0) {
    let bestIndex = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    remaining.forEach((candidate, index) => {
      const redundancy = Math.max(
        0,
        ...chosen.map((picked) =>
          picked.vector && candidate.vector ? dot(picked.vector, candidate.vector) : 0,
        ),
      );
      const value = 0.7 * candidate.score - 0.3 * redundancy;
      if (value > bestValue) {
        bestValue = value;
        bestIndex = index;
      }
    });
    const [next] = remaining.splice(bestIndex, 1);
    if (!next) break;
    const nearDuplicate = chosen.some(
      (picked) => picked.vector && next.vector && dot(picked.vector, next.vector) > 0.92,
    );
    if (chosen.length > 0 && (next.score < 0.75 * bestScore || nearDuplicate)) continue;
    chosen.push(next);
  }
  return chosen;
}

/**
 * Passages split into those that may answer and those superseded by another retrieved document:
 * a superseded document whose successor is also present only contributes a note.
 */
export function splitSuperseded(passages: Passage[]): { current: Passage[]; superseded: Passage[] } {
  const present = new Set(passages.map((passage) => passage.docId));
  const superseded = passages.filter((passage) => {
    const newer = passage.documentMetadata?.superseded_by;
    return typeof newer === 'string' && present.has(newer);
  });
  return { current: passages.filter((passage) => !superseded.includes(passage)), superseded };
}

/** "Note: an older document ... disagrees" for superseded passages whose successor was cited. */
export function supersessionNote(
  superseded: Passage[],
  passages: Passage[],
  chosen: { passage: Passage }[],
): string | undefined {
  const citedDocs = new Set(chosen.map((candidate) => candidate.passage.docId));
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const old of superseded) {
    const newerId = old.documentMetadata?.superseded_by as string;
    if (!citedDocs.has(newerId) || seen.has(old.docId)) continue;
    seen.add(old.docId);
    const newer = passages.find((passage) => passage.docId === newerId);
    notes.push(
      `${SUPERSESSION_NOTE_PREFIX} "${old.title}" [${old.n}] says otherwise; it is superseded by "${newer?.title ?? newerId}".`,
    );
  }
  return notes.length > 0 ? notes.join(' ') : undefined;
}

/**
 * "Text." -> "Text [n]." so the marker sits inside the sentence it supports. Where the final stop
 * belongs to an abbreviation ("U.S.", "Co.") or is followed by closing brackets or quotes
 * ("(Tampa, Fla.)"), the marker goes after all of it instead, so it never splits them. List
 * items lose their bullet and end with a full stop, so joined items still read (and split) as
 * separate sentences.
 */
function citeSentence(sentence: string, n: number): string {
  const text = sentence
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:[-*+]|\d{1,2}[.)])\s+/, '')
    .replace(/[,;:]$/, '')
    .replace(/^[a-z]/, (first) => first.toUpperCase());
  return placeCitation(text, n);
}

/**
 * `[n]` placed before the sentence's own final stop ("Text [n]."), or after the whole text when
 * that stop belongs to an abbreviation or is followed by closing brackets or quotes; a text with
 * no final stop gets one.
 */
export function placeCitation(text: string, n: number): string {
  const end = /([.!?…]+)(["'”’»)\]]*)$/.exec(text);
  if (!end) return `${text} [${n}].`;
  const body = text.slice(0, end.index);
  const lastWord = /\S*$/.exec(body)?.[0] ?? '';
  const stopIsOwn = end[2] === '' && !(end[1] === '.' && isAbbreviation(lastWord));
  return stopIsOwn ? `${body} [${n}]${end[1]}` : `${text} [${n}]`;
}
