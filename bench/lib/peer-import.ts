import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const peersDir = fileURLToPath(new URL('../peers/', import.meta.url));

/**
 * Imports a peer system installed under `bench/peers/` (installing that folder from the npm
 * registry on first use). Peers live outside the main lock file so `npm ci` stays reproducible.
 */
export async function importPeer<T>(name: string): Promise<T> {
  if (!fs.existsSync(path.join(peersDir, 'node_modules', name))) {
    process.stderr.write(`installing the benchmark peers in ${peersDir} (npm install)\n`);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock'], {
      cwd: peersDir,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }
  const resolved = createRequire(path.join(peersDir, 'package.json')).resolve(name);
  return (await import(pathToFileURL(resolved).href)) as T;
}
