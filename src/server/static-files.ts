import fs from 'node:fs';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/**
 * A file of the built web UI for a request path, or `index.html` for app routes. Paths are
 * resolved inside `root` only; anything that would leave it is treated as not found.
 */
export function readStaticFile(
  root: string,
  requestPath: string,
): { body: Buffer; type: string; immutable: boolean } | undefined {
  const resolvedRoot = path.resolve(root);
  const relative = decodeURIComponent(requestPath).replace(/^\/+/, '');
  const candidate = path.resolve(resolvedRoot, relative);
  if (!candidate.startsWith(resolvedRoot + path.sep) && candidate !== resolvedRoot) return undefined;
  const file =
    fs.existsSync(candidate) && fs.statSync(candidate).isFile()
      ? candidate
      : path.join(resolvedRoot, 'index.html');
  if (!fs.existsSync(file)) return undefined;
  return {
    body: fs.readFileSync(file),
    type: TYPES[path.extname(file)] ?? 'application/octet-stream',
    // Vite puts a content hash in asset names, so they can be cached forever.
    immutable: file.includes(`${path.sep}assets${path.sep}`),
  };
}
