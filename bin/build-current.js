// Whether dist/ may stand in for src/: shared by bin/cairn.js and the CLI latency benchmark.
import fs from 'node:fs';
import path from 'node:path';

/**
 * True when `root/dist` holds a complete build (`npm run build` writes `dist/.build-complete`
 * last, with the time the build started) and no file under `root/src` changed after that time.
 * @param {string} root the package folder
 * @returns {boolean}
 */
export function isBuildCurrent(root) {
  let builtAt;
  try {
    builtAt = fs.statSync(path.join(root, 'dist', '.build-complete')).mtimeMs;
  } catch {
    return false;
  }
  for (const entry of fs.readdirSync(path.join(root, 'src'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs > builtAt)
      return false;
  }
  return true;
}
