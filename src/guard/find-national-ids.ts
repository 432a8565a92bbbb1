import { nearestCue, type PiiRange } from './pii-context.ts';

// US social security numbers: area not 000, 666 or 9xx; group not 00; serial not 0000. Dashes
// are the written form; spaces or none only count when a social-security word labels the number.
const DASHED = /(?<![\w.-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w]|[.-]\d)/g;
const UNDASHED = /(?<![\w.-]|\d )(?!000|666|9\d\d)\d{3}( ?)(?!00)\d{2}\1(?!0000)\d{4}(?![\w]|[.-]\d| \d)/g;

const SSN_CUE =
  /\b(?:ssn|ss#|ss no|social security(?: number| no)?|social insurance|sozialversicherungsnummer)/gi;

/**
 * Finds US social security numbers: `123-45-6789` anywhere it is not labelled as another
 * identifier, and `123456789` or `123 45 6789` only after "SSN" or "social security".
 */
export function findNationalIds(text: string): PiiRange[] {
  const found: PiiRange[] = [];
  for (const match of text.matchAll(DASHED)) {
    if (nearestCue(text, match.index, SSN_CUE) === 'identifier') continue;
    found.push({ start: match.index, end: match.index + match[0].length });
  }
  for (const match of text.matchAll(UNDASHED)) {
    if (nearestCue(text, match.index, SSN_CUE) !== 'wanted') continue;
    found.push({ start: match.index, end: match.index + match[0].length });
  }
  return found;
}
