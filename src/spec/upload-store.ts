/** One uploaded file as the upload store lists it. */
export interface UploadedFileInfo {
  name: string;
  /** Hex SHA-256 of the bytes, so a worker can tell which files changed without reading them. */
  sha256: string;
  size: number;
}

/**
 * The files tenants upload over the API, kept where every ingest worker can read them: a folder
 * next to a SQLite index, a table in Postgres. Names are plain file names (no folders).
 */
export interface UploadStore {
  /** Stores or replaces a file whole: readers see the old bytes or the new, never part of either. */
  put(tenant: string, name: string, bytes: Uint8Array): Promise<UploadedFileInfo>;
  /** The tenant's files (not those set aside), by name. */
  list(tenant: string): Promise<UploadedFileInfo[]>;
  read(tenant: string, name: string): Promise<Uint8Array | undefined>;
  /** Deletes a file; false when there was none. */
  remove(tenant: string, name: string): Promise<boolean>;
  /**
   * Takes a file out of the ones ingested (it kept stopping the process that ingested it) without
   * deleting it; a new upload under the name brings it back. False when there was none.
   */
  setAside(tenant: string, name: string): Promise<boolean>;
  /**
   * The folder holding the tenant's files, for a store that keeps them on this machine's disk, so
   * ingest reads them in place; undefined when they must be copied out first.
   */
  localFolder?(tenant: string): string | undefined;
  close(): Promise<void>;
}
