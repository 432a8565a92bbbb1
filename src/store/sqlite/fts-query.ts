/**
 * English stop words dropped from BM25 queries (Lucene's default English set). Dropping them
 * only from the query keeps document lengths honest while sparing FTS5 the longest postings.
 */
const STOP_WORDS = new Set(
  'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'.split(
    ' ',
  ),
);

/**
 * Turns free text into an FTS5 query: each word quoted (so FTS5 syntax in user text is inert)
 * and OR-ed, which is how BM25 ranks a bag of words. Returns undefined when no term remains.
 */
export function toFtsQuery(text: string): string | undefined {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const terms = [...new Set(words.filter((word) => !STOP_WORDS.has(word)))];
  if (terms.length === 0) return undefined;
  return terms.map((term) => `"${term}"`).join(' OR ');
}
