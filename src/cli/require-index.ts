import fs from 'node:fs';
import { CairnError } from '../spec/index.ts';

/**
 * Fails with `index_not_found` (exit code 4) unless the index file exists. Commands that only
 * read an index call it before anything else, so a missing index is reported at once, before an
 * embedding model is loaded or a folder is created.
 */
export function requireIndex(indexPath: string): void {
  if (fs.existsSync(indexPath)) return;
  throw new CairnError(
    'index_not_found',
    `no index at ${indexPath}: run "cairn ingest <folder>" first, or pass --index`,
  );
}
