import { CairnError, type Chunker } from '../spec/index.ts';
import { type ChunkingConfig, DEFAULT_CHUNKING } from './default-chunking.ts';
import { createParentChildChunker } from './parent-child-chunker.ts';
import { requireIntegerOption, requireSmallerOption } from './require-integer-option.ts';
import { MIN_CHUNK_TOKENS } from './split-token-windows.ts';
import { createStructureChunker } from './structure-chunker.ts';
import { createTokenWindowChunker } from './token-window-chunker.ts';

export { type ChunkingConfig, DEFAULT_CHUNKING } from './default-chunking.ts';

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
