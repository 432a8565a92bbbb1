/** Metadata every chunk carries; stored as JSON and filterable. */
export interface ChunkMetadata {
  headingsPath?: string[];
  /** First page the chunk touches, for paged formats. */
  page?: number;
  [key: string]: unknown;
}

/**
 * A retrievable unit of text. Parent-child chunking stores parents (`role: 'parent'`, never
 * matched) and children (`role: 'child'`, matched, pointing at `parentId`); other chunkers
 * produce `role: 'leaf'`.
 */
export interface Chunk {
  id: string;
  docId: string;
  /** Position of the chunk within its document, 0-based, across all roles. */
  ordinal: number;
  role: 'leaf' | 'child' | 'parent';
  parentId?: string;
  text: string;
  tokenCount: number;
  metadata: ChunkMetadata;
}

/** Options shared by every chunker; sizes are in gpt-tokenizer tokens. */
export interface ChunkerOptions {
  /** Maximum tokens per chunk. */
  maxTokens: number;
  /** Tokens repeated between consecutive windows (token-window only). */
  overlapTokens: number;
}

/** Turns one document into chunks. */
export interface Chunker {
  readonly name: 'token-window' | 'structure' | 'parent-child';
  chunk(document: import('./document.ts').CairnDocument): Chunk[];
}
