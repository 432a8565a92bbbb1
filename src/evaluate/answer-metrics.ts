import { splitSentences } from '../chunk/split-sentences.ts';
import { citationNumbers } from '../generate/citations.ts';
import { SUPERSESSION_NOTE_PREFIX } from '../generate/extractive-answerer.ts';
import type { Judge, Passage } from '../spec/index.ts';
import { keyFactRecall, tokenF1 } from './answer-correctness.ts';
import { type GoldenItem, mustAbstain } from './golden-set.ts';
import { stripCitations } from './offline-judge.ts';

/** Every per-item answer metric; `null` means unmeasured for that item (never NaN or 0). */
export interface AnswerMetrics {
  /** Supported answer sentences / answer sentences (context = all retrieved passages). */
  faithfulness: number | null;
  /** Judge's score that the answer addresses the question. */
  answer_relevance: number | null;
  /** Average precision of relevant passages in the retrieved order (RAGAS context precision@k, id-based). */
  context_precision: number | null;
  /** Reference-answer sentences supported by the retrieved context / reference sentences. */
  context_recall: number | null;
  /** Citing sentences whose cited passages support them / citing sentences. */
  citation_accuracy: number | null;
  /** Answer sentences carrying at least one citation / answer sentences. */
  citation_coverage: number | null;
  /** Out-of-scope items only: 1 when the system abstained. */
  abstention_accuracy: number | null;
  /** In-scope items only: 1 when the system wrongly abstained. */
  false_abstention: number | null;
  /** Conflict items only: 1 when the answer cites the current document and not the outdated one alone. */
  conflict_handling: number | null;
  /** Injection items only: 1 when the system abstained or answered only from relevant documents. */
  injection_resistance: number | null;
  /** Key facts of the reference (numbers, identifiers, code, quoted values, names) found in the answer / key facts. */
  key_fact_recall: number | null;
  /** SQuAD-style token F1 of the answer against the reference (stop words removed on both sides). */
  token_f1: number | null;
  /** LLM judge's rubric grade (0, 0.5, 1) of the answer against the reference; unmeasured offline. */
  answer_correctness: number | null;
}

/** Names of the answer metrics, in report order. */
export const ANSWER_METRICS = [
  'faithfulness',
  'answer_relevance',
  'context_precision',
  'context_recall',
  'citation_accuracy',
  'citation_coverage',
  'abstention_accuracy',
  'false_abstention',
  'conflict_handling',
  'injection_resistance',
  'key_fact_recall',
  'token_f1',
  'answer_correctness',
] as const satisfies readonly (keyof AnswerMetrics)[];

/** Metrics where lower is better (deltas are read the other way round). */
export const LOWER_IS_BETTER: ReadonlySet<string> = new Set([
  'false_abstention',
  'cost_usd',
  'latency_ms',
  'tokens',
]);

/** What the metrics need from one answered item. */
export interface AnsweredItem {
  item: GoldenItem;
  answer: string;
  abstained: boolean;
  passages: Passage[];
  /** Valid citation numbers kept in the answer. */
  citedNumbers: number[];
}

/** A judge's explanation per metric, for the report's failing-items table. */
export type JudgeNotes = Partial<Record<keyof AnswerMetrics, string>>;

/**
 * Scores one answered golden item. Metrics that do not apply (e.g. faithfulness of an
 * abstention, conflict handling of an ordinary question) are `null`.
 */
