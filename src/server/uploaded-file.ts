import path from 'node:path';
import type { CollectionBinding, StoredDocument } from '../spec/index.ts';

/** The collection every HTTP upload goes into: ids are `uploads/<file name>`. */
export const UPLOADS_COLLECTION = 'uploads';

/** A tenant's upload folder, or undefined when the tenant name would leave `uploadsDir`. */
export function tenantUploadsDir(uploadsDir: string, tenant: string): string | undefined {
  const base = path.resolve(uploadsDir);
  const dir = path.resolve(base, tenant);
  return path.dirname(dir) === base && tenant !== '' && !tenant.startsWith('.') ? dir : undefined;
}

/**
 * The uploaded file behind a document, or undefined when it is not an upload of this tenant:
 * only `uploads/<name>` with source `<name>`, in a collection bound to the tenant's upload folder,
 * maps to `<uploadsDir>/<tenant>/<name>`. Names that are path-like or hidden never map.
 */
export function uploadedFileOf(
  uploadsDir: string,
  tenant: string,
  document: Pick<StoredDocument, 'id' | 'source' | 'metadata'>,
  bindings: CollectionBinding[],
): string | undefined {
  const dir = tenantUploadsDir(uploadsDir, tenant);
  if (dir === undefined || document.metadata.collection !== UPLOADS_COLLECTION) return undefined;
  const bound = bindings.find((binding) => binding.name === UPLOADS_COLLECTION);
  if (bound === undefined || path.resolve(bound.root) !== dir) return undefined;
  const name = document.source;
  if (document.id !== `${UPLOADS_COLLECTION}/${name}`) return undefined;
  if (name === '' || name.startsWith('.') || /[\\/]/.test(name) || path.basename(name) !== name)
    return undefined;
  const file = path.resolve(dir, name);
  return path.dirname(file) === dir ? file : undefined;
}
