import { splitSentences } from '../chunk/split-sentences.ts';
import { embed, embedMany } from '../embed/embed-many.ts';
import { dot } from '../embed/normalize-vector.ts';
import type { AnswerDraft, Answerer, AnswerRequest, Passage } from '../spec/index.ts';
import { contentTerms } from '../text/content-terms.ts';
import {
  ABSTENTION_TEXT,
  DEFAULT_ABSTAIN_THRESHOLD,
  type ExtractiveAnswererOptions,
  placeCitation,
  QUESTION_SENTENCE,
  splitSuperseded,
  supersessionNote,
} from './extractive-answerer.ts';
import {
  hasInlineCode,
  hasValue,
  type QuestionIntent,
  questionIntent,
  sentenceRole,
} from './sentence-roles.ts';

/** Settings of the contextual extractive answerer: the extractive answerer's, plus weights. */
export interface ContextualAnswererOptions extends ExtractiveAnswererOptions {
  /** Overrides of the selection preferences (for tuning). @default DEFAULT_SELECTION_WEIGHTS */
  weights?: Partial<SelectionWeights>;
}

interface Candidate {
  passage: Passage;
  /** Order of the sentence within its passage. */
  position: number;
  text: string;
  lexical: number;
  prior: number;
  semantic: number;
  /** How well the sentence answers the question: the evidence score. */
  score: number;
  /** `score` plus the preference for what the question asks (a value, a finding, code). */
  rank: number;
  preference: number;
  vector?: Float32Array;
}

/** A fenced code block of a passage, offered with the answer to a how-to question. */
interface CodeUnit {
  passage: Passage;
  position: number;
  text: string;
}

/** Weights of the preferences that decide which relevant sentence leads; tuned on SciFact train. */
export interface SelectionWeights {
  /** Share of a sentence's meaning score taken from its heading path and title. @default 0.2 */
  context: number;
  /** Added when the question asks for a value and the sentence carries one. @default 0.08 */
  value: number;
  /** Added when the question asks how to do something and the sentence shows code. @default 0.05 */
  code: number;
  /** Added to a finding or conclusion (unless the question asks about aims or methods). @default 0.04 */
  finding: number;
  /** Taken from an aim or background sentence (unless the question asks about them). @default 0.1 */
  aim: number;
  /** Taken from a methods sentence (unless the question asks about methods). @default 0.03 */
  method: number;
  /**
   * A sentence from another document or section than the lead's joins only at this share of the
   * lead's rank (sentences of the lead's own passage or section need 0.75). @default 0.9
   */
  otherDocument: number;
  /**
   * When the best sentence lacks what the question asks (a value; a finding rather than an aim or
   * background), the best one of the same document that has it leads instead if it scores at
   * least this share of the best. @default 0.6
   */
  promote: number;
}

/** The selection weights the answerer uses unless told otherwise. */
export const DEFAULT_SELECTION_WEIGHTS: Readonly<SelectionWeights> = {
  context: 0.2,
  value: 0.08,
  code: 0.05,
  finding: 0.04,
  aim: 0.1,
  method: 0.03,
  otherDocument: 0.9,
  promote: 0.6,
};

/**
 * The offline answerer: no LLM. It scores every sentence of the retrieved passages by meaning
 * (sentence embedding vs question, with the sentence's heading path and title), weighted term
 * overlap (with the headings and neighbouring sentences as weaker context) and the passage's
 * rank; prefers the sentence that carries what is asked (a value, a finding rather than an aim,
 * code for a how-to); keeps the best few while skipping near-repeats (MMR), taking sentences from
 * other documents than the lead's only when they score nearly as well; puts the best one first,
 * then a code block for how-to questions, then the rest in source order; and cites each one.
 * When even the best sentence scores below the threshold it abstains.
 */
