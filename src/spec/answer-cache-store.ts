/** A document an answer cited, with the content hash it had when the answer was made. */
export interface CitedVersion {
  docId: string;
  contentHash: string;
}

/** One cached answer as stored. */
export interface CacheEntry {
  id: string;
  namespace: string;
  /** The pipeline the answer was made with; entries of another fingerprint are never served. */
  fingerprint: string;
  /** The normalised question's hash: exact lookups match on it. */
  questionKey: string;
  question: string;
  embedding: Float32Array | null;
  /** Any JSON value (cairn stores the answer). */
  value: unknown;
  citedVersions: CitedVersion[];
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/** Selects a namespace's live entries of one pipeline. */
export interface CacheScope {
  namespace: string;
  fingerprint: string;
  /** Entries created at or before this time (ms) are expired and never returned. */
  expiredAt: number;
}

/**
 * Storage of the answer cache, per namespace (tenant) and pipeline fingerprint. Matching and
 * similarity live in the cache itself (`src/cache/`), so every backend serves the same hits.
 */
export interface AnswerCacheStore {
  /** The newest live entry with this question key. */
  findExact(scope: CacheScope & { questionKey: string }): Promise<CacheEntry | undefined>;
  /** Every live entry that has an embedding, for a semantic lookup. */
  listWithEmbeddings(scope: CacheScope): Promise<CacheEntry[]>;
  /**
   * Stores an entry in place of any other with the same namespace, fingerprint and question key,
   * then drops the namespace's expired entries and its oldest beyond `maxEntries`.
   */
  put(entry: CacheEntry, retention: { expiredAt: number; maxEntries: number }): Promise<void>;
  remove(id: string): Promise<void>;
  /** Removes every entry of a namespace that cites the document; returns how many. */
  invalidateDocument(namespace: string, docId: string): Promise<number>;
  close(): Promise<void>;
}
