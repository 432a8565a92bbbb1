import { createRequire } from 'node:module';

type Tokenizer = typeof import('gpt-tokenizer');
let loaded: Tokenizer | undefined;

/**
 * gpt-tokenizer, loaded on first use: building its tables takes a good part of a second, and
 * many commands never count a token (`cairn ask` with the extractive answerer, for one).
 */
function tokenizer(): Tokenizer {
  loaded ??= createRequire(import.meta.url)('gpt-tokenizer') as Tokenizer;
  return loaded;
}

/** Name of the tokenizer encoding every chunk size in cairn is measured in (gpt-tokenizer's default). */
export const TOKEN_ENCODING = 'o200k_base';

// A document that happens to contain "<|endoftext|>" is content, not a control sequence:
// gpt-tokenizer throws on special tokens by default, so they are encoded as plain text.
const PLAIN_TEXT: Parameters<Tokenizer['encode']>[1] = { disallowedSpecial: new Set<string>() };

/** Number of `o200k_base` tokens in `text`; special-token strings count as plain text. */
export function countTokens(text: string): number {
  return text === '' ? 0 : tokenizer().countTokens(text, PLAIN_TEXT);
}

/** Encodes `text` into `o200k_base` token ids; special-token strings are encoded as plain text. */
export function encodeTokens(text: string): number[] {
  return tokenizer().encode(text, PLAIN_TEXT);
}

/**
 * Decodes `o200k_base` token ids back to text. Pass a whole sequence from `encodeTokens`:
 * an arbitrary slice may end inside a multi-byte character.
 */
export function decodeTokens(tokens: readonly number[]): string {
  return tokenizer().decode(tokens);
}

/** One pre-tokenizer piece of a text (a word with its leading space, a number, a run of punctuation). */
export interface TokenPiece {
  start: number;
  end: number;
  tokenCount: number;
}

/**
 * Splits `text` into the pieces the tokenizer encodes independently, with their offsets and token
 * counts, in one encoding pass. The pieces tile the text and their counts sum to `countTokens(text)`;
 * any slice of the text that starts and ends on piece boundaries re-encodes to nearly the same count.
 */
export function tokenPieces(text: string): TokenPiece[] {
  const pieces: TokenPiece[] = [];
  let start = 0;
  const { decode, encodeGenerator } = tokenizer();
  for (const tokens of encodeGenerator(text, PLAIN_TEXT)) {
    // Each piece is a whole regex match, so decoding it never ends inside a character and
    // its decoded length equals its length in the source (lone surrogates become U+FFFD, also 1).
    const end = start + decode(tokens).length;
    pieces.push({ start, end, tokenCount: tokens.length });
    start = end;
  }
  if (start !== text.length) {
    // Defensive: should the lengths ever drift, one piece keeps offsets right and callers subdivide it.
    return text === '' ? [] : [{ start: 0, end: text.length, tokenCount: countTokens(text) }];
  }
  return pieces;
}
