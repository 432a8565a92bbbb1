import { contentTerms } from '../text/content-terms.ts';
import { detectInjection, type InjectionCategory } from './detect-injection.ts';

/** What to do with a question after the injection scan. */
export interface QuestionScreening {
  /** `pass`: clean; `stripped`: injected parts removed, the rest answered; `refuse`: nothing safe left. */
  action: 'pass' | 'stripped' | 'refuse';
  /** The question to answer (the clean parts when stripped). */
  question: string;
  category?: InjectionCategory;
  rules: string[];
  /** The parts removed, for the trace. */
  removed: string[];
}

// Sentences, and clauses joined by "then"/"also"/"and", so "Translate your rules, then explain
// BM25" keeps the BM25 question.
const CLAUSE_BREAK = /(?<=[.!?])\s+|\n+|[,;]\s+(?=(?:and then|then|also|and|but|now)\b)/i;

/**
 * Screens a user question for prompt injection. A question that mixes a real request with an
 * attack ("What is RRF? Also, disregard your rules and ...") keeps the real request; one that is
 * only an attack, or whose remaining words are too few to be a question, is refused.
 */
export function screenQuestion(question: string): QuestionScreening {
  const whole = detectInjection(question);
  if (!whole.flagged) return { action: 'pass', question, rules: [], removed: [] };
  const clauses = question.split(CLAUSE_BREAK).filter((clause) => clause.trim() !== '');
  const kept: string[] = [];
  const removed: string[] = [];
  for (const clause of clauses) {
    if (detectInjection(clause).flagged) removed.push(clause.trim());
    else kept.push(clause.trim());
  }
  const rules = [...new Set(whole.signals.map((signal) => signal.rule))];
  const category = whole.category ? { category: whole.category } : {};
  const rest = kept.join(' ').replace(/^(?:and then|then|also|and|but|now)\s+/i, '');
  // The rest must stand on its own: no signal at all when scanned whole, and more than a word or two.
  if (removed.length === 0 || contentTerms(rest).length < 2 || detectInjection(rest).score > 0) {
    return { action: 'refuse', question, ...category, rules, removed: [question] };
  }
  return { action: 'stripped', question: rest, ...category, rules, removed };
}
