import { porterStem } from './porter-stem.ts';

const TOKEN_CHARACTER = /[\p{L}\p{N}\p{Co}]/u;
const COMBINING_MARK = /^\p{Mn}$/u;
// The combining diacritics Latin letters decompose into: FTS5 keeps them inside a token (so
// "e" + U+0301 stays one token) and drops them; every other mark separates tokens.
const DROPPED_MARKS = new Set([
  0x300, 0x301, 0x302, 0x303, 0x304, 0x306, 0x307, 0x308, 0x309, 0x30a, 0x30b, 0x30c, 0x30f, 0x311, 0x31b,
  0x323, 0x324, 0x325, 0x326, 0x327, 0x328, 0x32d, 0x32e, 0x330, 0x331,
]);

/**
 * One character folded as FTS5's unicode61 tokenizer folds it (remove_diacritics 1): lower case,
 * and a Latin letter with one diacritic loses it. Returns '' for a character dropped from tokens.
 */
function foldCharacter(character: string): string {
  const code = character.codePointAt(0) as number;
  if (code < 0x80) return character.toLowerCase();
  if (DROPPED_MARKS.has(code)) return '';
  const decomposed = character.normalize('NFD');
  const base = decomposed.codePointAt(0) as number;
  const marks = [...decomposed].slice(1);
  if (base < 0x80 && marks.length === 1 && marks.every((mark) => COMBINING_MARK.test(mark))) {
    return String.fromCodePoint(base).toLowerCase();
  }
  // Case folding rather than lower-casing (µ -> μ, ς -> σ, ſ -> s), one character to one, as
  // SQLite folds; upper- then lower-casing gives the simple case fold for these.
  if (character === 'ı') return character;
  const upper = character.toUpperCase();
  const folded = [...upper].length === 1 ? upper.toLowerCase() : character.toLowerCase();
  return [...folded].length === 1 ? folded : character;
}

function isTokenCharacter(character: string): boolean {
  return TOKEN_CHARACTER.test(character) || DROPPED_MARKS.has(character.codePointAt(0) as number);
}

/**
 * Splits text into the tokens SQLite's FTS5 `porter unicode61` tokenizer emits: runs of letters,
 * digits and private-use characters, folded to lower case without diacritics, then stemmed.
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  for (const character of text) {
    if (isTokenCharacter(character)) {
      current += foldCharacter(character);
      continue;
    }
    if (current !== '') tokens.push(porterStem(current));
    current = '';
  }
  if (current !== '') tokens.push(porterStem(current));
  return tokens;
}

/** Unstemmed unicode61 tokens, for checking the tokenizer against SQLite's. */
export function tokenizeUnicode61(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  for (const character of text) {
    if (isTokenCharacter(character)) {
      current += foldCharacter(character);
      continue;
    }
    if (current !== '') tokens.push(current);
    current = '';
  }
  if (current !== '') tokens.push(current);
  return tokens;
}
