/** A found span of text: `[start, end)` in UTF-16 code units. */
export interface PiiRange {
  start: number;
  end: number;
}

/**
 * Words that make a number an identifier, an amount or an address rather than personal contact
 * data ("order 40512 88731", "version 1.24.3", "Suite 541 6343"). "Customer" counts only as
 * "customer number", so "customer service: 0800 …" stays a phone.
 */
export const IDENTIFIER_CUE =
  /\b(?:order|invoice|ticket|case|ref(?:erence)?|tracking|shipment|parcel|sku|serial|account|acct|iban|isbn|issn|doi|pmid|build|version|release|receipt|transaction|txn|booking|confirmation|customer(?=\s?(?:no\b|number|id\b|#))|member(?:ship)?|policy|claim|patent|batch|lot|part|model|licen[cs]e|passport|id|zip|post(?:al)?\s?code|address|street|suite|apt|box|amount|total|price|balance|population|pages?|checksum|hash|commit|sha|port|pid|uid|step|row|line|item|product|article|record|job|run|issue|pr|rev(?:ision)?)\b/gi;

// The end of a sentence: a label in the previous sentence says nothing about this value. The
// word before the full stop must be a long one (or a number), so "Tel. 030 …" keeps its label.
const SENTENCE_END = /(?<=[A-Za-z]{4}|[\d)'"])[.!?]\s+|;\s+/g;

/**
 * The text a label can sit in: the current sentence of the current line, or the line above when
 * the value starts its line ("Phone:\n467 3395").
 */
export function textBefore(text: string, start: number, chars = 48): string {
  const window = text.slice(Math.max(0, start - chars), start);
  const lastBreak = window.lastIndexOf('\n');
  let onLine = lastBreak < 0 ? window : window.slice(lastBreak + 1);
  if (lastBreak >= 0 && onLine.trim() === '') {
    const above = window.slice(0, lastBreak);
    onLine = above.slice(above.lastIndexOf('\n') + 1) + onLine;
  }
  let sentenceStart = 0;
  for (const end of onLine.matchAll(SENTENCE_END)) sentenceStart = end.index + end[0].length;
  return onLine.slice(sentenceStart);
}

/** Where the last match of `cue` ends in `window`, or -1; the larger, the closer to the value. */
export function lastCueEnd(window: string, cue: RegExp): number {
  let end = -1;
  for (const match of window.matchAll(cue)) end = match.index + match[0].length;
  return end;
}

/**
 * Which label is nearest before `start`: one of `wanted`, an identifier word, or none, so "call
 * 0490 75 40 81" is `wanted` and "order number 0490 75 40 81" is `identifier`. A tie goes to
 * `wanted` ("phone/order line: …" still labels a phone).
 */
export function nearestCue(
  text: string,
  start: number,
  wanted: RegExp,
  chars = 48,
): 'wanted' | 'identifier' | 'none' {
  const window = textBefore(text, start, chars);
  const wantedEnd = lastCueEnd(window, wanted);
  const identifierEnd = lastCueEnd(window, IDENTIFIER_CUE);
  if (wantedEnd >= 0 && wantedEnd >= identifierEnd) return 'wanted';
  return identifierEnd >= 0 ? 'identifier' : 'none';
}

// "PD 0332991", "EC 1.14.16.2", "NCT 01234567": a short capitalised code right before a number.
const CODE_BEFORE = /\b[A-Z]{1,5}[ -]?$/;

/**
 * True when a short upper-case code sits right before `start` (a drug, enzyme or registry code)
 * and that code is not itself one of the `unless` cues ("TEL 0123…", "IP 10.0.0.1").
 */
export function afterCode(text: string, start: number, unless: RegExp): boolean {
  const before = text.slice(Math.max(0, start - 7), start);
  const code = CODE_BEFORE.exec(before);
  if (!code) return false;
  return lastCueEnd(code[0], unless) < 0;
}

// The head of an IBAN-shaped run: country, check digits, then groups of four.
const IBAN_HEAD_BEFORE = /[A-Za-z]{2}\d{2}[ -](?:[A-Za-z0-9]{4}[ -]){0,6}$/;

/**
 * True when the digits at `start` continue an IBAN-shaped run ("GB87 SXHV 6301 9625 0547 17"
 * whose check digits fail), so its tail is not read as a card or a phone number.
 */
export function continuesIbanShape(text: string, start: number): boolean {
  return IBAN_HEAD_BEFORE.test(text.slice(Math.max(0, start - 40), start));
}
