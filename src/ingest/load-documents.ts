import { readFile, stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { CairnDocument, DocumentFormat } from '../spec/index.ts';
import { CairnError, InvalidInputError } from '../spec/index.ts';
import { defaultCollectionName, documentIdFor } from './collection-name.ts';
import { describeFsError } from './describe-fs-error.ts';
import { type ExtractionLimits, resolveLimits } from './extraction-limits.ts';
import type { FileLoader } from './file-loader.ts';
import { formatForPath } from './format-for-path.ts';
import { formatSize } from './format-size.ts';
import { loadBeirCorpus } from './load-beir-corpus.ts';
import { loadDocx } from './load-docx.ts';
import { loadHtml } from './load-html.ts';
import { loadMarkdown } from './load-markdown.ts';
import { loadPdf } from './load-pdf.ts';
import { loadText } from './load-text.ts';
import { resolveSupersededBy } from './resolve-superseded-by.ts';
import { walkDirectory } from './walk-directory.ts';

/** One outcome of {@link loadDocuments}: a document, an error for one file or record, or a skipped file. */
export type LoadResult =
  | { ok: true; document: CairnDocument }
  | { ok: false; error: InvalidInputError }
  | { ok: 'skipped'; path: string; reason: string };

/** Options of {@link loadDocuments}; the extraction limits bound what each file may expand to. */
export interface LoadDocumentsOptions extends ExtractionLimits {
  /** Largest file read whole; `.jsonl` corpora stream and are exempt. @default 50 MiB */
  maxFileBytes?: number;
  /** First segment of every file's document id. @default the root folder's base name */
  collection?: string;
}

/** Largest file loaded by default: 50 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;

const FILE_LOADERS: Readonly<Record<Exclude<DocumentFormat, 'beir'>, FileLoader>> = {
  markdown: loadMarkdown,
  text: loadText,
  html: loadHtml,
  pdf: loadPdf,
  docx: loadDocx,
};

/**
 * Loads every supported file under `inputPath` (a directory or one file) in sorted order.
 * Skipped files come first, then each document or error as it is loaded; an error concerns one
 * file or corpus line and loading goes on. Paths and sources are relative to the input (with
 * `/`); a file's id is `<collection>/<path>`, extension kept, and a `superseded_by` front-matter
 * value is resolved to such an id in the same collection. BEIR records keep their own `_id`.
 * Sizes are checked before reading. Throws only when `inputPath` is unreadable.
 */
export async function* loadDocuments(
  inputPath: string,
  options: LoadDocumentsOptions = {},
): AsyncGenerator<LoadResult> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const limits = resolveLimits(options);
  const walk = await walkDirectory(inputPath);
  const toRelative = (path: string) => relative(walk.root, path).split(sep).join('/');

  for (const skipped of walk.skipped) {
    yield { ok: 'skipped', path: toRelative(skipped.path), reason: skipped.reason };
  }
  const relativePaths = walk.files.map(toRelative);
  const collection = { name: options.collection ?? defaultCollectionName(walk.root), root: walk.root };
  for (const [index, file] of walk.files.entries()) {
    const path = relativePaths[index] ?? file;
    const format = formatForPath(file);
    if (format === undefined) continue;
    if (format === 'beir') yield* loadBeirCorpus(file, { source: path });
    else {
      const id = documentIdFor(collection.name, path);
      yield withSupersession(
        await loadFile(file, { path, id, maxFileBytes, limits }, FILE_LOADERS[format]),
        collection,
      );
    }
  }
}

async function loadFile(
  file: string,
  target: { path: string; id: string; maxFileBytes: number; limits: ExtractionLimits },
  loader: FileLoader,
): Promise<LoadResult> {
  const { path, id, maxFileBytes, limits } = target;
  let bytes: Uint8Array;
  try {
    const { size } = await stat(file);
    if (size > maxFileBytes) {
      const limit = formatSize(maxFileBytes, { trimZero: true });
      const reason = `file is ${formatSize(size)}, over the ${limit} limit; split it or raise --max-file-mb`;
      return { ok: false, error: new InvalidInputError(path, reason) };
    }
    if (size === 0) return { ok: false, error: new InvalidInputError(path, 'empty file') };
    bytes = await readFile(file);
  } catch (error) {
    const reason = `cannot read file: ${describeFsError(error)}`;
    return { ok: false, error: new InvalidInputError(path, reason, { cause: error }) };
  }
  try {
    return { ok: true, document: await loader({ bytes, path, id, limits }) };
  } catch (error) {
    if (CairnError.is(error, 'invalid_input')) return { ok: false, error: error as InvalidInputError };
    // A parser library choking on one odd file should not stop a whole ingest run.
    const cause = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      error: new InvalidInputError(path, `could not be loaded: ${cause}`, { cause: error }),
    };
  }
}

// Authors name the newer document as a file of the same folder tree; ids are what retrieval matches.
function withSupersession(result: LoadResult, collection: { name: string; root: string }): LoadResult {
  if (result.ok !== true) return result;
  const newer = result.document.metadata.superseded_by;
  if (typeof newer !== 'string') return result;
  const metadata = { ...result.document.metadata, superseded_by: resolveSupersededBy(newer, collection) };
  return { ok: true, document: { ...result.document, metadata } };
}
