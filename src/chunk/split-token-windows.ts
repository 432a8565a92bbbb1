import { countTokens, tokenPieces } from './count-tokens.ts';
import { requireIntegerOption, requireSmallerOption } from './require-integer-option.ts';
import type { TextSpan } from './text-span.ts';

/**
 * Smallest allowed token limit for any chunk size: one character can take up to 4 tokens (one per
 * UTF-8 byte), and below that a chunk could not hold it without exceeding its limit.
 */
export const MIN_CHUNK_TOKENS = 4;

/** A window of a text with its exact token count. */
export interface TokenWindow extends TextSpan {
  tokenCount: number;
}

/** Sizes of the windows `splitTokenWindows` cuts. */
export interface TokenWindowOptions {
  /** Maximum tokens per window; at least `MIN_CHUNK_TOKENS`. */
  maxTokens: number;
  /**
   * Tokens each window repeats from the end of the previous one.
   * @default 0
   */
  overlapTokens?: number;
}

/**
 * Cuts `text` into consecutive windows of at most `maxTokens` tokens, each starting about
 * `maxTokens - overlapTokens` tokens after the previous one. A window end moves back to the nearest
 * whitespace when that is within a few tokens, so words are cut only when one is longer than that;
 * a window start moves back to whitespace likewise, which can lengthen the overlap by as much.
 * Windows are trimmed and never empty. Runs in one tokenizer pass plus one count per window.
 */
export function splitTokenWindows(text: string, options: TokenWindowOptions): TokenWindow[] {
  const maxTokens = requireIntegerOption('maxTokens', options.maxTokens, MIN_CHUNK_TOKENS);
  const overlapTokens = requireIntegerOption('overlapTokens', options.overlapTokens ?? 0, 0);
  requireSmallerOption('overlapTokens', overlapTokens, 'maxTokens', maxTokens);

  // "A few tokens": small enough to keep windows nearly full, large enough to reach a space.
  const snapTokens = Math.max(1, Math.min(8, Math.ceil(maxTokens / 8)));
  const { starts, cumulative } = measurePieces(text, Math.max(1, Math.min(16, Math.floor(maxTokens / 4))));
  const last = starts.length - 1;
  const isWordBoundary = (b: number): boolean => {
    const at = starts[b]!;
    return at === 0 || at === text.length || isSpace(text[at]!) || isSpace(text[at - 1]!);
  };
  const tokensAt = (b: number): number => cumulative[b]!;
  const snapBack = (b: number, floor: number): number => {
    for (let x = b; x > floor && tokensAt(b) - tokensAt(x) <= snapTokens; x--) {
      if (isWordBoundary(x)) return x;
    }
    return b;
  };

  const windows: TokenWindow[] = [];
  let start = 0;
  while (start < last) {
    let end = Math.max(start + 1, lastBoundaryAtMost(cumulative, tokensAt(start) + maxTokens, start, last));
    if (end < last) end = snapBack(end, start);
    let window = trimmedWindow(text, starts[start]!, starts[end]!);
    // Re-encoding a slice can differ from the sum of its pieces at the edges (a trimmed leading
    // space), so the exact count decides and the window shrinks until it fits.
    while (window && window.tokenCount > maxTokens && end > start + 1) {
      end = snapBack(end - 1, start);
      window = trimmedWindow(text, starts[start]!, starts[end]!);
    }
    if (window && window.tokenCount > maxTokens) {
      windows.push(...splitOversizedPiece(text, window, maxTokens));
    } else if (window) {
      windows.push(window);
    }
    if (end >= last) break;
    let next = end;
    if (overlapTokens > 0) {
      next = snapBack(lastBoundaryAtMost(cumulative, tokensAt(end) - overlapTokens, start, end), start);
    }
    start = Math.max(next, start + 1);
  }
  return windows;
}

