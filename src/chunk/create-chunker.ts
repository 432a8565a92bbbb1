import { CairnError, type Chunker } from '../spec/index.ts';
import { createParentChildChunker } from './parent-child-chunker.ts';
import { requireIntegerOption, requireSmallerOption } from './require-integer-option.ts';
import { MIN_CHUNK_TOKENS } from './split-token-windows.ts';
import { createStructureChunker } from './structure-chunker.ts';
import { createTokenWindowChunker } from './token-window-chunker.ts';

/** How documents are chunked; sizes are in `o200k_base` tokens. */
export interface ChunkingConfig {
  strategy: 'token-window' | 'structure' | 'parent-child';
  /** Maximum tokens per chunk; for parent-child, per parent. */
  maxTokens: number;
  /** Tokens repeated between consecutive windows; token-window only. */
  overlapTokens: number;
  /** Maximum tokens per child; parent-child only. */
  childMaxTokens: number;
}

/**
 * The chunking cairn uses unless configured otherwise: structure-aware, 256 tokens. Chosen on the
 * SciFact *train* split against 128/512-token structure chunks, 256/32 token windows and
 * 512/128 parent-child (`npx tsx bench/chunking-sweep.ts`; results in the README).
 */
export const DEFAULT_CHUNKING: Readonly<ChunkingConfig> = Object.freeze({
  strategy: 'structure',
  maxTokens: 256,
  overlapTokens: 32,
  childMaxTokens: 96,
});

const STRATEGIES: readonly ChunkingConfig['strategy'][] = ['token-window', 'structure', 'parent-child'];

/**
 * Builds the chunker a config describes. Sizes must be integers of at least `MIN_CHUNK_TOKENS` (4)
 * and `overlapTokens` a non-negative integer; `overlapTokens < maxTokens` is required for
 * token-window and `childMaxTokens < maxTokens` for parent-child, the strategies that use them.
 * Throws `CairnError('invalid_option')` naming the offending option.
 */
export function createChunker(config: ChunkingConfig = DEFAULT_CHUNKING): Chunker {
  const maxTokens = requireIntegerOption('maxTokens', config.maxTokens, MIN_CHUNK_TOKENS);
  const overlapTokens = requireIntegerOption('overlapTokens', config.overlapTokens, 0);
  const childMaxTokens = requireIntegerOption('childMaxTokens', config.childMaxTokens, MIN_CHUNK_TOKENS);
  switch (config.strategy) {
    case 'token-window':
      requireSmallerOption('overlapTokens', overlapTokens, 'maxTokens', maxTokens);
      return createTokenWindowChunker({ maxTokens, overlapTokens });
    case 'structure':
      return createStructureChunker({ maxTokens });
    case 'parent-child':
      requireSmallerOption('childMaxTokens', childMaxTokens, 'maxTokens', maxTokens);
      return createParentChildChunker({ parentMaxTokens: maxTokens, childMaxTokens });
    default:
      throw new CairnError(
        'invalid_option',
        `strategy must be one of ${STRATEGIES.join(', ')} (got ${String(config.strategy)})`,
      );
  }
}
