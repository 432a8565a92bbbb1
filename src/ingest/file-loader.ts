import { posix } from 'node:path';
import type { CairnDocument } from '../spec/index.ts';

/** What a single-file loader receives. */
export interface FileLoaderInput {
  /** The whole file. */
  bytes: Uint8Array;
  /**
   * Path relative to the ingest root with `/` separators; becomes the document's `source` and
   * is the path named in errors.
   */
  path: string;
  /** @default `path` without its extension */
  id?: string;
}

/** Turns one file into a document; throws `InvalidInputError` when the file cannot be used. */
export type FileLoader = (input: FileLoaderInput) => CairnDocument | Promise<CairnDocument>;

/** The document id for a relative path: the path without its extension (`guides/rotate-keys`). */
export function idFromPath(path: string): string {
  const extension = posix.extname(path);
  return extension === '' ? path : path.slice(0, -extension.length);
}

/** A title to fall back on: the file name without its extension. */
export function titleFromFileName(path: string): string {
  return posix.basename(path, posix.extname(path));
}

/** Collapses runs of whitespace to single spaces and trims, for titles and headings. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
