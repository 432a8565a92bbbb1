/** The embedder an index was built with. */
export interface IndexEmbedder {
  embedderId: string;
  dimensions: number;
}

/**
 * Settings recorded in an index: the embedder it was built with, and per-namespace values such
 * as the abstention calibration.
 */
export interface IndexSettingsStore {
  /** The recorded embedder, or undefined for an index that has none yet (reading creates nothing). */
  readEmbedder(): Promise<IndexEmbedder | undefined>;
  /** Records the embedder (the document store does it too when it creates an index). */
  recordEmbedder(embedder: IndexEmbedder): Promise<void>;
  /** A setting of one namespace, or undefined. */
  getSetting(namespace: string, key: string): Promise<string | undefined>;
  /** Records a setting of one namespace, replacing an earlier value of that key. */
  setSetting(namespace: string, key: string, value: string): Promise<void>;
  close(): Promise<void>;
}
