import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// bin/cairn.js runs dist/ only while it is a complete build of the sources as they are: a copy of
// the script in a folder whose src/ and dist/ entry points say which one ran.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('bin/cairn.js runs a complete build newer than the sources, and the sources otherwise', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bin-'));
  fs.mkdirSync(path.join(dir, 'bin'));
  for (const file of ['cairn.js', 'build-current.js'])
    fs.copyFileSync(path.join(root, 'bin', file), path.join(dir, 'bin', file));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  write('src/cli/run.ts', "const ran: string = 'source';\nconsole.log(ran);\n");
  write('dist/cli/run.js', "console.log('built');\n");
  const ran = () => spawnSync(process.execPath, [path.join(dir, 'bin', 'cairn.js')], { encoding: 'utf8' });
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(path.join(dir, 'src/cli/run.ts'), past, past);

  assert.equal(ran().stdout.trim(), 'source', 'no build: the sources');
  write('dist/.build-complete', '');
  const builtAt = new Date(past.getTime() + 30_000);
  fs.utimesSync(path.join(dir, 'dist/.build-complete'), builtAt, builtAt);
  assert.equal(ran().stdout.trim(), 'built', 'a complete build started after the last edit');
  write('src/cli/other.ts', 'export {};\n');
  assert.equal(ran().stdout.trim(), 'source', 'a source file changed since the build started');
});
