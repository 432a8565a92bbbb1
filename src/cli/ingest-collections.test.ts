import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/cairn.js', import.meta.url));

function cairn(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [bin, ...args, '--embedder', 'hashing'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CAIRN_INDEX: path.join(cwd, 'index.db') },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

test('ingesting two folders that both hold README.md keeps both, and --collection names a third', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-cli-collections-'));
  write(path.join(dir, 'a', 'README.md'), '# A\n\nAlpha readme about apples.\n');
  write(path.join(dir, 'b', 'README.md'), '# B\n\nBeta readme about bananas.\n');
  write(path.join(dir, 'elsewhere', 'a', 'README.md'), '# Other A\n\nAnother alpha readme.\n');
  assert.match(cairn(['ingest', 'a'], dir).stdout, /1 added, 0 updated/);
  const second = cairn(['ingest', 'b', '--json'], dir);
  assert.equal(second.code, 0, second.stderr);
  const summary = JSON.parse(second.stdout) as { added: number; updated: number; collection: string };
  assert.deepEqual([summary.added, summary.updated, summary.collection], [1, 0, 'b']);

  const clash = cairn(['ingest', path.join('elsewhere', 'a')], dir);
  assert.equal(clash.code, 2);
  assert.match(
    clash.stderr,
    /collection "a" already holds .*\/a; pass --collection OTHER to keep both, or --collection a to declare this the same collection moved/,
  );
  const named = cairn(['ingest', path.join('elsewhere', 'a'), '--collection', 'a-elsewhere'], dir);
  assert.match(named.stdout, /1 added, 0 updated.*holds 3 documents/);

  const bad = cairn(['ingest', 'a', '--collection', 'a b'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--collection "a b": a collection name holds only letters, digits/);

  const search = cairn(['search', 'readme', '--json'], dir);
  const ids = (JSON.parse(search.stdout) as { results: { docId: string }[] }).results.map((r) => r.docId);
  assert.deepEqual([...new Set(ids)].sort(), ['a-elsewhere/README.md', 'a/README.md', 'b/README.md']);
});
