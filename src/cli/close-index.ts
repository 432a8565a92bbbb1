import type { EmbeddingModel, Store } from '../spec/index.ts';
import type { StorageDomains } from '../store/open-storage.ts';

/**
 * Closes an opened index: its store, then its embedder when it holds threads or connections (the
 * local model's worker pool). Every command calls it on the way out, so exiting never depends on
 * handles happening to be unreferenced.
 */
export async function closeIndex(index: { store: Store; embedder: EmbeddingModel }): Promise<void> {
  try {
    await index.store.close();
  } finally {
    await closeEmbedder(index.embedder);
  }
}

/** Closes a whole opened storage backend (every domain), then the embedder. */
export async function closeStorage(index: {
  storage: Pick<StorageDomains, 'close'>;
  embedder: EmbeddingModel;
}): Promise<void> {
  try {
    await index.storage.close();
  } finally {
    await closeEmbedder(index.embedder);
  }
}

/** Ends an embedder's worker threads or connections, for embedders that have any. */
export async function closeEmbedder(embedder: EmbeddingModel): Promise<void> {
  const closable = embedder as EmbeddingModel & { close?: () => Promise<void> };
  await closable.close?.();
}
