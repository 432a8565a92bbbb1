import type { Chunk } from './chunk.ts';
import type { CairnDocument, DocumentFormat } from './document.ts';

/** Restricts a query to part of a namespace; applied inside the store's query, before ranking. */
export interface MetadataFilter {
  /** Only these document ids. */
  docIds?: string[];
  /** Never these document ids (e.g. documents held out while the index calibrates itself). */
  excludeDocIds?: string[];
  /**
   * Only documents whose source (relative to its collection root) starts with this prefix, e.g.
   * a folder `guides/`; `where: { collection }` picks one collection.
   */
  sourcePrefix?: string;
  /** Only these formats. */
  formats?: DocumentFormat[];
  /** Equality on document metadata keys (string, number or boolean values). */
  where?: Record<string, string | number | boolean>;
}

/** Why a document was quarantined at ingest: what the injection scan found. */
export interface InjectionFinding {
  category: string;
  /** The rules that fired. */
  rules: string[];
  /** The text that fired the strongest rule, for a reviewer. */
  excerpt: string;
  score: number;
  detectedAt: string;
}

/** A document as the store knows it (without its text). */
export interface StoredDocument {
  id: string;
  namespace: string;
  source: string;
  title: string;
  format: DocumentFormat;
  contentHash: string;
  chunkCount: number;
  /** ISO timestamp of the last write. */
  ingestedAt: string;
  metadata: Record<string, string | number | boolean>;
  /** Excluded from retrieval until released; see {@link InjectionFinding}. */
  quarantined: boolean;
  /** Set when the ingest scan flagged the document; kept after a release, for the record. */
  injection?: InjectionFinding;
}

/** A chunk as stored, with the document fields retrieval results need. */
export interface StoredChunk extends Chunk {
  namespace: string;
  source: string;
  title: string;
}

/** One hit of a store query; `score` is higher-is-better in the query's own scale. */
export interface ScoredChunkId {
  chunkId: string;
  score: number;
}

/** What a store was built with; persisted so reopening with another embedder fails clearly. */
export interface IndexInfo {
  embedderId: string;
  dimensions: number;
  schemaVersion: number;
  createdAt: string;
}

/**
 * A collection: the name of one ingest root. Document ids start with the name
 * (`<collection>/<path>`), and the root it is bound to stays inside the store, never in API output.
 */
export interface CollectionBinding {
  name: string;
  /** Absolute path of the folder the collection was last ingested from. */
  root: string;
}

/** Shared options of every store query. */
export interface StoreQueryOptions {
  namespace: string;
  k: number;
  filter?: MetadataFilter;
  /** Search quarantined documents too (for reviewers). @default false */
  includeQuarantined?: boolean;
}

/**
 * Contract of a document store with full-text and vector search. Every write of one document is
 * atomic: after a crash the store holds either the old or the new version, never a mix.
 */
export interface Store {
  readonly specificationVersion: 'v1';
  readonly provider: string;
  readonly info: IndexInfo;
  upsertDocument(input: {
    namespace: string;
    document: CairnDocument;
    chunks: Chunk[];
    /** One vector per chunk whose role is not 'parent', in the same order as those chunks. */
    embeddings: Float32Array[];
    /** Stores the document quarantined, with the finding that put it there. */
    injection?: InjectionFinding;
  }): Promise<void>;
  /** Quarantines or releases a document; false when it does not exist. */
  setQuarantined(namespace: string, docId: string, quarantined: boolean): Promise<boolean>;
  /** Content hash of a stored document, or undefined when absent. */
  getDocumentHash(namespace: string, docId: string): Promise<string | undefined>;
  deleteDocument(namespace: string, docId: string): Promise<boolean>;
  listDocuments(namespace: string): Promise<StoredDocument[]>;
  /** The named documents that exist in the namespace (missing ids are left out). */
  getDocuments(namespace: string, docIds: string[]): Promise<StoredDocument[]>;
  countChunks(namespace: string): Promise<number>;
  /** The collections of a namespace with the root each is bound to, sorted by name. */
  listCollections(namespace: string): Promise<CollectionBinding[]>;
  /** Binds a collection name to a root folder, replacing an earlier binding of that name. */
  bindCollection(namespace: string, binding: CollectionBinding): Promise<void>;
  /**
   * Renames a collection in one transaction: its documents' ids move from `<from>/<path>` to
   * `<to>/<path>` (chunks follow), and so does its binding. Returns the documents renamed.
   */
  renameCollection(namespace: string, from: string, to: string): Promise<number>;
  /** A setting recorded in the index for one namespace (e.g. its abstention calibration), or undefined. */
  getSetting(namespace: string, key: string): Promise<string | undefined>;
  /** Records a setting for one namespace, replacing an earlier value of that key. */
  setSetting(namespace: string, key: string, value: string): Promise<void>;
  /** BM25 over chunk text; `query` is free text, the store builds its own query syntax. */
  searchText(query: string, options: StoreQueryOptions): Promise<ScoredChunkId[]>;
  /** Nearest chunks by cosine similarity (score = 1 - cosine distance). */
  searchVector(vector: Float32Array, options: StoreQueryOptions): Promise<ScoredChunkId[]>;
  getChunks(namespace: string, chunkIds: string[]): Promise<StoredChunk[]>;
  getEmbeddings(namespace: string, chunkIds: string[]): Promise<Map<string, Float32Array>>;
  close(): Promise<void>;
}