/** Piece boundaries (char offsets) and the token count before each; no piece exceeds `pieceLimit`. */
function measurePieces(text: string, pieceLimit: number): { starts: number[]; cumulative: number[] } {
  const starts = [0];
  const cumulative = [0];
  let total = 0;
  for (const piece of tokenPieces(text)) {
    if (piece.tokenCount <= pieceLimit) {
      total += piece.tokenCount;
      starts.push(piece.end);
      cumulative.push(total);
      continue;
    }
    // Long unbroken runs (CJK text, base64, long URLs) are one piece with many tokens; cut them so
    // windows can end inside them.
    let at = piece.start;
    while (at < piece.end) {
      const fit = fitPrefix(text, at, piece.end, pieceLimit);
      total += fit.tokenCount;
      starts.push(fit.end);
      cumulative.push(total);
      at = fit.end;
    }
  }
  return { starts, cumulative };
}

/**
 * The longest prefix of `text.slice(from, to)` (ending on a code point) with at most `limit` tokens,
 * found by galloping then bisecting; at least one code point even when that alone exceeds `limit`.
 */
function fitPrefix(
  text: string,
  from: number,
  to: number,
  limit: number,
): { end: number; tokenCount: number } {
  let good = codePointEnd(text, from, to);
  let goodCount = countTokens(text.slice(from, good));
  if (goodCount > limit) return { end: good, tokenCount: goodCount };
  let bad = -1;
  for (let size = (good - from) * 2; bad === -1; size *= 2) {
    const candidate = alignToCodePoint(text, Math.min(to, from + size));
    const count = countTokens(text.slice(from, candidate));
    if (count > limit) bad = candidate;
    else {
      good = candidate;
      goodCount = count;
      if (candidate >= to) return { end: good, tokenCount: goodCount };
    }
  }
  while (bad - good > 1) {
    const middle = alignToCodePoint(text, (good + bad) >>> 1);
    if (middle <= good || middle >= bad) break;
    const count = countTokens(text.slice(from, middle));
    if (count > limit) bad = middle;
    else {
      good = middle;
      goodCount = count;
    }
  }
  return { end: good, tokenCount: goodCount };
}

/** Cuts a window that is one piece yet too long once trimmed (small `maxTokens`) by code points. */
function splitOversizedPiece(text: string, window: TokenWindow, maxTokens: number): TokenWindow[] {
  const windows: TokenWindow[] = [];
  let at = window.start;
  for (;;) {
    while (at < window.end && isSpace(text[at]!)) at++;
    if (at >= window.end) return windows;
    const fit = fitPrefix(text, at, window.end, maxTokens);
    const piece = trimmedWindow(text, at, fit.end);
    if (piece) windows.push(piece);
    at = fit.end;
  }
}

function trimmedWindow(text: string, from: number, to: number): TokenWindow | undefined {
  let start = from;
  let end = to;
  while (start < end && isSpace(text[start]!)) start++;
  while (end > start && isSpace(text[end - 1]!)) end--;
  if (start === end) return undefined;
  const slice = text.slice(start, end);
  return { text: slice, start, end, tokenCount: countTokens(slice) };
}

/** Largest index in [low, high] whose cumulative count is at most `limit` (low when none). */
function lastBoundaryAtMost(cumulative: number[], limit: number, low: number, high: number): number {
  let lo = low;
  let hi = high;
  while (lo < hi) {
    const middle = (lo + hi + 1) >>> 1;
    if (cumulative[middle]! <= limit) lo = middle;
    else hi = middle - 1;
  }
  return lo;
}

function codePointEnd(text: string, from: number, to: number): number {
  const code = text.charCodeAt(from);
  return code >= 0xd800 && code <= 0xdbff && from + 2 <= to ? from + 2 : from + 1;
}

function alignToCodePoint(text: string, index: number): number {
  const previous = text.charCodeAt(index - 1);
  return previous >= 0xd800 && previous <= 0xdbff && index < text.length ? index + 1 : index;
}

function isSpace(char: string): boolean {
  return /\s/.test(char);
}
