import type { Block } from '../spec/index.ts';
import { countTokens } from './count-tokens.ts';
import { splitSentences } from './split-sentences.ts';
import { splitTokenWindows } from './split-token-windows.ts';
import type { TextSpan } from './text-span.ts';

/** A range of one block's text. */
export interface BlockSlice {
  block: Block;
  start: number;
  end: number;
}

/** Text packed from consecutive block slices, joined by blank lines. */
export interface PackedText {
  text: string;
  tokenCount: number;
  slices: BlockSlice[];
}

// Blocks are joined the way loaders join them in `CairnDocument.text`.
const BLOCK_SEPARATOR = '\n\n';

interface Unit {
  block: number;
  start: number;
  end: number;
  tokenCount: number;
}

/**
 * Packs whole blocks into texts of at most `maxTokens` tokens, in order. A block larger than the
 * limit is cut into sentences (code and tables into lines), and only a sentence or line larger than
 * the limit is cut into token windows; the pieces are packed like blocks. Texts are trimmed and
 * never empty, and their token counts are exact.
 */
export function packBlocks(blocks: readonly Block[], maxTokens: number): PackedText[] {
  const units: Unit[] = [];
  blocks.forEach((block, index) => {
    addUnits(block, index, maxTokens, units);
  });
  const packed: PackedText[] = [];
  let first = 0;
  while (first < units.length) {
    let end = first + 1;
    let estimate = units[first]!.tokenCount;
    for (; end < units.length; end++) {
      const unit = units[end]!;
      const separator = unit.block === units[end - 1]!.block ? 0 : 1;
      if (estimate + separator + unit.tokenCount > maxTokens) break;
      estimate += separator + unit.tokenCount;
    }
    // The estimate ignores how tokens merge across joins; the exact count of the joined text
    // decides, dropping trailing units in the rare case it runs over.
    for (;;) {
      const slices = slicesOf(blocks, units, first, end);
      const text = slices
        .map((slice) => slice.block.text.slice(slice.start, slice.end))
        .join(BLOCK_SEPARATOR);
      const tokenCount = end === first + 1 ? units[first]!.tokenCount : countTokens(text);
      if (tokenCount <= maxTokens || end === first + 1) {
        packed.push({ text, tokenCount, slices });
        break;
      }
      end--;
    }
    first = end;
  }
  return packed;
}

function addUnits(block: Block, index: number, maxTokens: number, units: Unit[]): void {
  const text = block.text;
  const [start, end] = trimmedRange(text, 0, text.length);
  if (start === end) return;
  const tokenCount = countTokens(text.slice(start, end));
  if (tokenCount <= maxTokens) {
    units.push({ block: index, start, end, tokenCount });
    return;
  }
  const spans = block.kind === 'code' || block.kind === 'table' ? lineSpans(text) : splitSentences(text);
  for (const span of spans) {
    const count = countTokens(span.text);
    if (count <= maxTokens) {
      units.push({ block: index, start: span.start, end: span.end, tokenCount: count });
      continue;
    }
    for (const window of splitTokenWindows(span.text, { maxTokens })) {
      units.push({
        block: index,
        start: span.start + window.start,
        end: span.start + window.end,
        tokenCount: window.tokenCount,
      });
    }
  }
}

function lineSpans(text: string): TextSpan[] {
  const spans: TextSpan[] = [];
  let lineStart = 0;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const [start, end] = trimmedRange(text, lineStart, lineEnd);
    if (end > start) spans.push({ text: text.slice(start, end), start, end });
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  return spans;
}

function slicesOf(
  blocks: readonly Block[],
  units: readonly Unit[],
  first: number,
  end: number,
): BlockSlice[] {
  const slices: BlockSlice[] = [];
  for (let i = first; i < end; i++) {
    const unit = units[i]!;
    const previous = slices[slices.length - 1];
    if (previous !== undefined && units[i - 1]!.block === unit.block) previous.end = unit.end;
    else slices.push({ block: blocks[unit.block]!, start: unit.start, end: unit.end });
  }
  return slices;
}

function trimmedRange(text: string, from: number, to: number): [number, number] {
  let start = from;
  let end = to;
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return [start, end];
}
