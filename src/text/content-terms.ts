/** Common English function words that carry no topic; left out of lexical matching. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers herself him ' +
    'himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other ' +
    'our ours ourselves out over own same she should so some such than that the their theirs them themselves then there ' +
    'these they this those through to too under until up very was we were what when where which while who whom why will ' +
    'with would you your yours yourself yourselves also may might must shall us'
  ).split(' '),
);

/**
 * A light stem: lower-cased, with common English inflections removed (plurals, -ing, -ed, -ly),
 * so "retrieving", "retrieved" and "retrieves" meet. Deliberately conservative: it never
 * shortens a word below three letters.
 */
export function stem(word: string): string {
  let w = word.toLowerCase();
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (w.endsWith('sses')) return w.slice(0, -2);
  for (const suffix of ['ing', 'edly', 'ed', 'ly', 'es', 's']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3 && !w.endsWith('ss')) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  // "stopp" (from stopping) -> "stop": undo the doubled consonant of -ing/-ed forms.
  if (/([bdfgmnprt])\1$/.test(w)) w = w.slice(0, -1);
  // "retrieve" -> "retriev", meeting "retrieves" and "retrieving".
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  return w;
}

/** Stemmed content words of a text (stop words and one-letter tokens removed), with repeats. */
export function contentTerms(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.filter((word) => word.length > 1 && !STOP_WORDS.has(word)).map(stem);
}