export function createContextualExtractiveAnswerer(options: ContextualAnswererOptions): Answerer {
  const maxSentences = options.maxSentences ?? 4;
  const shortlistSize = options.shortlist ?? 16;
  const weights = { ...DEFAULT_SELECTION_WEIGHTS, ...options.weights };
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
      const intent = questionIntent(request.question);
      const { candidates, code } = collectCandidates(request.question, current);
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
      // Each distinct heading path (with the title) is embedded once, next to the sentences.
      const contexts = [...new Set(shortlist.map((candidate) => contextLabel(candidate.passage)))].filter(
        (label) => label !== '',
      );
      const { embeddings } = await embedMany(
        options.embedder,
        [...shortlist.map((candidate) => candidate.text), ...contexts],
        signal,
      );
      const contextSimilarity = new Map(
        contexts.map((label, index) => [
          label,
          dot(questionVector, embeddings[shortlist.length + index] as Float32Array),
        ]),
      );
      shortlist.forEach((candidate, index) => {
        const vector = embeddings[index] as Float32Array;
        candidate.vector = vector;
        const own = dot(questionVector, vector);
        const context = contextSimilarity.get(contextLabel(candidate.passage));
        candidate.semantic =
          context === undefined ? own : (1 - weights.context) * own + weights.context * context;
        // Meaning dominates; term overlap and passage rank break ties and catch exact identifiers.
        candidate.score = 0.6 * candidate.semantic + 0.3 * candidate.lexical + 0.1 * candidate.prior;
        candidate.rank = candidate.score + candidate.preference;
      });
      shortlist.sort((a, b) => b.rank - a.rank);
      const evidence = Math.max(...shortlist.map((candidate) => candidate.score));
      // An explicit threshold wins over the index's calibrated one, which wins over the default.
      const threshold = options.abstainThreshold ?? request.abstainThreshold ?? DEFAULT_ABSTAIN_THRESHOLD;
      if (evidence < threshold) {
        return {
          ...base,
          text: ABSTENTION_TEXT,
          abstained: true,
          abstainReason: 'weak_evidence',
          evidenceScore: evidence,
        };
      }
      promoteWhatIsAsked(shortlist, intent, weights);
      // A value question wants one value: other sections' values ("The default is `6`." under
      // another option) would only compete with it. Restated aims and background add nothing.
      const supporting = shortlist.filter(
        (candidate, index) => index === 0 || intent.aim || !UNWANTED_ROLES.has(sentenceRole(candidate.text)),
      );
      const chosen = selectDiverse(
        supporting,
        maxSentences,
        intent.value ? Number.POSITIVE_INFINITY : weights.otherDocument,
      );
      // The direct answer leads; supporting sentences follow in source order.
      const [lead, ...rest] = chosen;
      rest.sort((a, b) => a.passage.n - b.passage.n || a.position - b.position);
      const ordered = [...(lead ? [lead] : []), ...rest];
      const example = lead && intent.howTo ? codeFor(lead, code) : undefined;
      const parts = ordered.map((candidate) => citeSentence(candidate.text, candidate.passage.n));
      if (example) parts.splice(1, 0, `\n\n${example.text}\n[${example.passage.n}]\n\n`);
      let text = parts
        .join(' ')
        .replace(/ ?\n\n ?/g, '\n\n')
        .trim();
      const note = supersessionNote(superseded, request.passages, ordered);
      if (note) text = `${text} ${note}`;
      request.onToken?.(text);
      return { ...base, text, abstained: false, evidenceScore: evidence };
    },
  };

  /** Splits passages into sentences and code blocks, and scores the sentences' term overlap. */
  function collectCandidates(
    question: string,
    passages: Passage[],
  ): { candidates: Candidate[]; code: CodeUnit[] } {
    const intent = questionIntent(question);
    const questionTerms = [...new Set(contentTerms(question))];
    const code: CodeUnit[] = [];
    const sentences: {
      passage: Passage;
      position: number;
      text: string;
      terms: Set<string>;
      context: Set<string>;
      neighbours: Set<string>;
    }[] = [];
    for (const passage of passages) {
      const context = new Set(contentTerms(contextLabel(passage)));
      const spans = passageUnits(passage.text);
      const terms = spans.map((text) => new Set(contentTerms(text)));
      spans.forEach((text, position) => {
        if (FENCE.test(text)) {
          code.push({ passage, position, text });
          return;
        }
        // Headings, table rows and fragments make poor answers on their own (a short sentence
        // with a value, "The default is `*`.", is an answer), and a question (an FAQ's, a
        // rhetorical one) repeats the asking instead of answering.
        const words = text.split(/\s+/).length;
        if (
          (words < 5 && !(words >= 2 && hasValue(text))) ||
          text.startsWith('#') ||
          text.startsWith('|') ||
          QUESTION_SENTENCE.test(text)
        )
          return;
        const neighbours = new Set([...(terms[position - 1] ?? []), ...(terms[position + 1] ?? [])]);
        sentences.push({
          passage,
          position,
          text,
          terms: terms[position] ?? new Set(),
          context,
          neighbours,
        });
      });
    }
    // Inverse document frequency over the candidate sentences: rare question terms weigh more.
    const idf = new Map<string, number>();
    for (const term of questionTerms) {
      const df = sentences.filter((sentence) => sentence.terms.has(term)).length;
      idf.set(term, Math.log(1 + (sentences.length + 1) / (df + 0.5)));
    }
    const totalWeight = questionTerms.reduce((sum, term) => sum + (idf.get(term) ?? 0), 0) || 1;
    const candidates = sentences.map(({ passage, position, text, terms, context, neighbours }) => {
      // A term the sentence lacks still counts, less, when its heading path, title or a
      // neighbouring sentence has it: "The default is `*`." under "CORS > Options > origin".
      const matched = questionTerms.reduce((sum, term) => {
        const share = terms.has(term) ? 1 : context.has(term) ? 0.5 : neighbours.has(term) ? 0.25 : 0;
        return sum + share * (idf.get(term) ?? 0);
      }, 0);
      return {
        passage,
        position,
        text,
        lexical: matched / totalWeight,
        prior: 1 / (1 + 0.25 * (passage.n - 1)),
        semantic: 0,
        score: 0,
        rank: 0,
        preference: preferenceOf(text, intent, weights),
      };
    });
    return { candidates, code };
  }
}

