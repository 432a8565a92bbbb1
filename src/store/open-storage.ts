import {
  CairnError,
  type EvalRunRecord,
  type IndexEmbedder,
  type IngestJobRecord,
  type Store,
} from '../spec/index.ts';
import { openSqliteDomains } from './sqlite/open-sqlite-domains.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Storage, StorageDomains } from './storage-domains.ts';

export type { Storage, StorageDomains } from './storage-domains.ts';

/** Where a backend lives, parsed from a storage URL. */
export type StorageLocation =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; connectionString: string };

const ACCEPTED_FORMS = 'a file path (e.g. .cairn/index.db), sqlite:<file>, or postgres://user@host:5432/db';

/**
 * Parses a storage URL: `sqlite:<file>` or a plain path (the default: one SQLite index file) or
 * `postgres://…` / `postgresql://…`. Anything else with a scheme is `invalid_option` naming the
 * URL and the accepted forms.
 */
export function parseStorageUrl(url: string): StorageLocation {
  // A password in the URL is never repeated in the message.
  const shown = url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
  const bad = (why: string) =>
    new CairnError('invalid_option', `storage URL "${shown}" ${why}; use ${ACCEPTED_FORMS}`);
  if (url.trim() === '') throw bad('is empty');
  if (/^postgres(ql)?:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw bad('is not a valid URL');
    }
    if (!parsed.hostname && !parsed.searchParams.has('host')) throw bad('names no host');
    return { kind: 'postgres', connectionString: url };
  }
  if (/^sqlite:/i.test(url)) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '') throw bad('names no file');
    return { kind: 'sqlite', path: file };
  }
  // A scheme (two letters or more, so Windows drive letters stay paths) that is none of ours.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(url);
  if (scheme) throw bad(`has an unknown scheme "${scheme[1]}:"`);
  return { kind: 'sqlite', path: url };
}

/** The index file of a SQLite storage URL, or undefined for a backend that keeps no file. */
export function storageFilePath(url: string): string | undefined {
  const location = parseStorageUrl(url);
  return location.kind === 'sqlite' ? location.path : undefined;
}

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
