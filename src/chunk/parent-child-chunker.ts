import type { Block, CairnDocument, Chunk, Chunker } from '../spec/index.ts';
import { type ChunkDraft, numberChunks } from './number-chunks.ts';
import { packBlocks } from './pack-blocks.ts';
import { requireIntegerOption, requireSmallerOption } from './require-integer-option.ts';
import { splitSections } from './split-sections.ts';
import { MIN_CHUNK_TOKENS } from './split-token-windows.ts';

/** Options of the parent-child chunker; sizes in tokens. */
export interface ParentChildChunkerOptions {
  /** Maximum tokens of a parent, the text returned to the user. */
  parentMaxTokens: number;
  /** Maximum tokens of a child, the text matched against queries; smaller than `parentMaxTokens`. */
  childMaxTokens: number;
}

/**
 * Chunks into parents (`role: 'parent'`, structure chunks of up to `parentMaxTokens`) each followed
 * by its children (`role: 'child'`, the parent re-chunked with the same structure rules at
 * `childMaxTokens`, `parentId` set). Every child's text is a substring of its parent's text.
 */
export function createParentChildChunker(options: ParentChildChunkerOptions): Chunker {
  const parentMaxTokens = requireIntegerOption('parentMaxTokens', options.parentMaxTokens, MIN_CHUNK_TOKENS);
  const childMaxTokens = requireIntegerOption('childMaxTokens', options.childMaxTokens, MIN_CHUNK_TOKENS);
  requireSmallerOption('childMaxTokens', childMaxTokens, 'parentMaxTokens', parentMaxTokens);
  return {
    name: 'parent-child',
    chunk(document: CairnDocument): Chunk[] {
      if (document.text.trim() === '') return [];
      const drafts: ChunkDraft[] = [];
      for (const section of splitSections(document)) {
        for (const parent of packBlocks(section.blocks, parentMaxTokens)) {
          const parentIndex = drafts.length;
          const page = parent.slices[0]?.block.page;
          drafts.push({
            role: 'parent',
            text: parent.text,
            tokenCount: parent.tokenCount,
            headingsPath: section.headingsPath,
            ...(page === undefined ? {} : { page }),
          });
          // Children are packed from the parent's own slices, joined the same way, so each child
          // is a contiguous substring of its parent.
          const parentBlocks: Block[] = parent.slices.map((slice) => ({
            ...slice.block,
            text: slice.block.text.slice(slice.start, slice.end),
          }));
          for (const child of packBlocks(parentBlocks, childMaxTokens)) {
            const childPage = child.slices[0]?.block.page;
            drafts.push({
              role: 'child',
              parentIndex,
              text: child.text,
              tokenCount: child.tokenCount,
              headingsPath: section.headingsPath,
              ...(childPage === undefined ? {} : { page: childPage }),
            });
          }
        }
      }
      return numberChunks(document.id, drafts);
    },
  };
}