const FENCE = /^(?:`{3,}|~{3,})/;
const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})/;

/** A passage's sentences, with each fenced code block kept whole (newlines and all) as one unit. */
function passageUnits(text: string): string[] {
  const units: string[] = [];
  const lines = text.split('\n');
  let prose: string[] = [];
  const flush = () => {
    for (const span of splitSentences(prose.join('\n'))) units.push(span.text.trim());
    prose = [];
  };
  for (let index = 0; index < lines.length; index++) {
    const fence = FENCE_LINE.exec(lines[index] ?? '')?.[1];
    if (fence === undefined) {
      prose.push(lines[index] ?? '');
      continue;
    }
    flush();
    const block = [(lines[index] ?? '').trim()];
    for (index++; index < lines.length; index++) {
      const line = lines[index] ?? '';
      block.push(line);
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') break;
    }
    units.push(block.join('\n').trimEnd());
  }
  flush();
  return units;
}

/** "Title > Heading > Subheading", without the title when the path already starts with it. */
function contextLabel(passage: Passage): string {
  const headings = Array.isArray(passage.metadata.headingsPath)
    ? passage.metadata.headingsPath.filter((heading): heading is string => typeof heading === 'string')
    : [];
  const title = passage.title.trim();
  const path = headings[0] === title || title === passage.docId ? headings : [title, ...headings];
  return path.filter((part) => part !== '').join(' > ');
}

/** How much a sentence is preferred for what the question asks, beyond its relevance. */
function preferenceOf(text: string, intent: QuestionIntent, weights: SelectionWeights): number {
  let preference = 0;
  if (intent.value && hasValue(text)) preference += weights.value;
  if (intent.howTo && hasInlineCode(text)) preference += weights.code;
  if (!intent.aim) {
    const role = sentenceRole(text);
    if (role === 'finding') preference += weights.finding;
    else if (role === 'aim' || role === 'background') preference -= weights.aim;
    else if (role === 'method') preference -= weights.method;
  }
  return preference;
}

/**
 * The code block that goes with the lead sentence: the next one after it in its passage, else the
 * nearest one before it, else the first in another passage of the same document and section.
 */
function codeFor(lead: Candidate, code: CodeUnit[]): CodeUnit | undefined {
  const own = code.filter((unit) => unit.passage === lead.passage);
  const after = own.find((unit) => unit.position > lead.position);
  if (after) return after;
  const before = own.filter((unit) => unit.position < lead.position).at(-1);
  if (before) return before;
  const section = contextLabel(lead.passage);
  return code.find(
    (unit) => unit.passage.docId === lead.passage.docId && contextLabel(unit.passage) === section,
  );
}

/**
 * Moves to the front the sentence that carries what is asked, when the top-ranked one does not:
 * for a value question one with a value, else a finding or plain statement instead of an aim,
 * background or method sentence; it must come from the same document and score at least
 * `weights.promote` of the top one.
 */
function promoteWhatIsAsked(ranked: Candidate[], intent: QuestionIntent, weights: SelectionWeights): void {
  const wants: ((candidate: Candidate) => boolean)[] = [];
  if (intent.value) wants.push((candidate) => hasValue(candidate.text));
  if (!intent.aim) wants.push((candidate) => !UNWANTED_ROLES.has(sentenceRole(candidate.text)));
  for (const want of wants) {
    const top = ranked[0];
    if (!top || want(top)) continue;
    const index = ranked.findIndex(
      (candidate) =>
        candidate.passage.docId === top.passage.docId &&
        want(candidate) &&
        wants.every((other) => other === want || !other(top) || other(candidate)) &&
        candidate.score >= weights.promote * top.score,
    );
    if (index <= 0) continue;
    const [promoted] = ranked.splice(index, 1);
    if (promoted) {
      // It leads, so it also sets the bar the other sentences are measured against.
      promoted.rank = Math.max(promoted.rank, top.rank);
      ranked.unshift(promoted);
    }
  }
}

// Sentence roles that should not answer a question that does not ask about aims or methods.
const UNWANTED_ROLES = new Set(['aim', 'background', 'method']);

/** True when two sentences come from the same passage, or the same section of one document. */
function sameSection(a: Candidate, b: Candidate): boolean {
  return (
    a.passage === b.passage ||
    (a.passage.docId === b.passage.docId && contextLabel(a.passage) === contextLabel(b.passage))
  );
}

/**
 * Greedy MMR over ranked sentences, the first one leading; stops taking sentences much weaker
 * than the lead, and takes one from another document or section than the lead's only when it
 * ranks nearly as high on its own.
 */
function selectDiverse(ranked: Candidate[], limit: number, otherDocument: number): Candidate[] {
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
      const value = 0.7 * candidate.rank - 0.3 * redundancy;
      if (value > bestValue) {
        bestValue = value;
        bestIndex = index;
      }
    });
    const [next] = remaining.splice(bestIndex, 1);
    if (!next) break;
    const lead = chosen[0];
    if (lead) {
      const nearDuplicate = chosen.some(
        (picked) => picked.vector && next.vector && dot(picked.vector, next.vector) > 0.92,
      );
      const floor = sameSection(next, lead) ? 0.75 : otherDocument;
      if (next.rank < floor * lead.rank || nearDuplicate) continue;
    }
    chosen.push(next);
  }
  return chosen;
}

/**
 * "Text." -> "Text [n]." so the marker sits inside the sentence it supports. Where the final stop
 * belongs to an abbreviation ("U.S.", "Co.") or is followed by closing brackets or quotes
 * ("(Tampa, Fla.)"), the marker goes after all of it instead, so it never splits them. List
 * items lose their bullet and bold labels ("- **Default:** `false`" reads "Default: `false`")
 * and end with a full stop, so joined items still read (and split) as separate sentences. The
 * text is never re-capitalised: a sentence may start with code (`vi.fn()`, `const`).
 */
function citeSentence(sentence: string, n: number): string {
  const item = /^(?:[-*+]|\d{1,2}[.)])\s+/.test(sentence.trim());
  let text = sentence
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:[-*+]|\d{1,2}[.)])\s+/, '')
    .replace(/[,;:]$/, '');
  if (item) text = text.replace(/(\*\*|__)(?=\S)([^`]+?)(?<=\S)\1/g, '$2');
  return placeCitation(text, n);
}
