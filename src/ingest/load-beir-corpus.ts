import { basename } from 'node:path';
import type { CairnDocument } from '../spec/index.ts';
import { InvalidInputError } from '../spec/index.ts';
import { createDocument } from './create-document.ts';
import { describeFsError } from './describe-fs-error.ts';
import { readLines } from './read-lines.ts';
import { toScalarMetadata } from './to-scalar-metadata.ts';

/** One record of a corpus: a document, or the error that names its `file:line`. */
export type BeirLoadResult = { ok: true; document: CairnDocument } | { ok: false; error: InvalidInputError };

/** Options of {@link loadBeirCorpus}. */
export interface BeirCorpusOptions {
  /** How the file is named in sources and errors. @default the file's base name */
  source?: string;
  /** Longest accepted line, in bytes. @default 10 MiB */
  maxLineBytes?: number;
}

/** Longest JSONL line accepted by default: 10 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 10 * 1024 * 1024;

/**
 * Streams a BEIR `corpus.jsonl`, one `{"_id","title","text","metadata"}` record per line, into
 * documents with `id = _id`, `source = "<file>#<_id>"` and the record's text as one paragraph
 * (the title stays separate). A bad line yields an `InvalidInputError` with path `<file>:<line>`
 * and reading continues; blank lines are ignored.
 */
export async function* loadBeirCorpus(
  filePath: string,
  options: BeirCorpusOptions = {},
): AsyncGenerator<BeirLoadResult> {
  const source = options.source ?? basename(filePath);
  const lines = readLines(filePath, { maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES });
  try {
    for await (const line of lines) {
      if ('problem' in line) {
        yield { ok: false, error: new InvalidInputError(`${source}:${line.lineNumber}`, line.problem) };
      } else if (line.text.trim() !== '') {
        yield parseRecord(line.text, source, line.lineNumber);
      }
    }
  } catch (error) {
    yield { ok: false, error: new InvalidInputError(source, describeFsError(error), { cause: error }) };
  }
}

function parseRecord(line: string, source: string, lineNumber: number): BeirLoadResult {
  const fail = (reason: string, cause?: unknown): BeirLoadResult => ({
    ok: false,
    error: new InvalidInputError(`${source}:${lineNumber}`, reason, { cause }),
  });
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (error) {
    return fail(`invalid JSON: ${truncate(error instanceof Error ? error.message : String(error))}`, error);
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return fail('not a JSON object');
  }
  const { _id: rawId, title: rawTitle, text, metadata } = record as Record<string, unknown>;
  const id = typeof rawId === 'number' ? String(rawId) : rawId;
  if (typeof id !== 'string' || id === '') return fail('missing "_id"');
  if (typeof text !== 'string') return fail('"text" must be a string');
  const title = typeof rawTitle === 'string' ? rawTitle.trim() : '';
  if (title === '' && text.trim() === '') return fail('empty record (no "title" or "text")');
  const isObject = typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata);
  return {
    ok: true,
    document: createDocument({
      id,
      source: `${source}#${id}`,
      title,
      format: 'beir',
      // A title-only record becomes its own single paragraph, so it still yields a chunk.
      blocks: [{ kind: 'paragraph', text: text.trim() === '' ? title : text, headingsPath: [] }],
      metadata: isObject ? toScalarMetadata(metadata as Record<string, unknown>) : {},
    }),
  };
}

function truncate(message: string): string {
  return message.length > 120 ? `${message.slice(0, 117)}...` : message;
}
