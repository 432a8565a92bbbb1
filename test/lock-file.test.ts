import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// `npm ci` is how CI and reproducible builds install; it refuses a lock out of step with
// package.json (for example one missing optional platform packages). A dry run checks that
// without touching node_modules or the network.
test('npm ci accepts the committed lock file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-lock-'));
  for (const file of ['package.json', 'package-lock.json'])
    fs.copyFileSync(path.join(root, file), path.join(dir, file));
  const result = spawnSync(
    'npm',
    ['ci', '--dry-run', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'],
    { cwd: dir, encoding: 'utf8' },
  );
  fs.rmSync(dir, { recursive: true, force: true });
  const errors = result.stderr
    .split('\n')
    .filter((line) => line.startsWith('npm error'))
    .join('\n');
  assert.equal(result.status, 0, `npm ci refused the lock file:\n${errors}`);
});