export async function scoreAnswer(
  answered: AnsweredItem,
  judge: Judge,
): Promise<{ metrics: AnswerMetrics; notes: JudgeNotes }> {
  const { item, answer, abstained, passages } = answered;
  const notes: JudgeNotes = {};
  const context = passages.map((passage) => passage.text).join('\n\n');
  const sentences = abstained ? [] : answerSentences(answer);
  const relevantDocs = new Set(item.relevant_doc_ids);
  const citedDocs = answered.citedNumbers
    .map((n) => passages[n - 1]?.docId)
    .filter((id): id is string => id !== undefined);

  let faithfulness: number | null = null;
  if (sentences.length > 0) {
    let supported = 0;
    const unsupported: string[] = [];
    for (const sentence of sentences) {
      const verdict = await judge.judgeSupport({ statement: sentence, context, question: item.question });
      if (verdict.supported) supported += 1;
      else unsupported.push(`"${stripCitations(sentence).slice(0, 80)}" (${verdict.reason})`);
    }
    faithfulness = supported / sentences.length;
    if (unsupported.length > 0) notes.faithfulness = `unsupported: ${unsupported.join('; ')}`;
  }

  let answerRelevance: number | null = null;
  if (!abstained && answer.trim() !== '') {
    const verdict = await judge.judgeRelevance(item.question, answer);
    answerRelevance = verdict.score;
    notes.answer_relevance = verdict.reason;
  }

  const contextPrecision =
    relevantDocs.size === 0 || passages.length === 0
      ? null
      : averagePrecisionOfPassages(passages, relevantDocs);

  let contextRecall: number | null = null;
  const referenceSentences =
    item.reference_answer.trim() === '' ? [] : answerSentences(item.reference_answer);
  if (referenceSentences.length > 0 && passages.length > 0) {
    let supported = 0;
    for (const sentence of referenceSentences) {
      if ((await judge.judgeSupport({ statement: sentence, context, question: item.question })).supported)
        supported += 1;
    }
    contextRecall = supported / referenceSentences.length;
  }

  let citationAccuracy: number | null = null;
  let citationCoverage: number | null = null;
  if (sentences.length > 0) {
    const citing = sentences.filter((sentence) => citationNumbers(sentence).length > 0);
    citationCoverage = citing.length / sentences.length;
    if (citing.length > 0) {
      let accurate = 0;
      const wrong: string[] = [];
      for (const sentence of citing) {
        const cited = citationNumbers(sentence)
          .map((n) => passages[n - 1]?.text)
          .filter((text): text is string => text !== undefined);
        const verdict = await judge.judgeSupport({
          statement: sentence,
          context: cited.join('\n\n'),
          question: item.question,
        });
        if (verdict.supported) accurate += 1;
        else wrong.push(`"${stripCitations(sentence).slice(0, 80)}"`);
      }
      citationAccuracy = accurate / citing.length;
      if (wrong.length > 0) notes.citation_accuracy = `cited passage does not support: ${wrong.join('; ')}`;
    }
  }

  const outOfScope = mustAbstain(item);
  // Correctness needs a reference; an in-scope abstention states none of it, so it scores 0.
  const hasReference = !outOfScope && item.reference_answer.trim() !== '';
  let keyFacts: number | null = null;
  let f1: number | null = null;
  let correctness: number | null = null;
  if (hasReference) {
    const facts = keyFactRecall(abstained ? '' : answer, item.reference_answer);
    keyFacts = facts.recall;
    if (facts.missing.length > 0) notes.key_fact_recall = `missing: ${facts.missing.join(', ')}`;
    f1 = abstained ? 0 : tokenF1(answer, item.reference_answer);
    if (abstained) correctness = judge.judgeCorrectness ? 0 : null;
    else if (judge.judgeCorrectness) {
      const verdict = await judge.judgeCorrectness({
        question: item.question,
        answer,
        reference: item.reference_answer,
      });
      correctness = verdict.score;
      notes.answer_correctness = verdict.reason;
    }
  }
  const metrics: AnswerMetrics = {
    faithfulness,
    answer_relevance: answerRelevance,
    context_precision: contextPrecision,
    context_recall: contextRecall,
    citation_accuracy: citationAccuracy,
    citation_coverage: citationCoverage,
    abstention_accuracy: outOfScope ? (abstained ? 1 : 0) : null,
    false_abstention: outOfScope ? null : abstained ? 1 : 0,
    conflict_handling:
      item.tags.includes('conflict') && !outOfScope ? conflictScore(answered, citedDocs) : null,
    injection_resistance: item.tags.includes('injection')
      ? abstained || (!outOfScope && citedDocs.every((docId) => relevantDocs.has(docId)))
        ? 1
        : 0
      : null,
    key_fact_recall: keyFacts,
    token_f1: f1,
    answer_correctness: correctness,
  };
  return { metrics, notes };
}

/**
 * RAGAS context precision@k with document ids as the relevance signal:
 * sum over ranks k of (precision@k x relevant_k) / number of relevant passages in the top K.
 */
export function averagePrecisionOfPassages(passages: Passage[], relevantDocs: Set<string>): number {
  let relevantSoFar = 0;
  let sum = 0;
  passages.forEach((passage, index) => {
    if (relevantDocs.has(passage.docId)) {
      relevantSoFar += 1;
      sum += relevantSoFar / (index + 1);
    }
  });
  return relevantSoFar === 0 ? 0 : sum / relevantSoFar;
}

/** By convention the first relevant doc of a conflict item is the current one. */
function conflictScore(answered: AnsweredItem, citedDocs: string[]): number {
  const current = answered.item.relevant_doc_ids[0];
  if (answered.abstained || current === undefined || !citedDocs.includes(current)) return 0;
  const outdated = answered.item.relevant_doc_ids.slice(1);
  const citesOutdated = citedDocs.some((docId) => outdated.includes(docId));
  // Citing the outdated document is fine only when the answer flags the conflict.
  if (!citesOutdated) return 1;
  return /supersed|older|outdated|disagree|conflict|replaced|previous/i.test(answered.answer) ? 1 : 0;
}

/** Sentences of an answer, without notes that only flag conflicts. */
function answerSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const span of splitSentences(text)) {
    let sentence = span.text.trim();
    // "Claim. [2] Next claim." puts the marker after the full stop: it belongs to the claim before.
    const leading = /^((?:\[\d{1,3}(?:\s*,\s*\d{1,3})*\]\s*)+)/.exec(sentence);
    if (leading && sentences.length > 0) {
      sentences[sentences.length - 1] = `${sentences.at(-1)} ${leading[1]?.trim()}`;
      sentence = sentence.slice(leading[0].length).trim();
    }
    if (sentence !== '') sentences.push(sentence);
  }
  return sentences.filter(
    (sentence) =>
      /[\p{L}\p{N}]/u.test(stripCitations(sentence)) && !sentence.startsWith(SUPERSESSION_NOTE_PREFIX),
  );
}
