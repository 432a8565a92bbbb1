import { posix } from 'node:path';
import type { CairnDocument } from '../spec/index.ts';
import type { ExtractionLimits } from './extraction-limits.ts';

/** What a single-file loader receives. */
export interface FileLoaderInput {
  /** The whole file. */
  bytes: Uint8Array;
  /**
   * Path relative to the ingest root with `/` separators; becomes the document's `source` and
   * is the path named in errors.
   */
  path: string;
  /** Document id; ingest passes `<collection>/<path>`. @default `path` */
  id?: string;
  /** Bounds on inflated bytes and extracted text; a file past them is refused. @default see {@link ExtractionLimits} */
  limits?: ExtractionLimits;
}

/** Turns one file into a document; throws `InvalidInputError` when the file cannot be used. */
export type FileLoader = (input: FileLoaderInput) => CairnDocument | Promise<CairnDocument>;

/** A title to fall back on: the file name without its extension. */
export function titleFromFileName(path: string): string {
  return posix.basename(path, posix.extname(path));
}

/** Collapses runs of whitespace to single spaces and trims, for titles and headings. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
