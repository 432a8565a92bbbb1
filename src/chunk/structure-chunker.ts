import type { CairnDocument, Chunk, Chunker, ChunkerOptions } from '../spec/index.ts';
import { type ChunkDraft, numberChunks } from './number-chunks.ts';
import { packBlocks } from './pack-blocks.ts';
import { requireIntegerOption } from './require-integer-option.ts';
import { splitSections } from './split-sections.ts';
import { MIN_CHUNK_TOKENS } from './split-token-windows.ts';

/** Options of the structure-aware chunker. */
export type StructureChunkerOptions = Pick<ChunkerOptions, 'maxTokens'>;

/**
 * Chunks along the document's structure: never across headings, whole blocks packed up to
 * `maxTokens`, oversized paragraphs cut at sentence boundaries (code and tables at lines), and
 * only a sentence longer than `maxTokens` cut mid-sentence. Each chunk carries its section's
 * `headingsPath` and the `page` of its first block. Produces `role: 'leaf'` chunks.
 */
export function createStructureChunker(options: StructureChunkerOptions): Chunker {
  const maxTokens = requireIntegerOption('maxTokens', options.maxTokens, MIN_CHUNK_TOKENS);
  return {
    name: 'structure',
    chunk(document: CairnDocument): Chunk[] {
      if (document.text.trim() === '') return [];
      const drafts: ChunkDraft[] = [];
      for (const section of splitSections(document)) {
        for (const packed of packBlocks(section.blocks, maxTokens)) {
          const page = packed.slices[0]?.block.page;
          drafts.push({
            role: 'leaf',
            text: packed.text,
            tokenCount: packed.tokenCount,
            headingsPath: section.headingsPath,
            ...(page === undefined ? {} : { page }),
          });
        }
      }
      return numberChunks(document.id, drafts);
    },
  };
}
