import { basename } from 'node:path';
import { CairnError } from '../spec/index.ts';

const COLLECTION_NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** True for a usable collection name: letters, digits, `-`, `_` and `.`, not `.` or `..`. */
export function isCollectionName(name: string): boolean {
  return COLLECTION_NAME.test(name) && name !== '.' && name !== '..';
}

/**
 * Returns `name` when it is a usable collection name, else throws `invalid_option`. `origin` says
 * where the name came from: `'flag'` for `--collection`, or the folder it was derived from.
 */
export function checkCollectionName(name: string, origin: 'flag' | { folder: string }): string {
  if (isCollectionName(name)) return name;
  const rule = 'a collection name holds only letters, digits, "-", "_" and "." (at most 100)';
  throw new CairnError(
    'invalid_option',
    origin === 'flag'
      ? `--collection "${name}": ${rule}`
      : `cannot name a collection after the folder "${name}" (${origin.folder}): ${rule}; pass --collection NAME`,
  );
}

/** The collection an ingest root gets by default: the root folder's base name. */
export function defaultCollectionName(root: string): string {
  return basename(root);
}

/** A file's document id: `<collection>/<path relative to the collection root, with extension>`. */
export function documentIdFor(collection: string, relativePath: string): string {
  return `${collection}/${relativePath}`;
}
