import type { Block, CairnDocument, Chunk, Chunker, ChunkerOptions } from '../spec/index.ts';
import { type ChunkDraft, numberChunks } from './number-chunks.ts';
import { requireIntegerOption, requireSmallerOption } from './require-integer-option.ts';
import { headingSectionPath } from './split-sections.ts';
import { MIN_CHUNK_TOKENS, splitTokenWindows } from './split-token-windows.ts';

// How far past the expected position a block's text is looked for in the document text; bounds the
// search so blocks that differ from the text cost O(block) each, not O(document).
const BLOCK_SEARCH_SLACK = 512;

interface LocatedBlock {
  start: number;
  block: Block;
}

/**
 * Chunks the document text into consecutive windows of at most `maxTokens` tokens, each starting
 * `maxTokens - overlapTokens` tokens after the previous one, ends moved back to whitespace when
 * within a few tokens (see `splitTokenWindows`). Ignores structure; each chunk takes `headingsPath`
 * and `page` from the block its window starts in. Produces `role: 'leaf'` chunks.
 */
export function createTokenWindowChunker(options: ChunkerOptions): Chunker {
  const maxTokens = requireIntegerOption('maxTokens', options.maxTokens, MIN_CHUNK_TOKENS);
  const overlapTokens = requireIntegerOption('overlapTokens', options.overlapTokens, 0);
  requireSmallerOption('overlapTokens', overlapTokens, 'maxTokens', maxTokens);
  return {
    name: 'token-window',
    chunk(document: CairnDocument): Chunk[] {
      if (document.text.trim() === '') return [];
      const located = locateBlocks(document);
      const drafts = splitTokenWindows(document.text, { maxTokens, overlapTokens }).map(
        (window): ChunkDraft => {
          const block = blockAt(located, window.start);
          const page = block?.page;
          return {
            role: 'leaf',
            text: window.text,
            tokenCount: window.tokenCount,
            headingsPath: headingsPathOf(block),
            ...(page === undefined ? {} : { page }),
          };
        },
      );
      return numberChunks(document.id, drafts);
    },
  };
}

/** Finds each block's text in the document text, in order; blocks not found are skipped. */
function locateBlocks(document: CairnDocument): LocatedBlock[] {
  const located: LocatedBlock[] = [];
  let cursor = 0;
  for (const block of document.blocks) {
    const needle = block.text.trim();
    if (needle === '') continue;
    const found = document.text.slice(cursor, cursor + needle.length + BLOCK_SEARCH_SLACK).indexOf(needle);
    if (found === -1) continue;
    located.push({ start: cursor + found, block });
    cursor += found + needle.length;
  }
  return located;
}

function blockAt(located: readonly LocatedBlock[], offset: number): Block | undefined {
  let lo = 0;
  let hi = located.length - 1;
  let match: Block | undefined = located[0]?.block;
  while (lo <= hi) {
    const middle = (lo + hi) >>> 1;
    const entry = located[middle]!;
    if (entry.start <= offset) {
      match = entry.block;
      lo = middle + 1;
    } else {
      hi = middle - 1;
    }
  }
  return match;
}

/** A window starting in a heading belongs to that heading's section. */
function headingsPathOf(block: Block | undefined): string[] {
  if (block === undefined) return [];
  return block.kind === 'heading' ? headingSectionPath(block) : block.headingsPath;
}
