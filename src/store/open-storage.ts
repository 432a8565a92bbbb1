import type { EvalRunRecord, IndexEmbedder, IngestJobRecord, Store } from '../spec/index.ts';
import { parseStorageUrl } from './parse-storage-url.ts';
import { openSqliteDomains } from './sqlite/open-sqlite-domains.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Storage, StorageDomains } from './storage-domains.ts';

export { parseStorageUrl, type StorageLocation, storageFilePath } from './parse-storage-url.ts';
export type { Storage, StorageDomains } from './storage-domains.ts';

/** Opens every domain but the document store (which needs the embedder): keys, traces, usage... */
export async function openDomains<
  Job extends IngestJobRecord = IngestJobRecord,
  Run extends EvalRunRecord = EvalRunRecord,
>(url: string): Promise<StorageDomains<Job, Run>> {
  const location = parseStorageUrl(url);
  if (location.kind === 'sqlite') return openSqliteDomains<Job, Run>(location.path);
  // Loaded only for postgres URLs, so SQLite users never load the driver.
  const { openPostgresDomains } = await import('./postgres/open-postgres-domains.ts');
  return openPostgresDomains<Job, Run>(location.connectionString);
}

/** Options of {@link openStorage}. */
export interface OpenStorageOptions {
  /**
   * The embedder whose vectors the document store keeps, or a function choosing it from the one
   * the index recorded (undefined for a new index).
   */
  embedder: IndexEmbedder | ((recorded: IndexEmbedder | undefined) => IndexEmbedder);
  /** Switch an index built with another embedder to this one (its documents are re-ingested). */
  reembed?: boolean;
  /** Open the SQLite document store read-only. @default false */
  readonly?: boolean;
  /** HNSW search breadth of the Postgres document store. */
  efSearch?: number;
}

/**
 * Opens a whole backend from one URL (see {@link parseStorageUrl}): the document store and every
 * other domain. `close()` closes them all.
 */
export async function openStorage<
  Job extends IngestJobRecord = IngestJobRecord,
  Run extends EvalRunRecord = EvalRunRecord,
>(url: string, options: OpenStorageOptions): Promise<Storage<Job, Run>> {
  const location = parseStorageUrl(url);
  const domains = await openDomains<Job, Run>(url);
  try {
    const recorded = await domains.settings.readEmbedder();
    const embedder = typeof options.embedder === 'function' ? options.embedder(recorded) : options.embedder;
    const store =
      location.kind === 'sqlite'
        ? openSqliteStore({
            path: location.path,
            embedder,
            ...(options.reembed ? { reembed: true } : {}),
            ...(options.readonly ? { readonly: true } : {}),
          })
        : await openPostgresDocumentStore(location.connectionString, embedder, options.efSearch);
    // The SQLite store records its embedder in the same file; other backends record it here.
    if (location.kind !== 'sqlite') await domains.settings.recordEmbedder(embedder);
    return {
      ...domains,
      store,
      async close() {
        try {
          await store.close();
        } finally {
          await domains.close();
        }
      },
    };
  } catch (error) {
    await domains.close();
    throw error;
  }
}

async function openPostgresDocumentStore(
  connectionString: string,
  embedder: IndexEmbedder,
  efSearch: number | undefined,
): Promise<Store> {
  // Loaded only for postgres:// URLs, so a SQLite index never loads the pg driver.
  const { openPostgresStore } = await import('./postgres/open-postgres-store.ts');
  return openPostgresStore({ connectionString, embedder, ...(efSearch === undefined ? {} : { efSearch }) });
}
