import type { LanguageModelUsage } from './language-model.ts';

/** A verdict on whether a statement is backed by some text. */
export interface SupportVerdict {
  supported: boolean;
  /** Judge confidence or similarity in [0, 1]; offline judges expose their raw score here. */
  score: number;
  /** Short reason, shown in reports next to failing items. */
  reason: string;
}

/** A judge's view of one answer sentence against a context. */
export interface SupportRequest {
  statement: string;
  context: string;
  /** The question, for judges that take it into account. */
  question?: string;
}

/** A verdict on whether an answer addresses a question. */
export interface RelevanceVerdict {
  /** 0 (off-topic) to 1 (fully answers). */
  score: number;
  reason: string;
}

/** A rubric grade of an answer against a reference answer. */
export interface CorrectnessVerdict {
  /** 0 (wrong), 0.5 (partially correct) or 1 (correct). */
  score: number;
  reason: string;
}

/** Which of two answers is better. */
export interface PairwiseVerdict {
  winner: 'a' | 'b' | 'tie';
  reason: string;
}

/** What a judge spent: tokens and dollars (0 for offline judges, null when unpriced). */
export interface JudgeUsage extends Omit<LanguageModelUsage, 'reported'> {
  costUsd: number | null;
}

/**
 * Contract of an answer judge. Offline judges are proxies (embedding and lexical similarity);
 * LLM judges follow versioned rubric prompts. Both are validated against human labels
 * (`cairn eval judge-check`) before their numbers are trusted.
 */
export interface Judge {
  readonly id: string;
  readonly kind: 'offline' | 'llm';
  /** Rubric prompt version, for LLM judges. */
  readonly promptVersion?: string;
  judgeSupport(request: SupportRequest, options?: { abortSignal?: AbortSignal }): Promise<SupportVerdict>;
  judgeRelevance(
    question: string,
    answer: string,
    options?: { abortSignal?: AbortSignal },
  ): Promise<RelevanceVerdict>;
  /** Grades an answer against the reference answer; LLM judges only (offline correctness is lexical). */
  judgeCorrectness?(
    request: { question: string; answer: string; reference: string },
    options?: { abortSignal?: AbortSignal },
  ): Promise<CorrectnessVerdict>;
  judgePairwise?(
    question: string,
    answerA: string,
    answerB: string,
    context: string,
  ): Promise<PairwiseVerdict>;
  /** Running total of what this judge has spent. */
  usage(): JudgeUsage;
}
