import { tokenize } from './tokenize.ts';

/** The English stop words the SQLite store drops from queries (Lucene's default English set). */
const STOP_WORDS = new Set(
  'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'.split(
    ' ',
  ),
);

/**
 * The BM25 terms of a free-text query, built the way the SQLite store builds its FTS5 query:
 * words (letters and digits) lower-cased, stop words dropped, each distinct word kept once and
 * OR-ed, then each word tokenized and stemmed as the documents were. Two words with one stem
 * ("runs running") stay two terms, because FTS5 scores each quoted word of the query as its own
 * phrase; `weight` counts them. A word that tokenizes into several tokens (only characters newer
 * than Unicode 6.1 can do that) would be a phrase in FTS5; here its tokens count as separate terms.
 */
export function queryTerms(text: string): { term: string; weight: number }[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const distinct = [...new Set(words.filter((word) => !STOP_WORDS.has(word)))];
  const weights = new Map<string, number>();
  for (const word of distinct) {
    for (const term of tokenize(word)) weights.set(term, (weights.get(term) ?? 0) + 1);
  }
  return [...weights].map(([term, weight]) => ({ term, weight }));
}
