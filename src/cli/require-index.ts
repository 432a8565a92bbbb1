import fs from 'node:fs';
import { CairnError } from '../spec/index.ts';
import { storageFilePath } from '../store/parse-storage-url.ts';

/**
 * Fails with `index_not_found` (exit code 4) unless the index file exists. Commands that only
 * read an index call it before anything else, so a missing index is reported at once, before an
 * embedding model is loaded or a folder is created. A storage URL without a file (postgres://) is
 * checked when it is opened; a malformed one fails here with the accepted forms.
 */
export function requireIndex(indexPath: string): void {
  const file = storageFilePath(indexPath);
  if (file === undefined || fs.existsSync(file)) return;
  throw new CairnError(
    'index_not_found',
    `no index at ${indexPath}: run "cairn ingest <folder>" first, or pass --index`,
  );
}
