// Apart from the chunkers so the configuration schema can read the defaults without loading the
// tokenizer (gpt-tokenizer's tables take most of a second to load on a busy machine).

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
