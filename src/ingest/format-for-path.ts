import { extname } from 'node:path';
import type { DocumentFormat } from '../spec/index.ts';

const FORMAT_BY_EXTENSION: ReadonlyMap<string, DocumentFormat> = new Map([
  ['.md', 'markdown'],
  ['.markdown', 'markdown'],
  ['.txt', 'text'],
  ['.text', 'text'],
  ['.html', 'html'],
  ['.htm', 'html'],
  ['.pdf', 'pdf'],
  ['.docx', 'docx'],
  ['.jsonl', 'beir'],
]);

/**
 * The format cairn loads a file as, decided by its extension (case-insensitive), or `undefined`
 * when the extension is not supported. `.jsonl` files are read as BEIR corpora.
 */
export function formatForPath(path: string): DocumentFormat | undefined {
  return FORMAT_BY_EXTENSION.get(extname(path).toLowerCase());
}
