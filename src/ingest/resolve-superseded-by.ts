import fs from 'node:fs';
import path from 'node:path';
import { documentIdFor } from './collection-name.ts';
import { formatForPath } from './format-for-path.ts';

// Tried in this order when a `superseded_by` value names a file without its extension.
const EXTENSIONS = ['.md', '.markdown', '.txt', '.text', '.html', '.htm', '.pdf', '.docx'];

/**
 * The document id a `superseded_by` front-matter value points at, resolved within the same
 * collection: `data-retention-policy-2025`, `data-retention-policy-2025.md` and
 * `field-guide/data-retention-policy-2025.md` all name `field-guide/data-retention-policy-2025.md`
 * when that file is in the collection root. Without an extension, the first existing file with a
 * supported one wins; a value naming no file becomes `<collection>/<value>` as written.
 */
export function resolveSupersededBy(value: string, collection: { name: string; root: string }): string {
  const written = value.trim().replace(/\\/g, '/');
  const relative = written.startsWith(`${collection.name}/`)
    ? written.slice(collection.name.length + 1)
    : written;
  const inside = (candidate: string) => {
    const absolute = path.resolve(collection.root, candidate);
    const fromRoot = path.relative(collection.root, absolute);
    return fromRoot !== '' && !fromRoot.startsWith('..') && !path.isAbsolute(fromRoot);
  };
  if (relative === '' || !inside(relative)) return written;
  const candidates =
    formatForPath(relative) === undefined
      ? EXTENSIONS.map((extension) => `${relative}${extension}`)
      : [relative, ...EXTENSIONS.map((extension) => `${relative}${extension}`)];
  const found = candidates.find((candidate) => fs.existsSync(path.join(collection.root, candidate)));
  return documentIdFor(collection.name, path.posix.normalize(found ?? relative));
}
