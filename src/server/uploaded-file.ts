import path from 'node:path';
import type { StoredDocument } from '../spec/index.ts';

/** The collection every HTTP upload goes into: ids are `uploads/<file name>`. */
export const UPLOADS_COLLECTION = 'uploads';

/**
 * The uploaded file name behind a document, or undefined when it is not an upload: only
 * `uploads/<name>` with source `<name>` in the uploads collection maps to the upload `<name>`.
 * Names that are path-like or hidden never map.
 */
export function uploadNameOf(
  document: Pick<StoredDocument, 'id' | 'source' | 'metadata'>,
): string | undefined {
  if (document.metadata.collection !== UPLOADS_COLLECTION) return undefined;
  const name = document.source;
  if (document.id !== `${UPLOADS_COLLECTION}/${name}`) return undefined;
  if (name === '' || name.startsWith('.') || /[\\/]/.test(name) || path.basename(name) !== name)
    return undefined;
  return name;
}
