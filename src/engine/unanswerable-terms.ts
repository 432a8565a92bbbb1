import type { Passage } from '../spec/index.ts';
import { STOP_WORDS, stem } from '../text/content-terms.ts';

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * True for a word that names a specific thing rather than describing one: an acronym ("PCI",
 * "APIs"), mixed case ("gRPC", "GraphQL"), letters with digits ("OAuth2", "S3"), or a capitalised
 * word inside the question ("Kubernetes"). Such a word cannot be paraphrased away, so a passage
 * that answers a question about it names it.
 */
export function isSalientTerm(word: string, firstInSentence: boolean): boolean {
  if (word.length < 2 || !/\p{L}/u.test(word) || STOP_WORDS.has(word.toLowerCase())) return false;
  if (/\p{Ll}\p{Lu}/u.test(word)) return true;
  if (/^\p{Lu}{2,}s?$/u.test(word)) return true;
  if (/\p{L}/u.test(word) && /\p{N}/u.test(word)) return true;
  return !firstInSentence && /^\p{Lu}\p{Ll}+$/u.test(word);
}

/** The salient words of a question, in order, without repeats. */
export function salientTerms(question: string): string[] {
  const terms: string[] = [];
  const seen = new Set<string>();
  for (const match of question.matchAll(WORD)) {
    const word = match[0];
    const before = question.slice(0, match.index).trimEnd();
    const firstInSentence = before === '' || /[.!?:;]["'”’)]*$/.test(before);
    const key = word.toLowerCase();
    if (!seen.has(key) && isSalientTerm(word, firstInSentence)) {
      seen.add(key);
      terms.push(word);
    }
  }
  return terms;
}

/**
 * The question's salient terms (see {@link isSalientTerm}) that no retrieved passage mentions, in
 * its text, title or headings. Words are compared lower-cased and stemmed, so "APIs" meets "API".
 * A non-empty result means the passages cannot answer the question: "Does it support gRPC?" over
 * documents that never say gRPC.
 */
export function findUnanswerableTerms(question: string, passages: Passage[]): string[] {
  const terms = salientTerms(question);
  if (terms.length === 0) return [];
  const known = new Set<string>();
  for (const passage of passages) {
    const text = [passage.title, ...(passage.metadata.headingsPath ?? []), passage.text].join('\n');
    const words = [...text.matchAll(WORD)].map((match) => match[0].toLowerCase());
    for (const word of words) {
      known.add(word);
      known.add(stem(word));
    }
    addInitialisms(words, known);
  }
  return terms.filter((term) => {
    const word = term.toLowerCase();
    return !known.has(word) && !known.has(stem(word));
  });
}

/**
 * Adds the initials of every run of two to six words ("reciprocal rank fusion" -> "rrf"), with
 * and without stop words ("bring your own key" -> "byok", "service level agreement" -> "sla"), so
 * an acronym the passages only spell out still counts as mentioned.
 */
function addInitialisms(words: string[], known: Set<string>): void {
  const content = words.filter((word) => !STOP_WORDS.has(word));
  for (const list of [words, content]) {
    for (let start = 0; start < list.length; start++) {
      let initials = '';
      for (let length = 1; length <= 6 && start + length <= list.length; length++) {
        initials += (list[start + length - 1] as string)[0];
        if (length >= 2) known.add(initials);
      }
    }
  }
}
