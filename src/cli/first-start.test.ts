import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { spawnCairn, untilPrinted } from '../testing/cairn-process.ts';

// What the README tells a new user to do: `cairn serve` in a folder that has no index yet. This
// is a real process because creating `.cairn/`, printing the key and exiting on SIGTERM is the point.

test('cairn serve in an empty folder creates .cairn/index.db, prints an admin key and stops on SIGTERM', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-first-start-'));
  const env: NodeJS.ProcessEnv = { ...process.env, CAIRN_EMBEDDER: 'hashing' };
  delete env.CAIRN_INDEX;
  const server = spawnCairn(['serve', '--port', '0'], { cwd: dir, env });
  try {
    const stdout = await untilPrinted(server, /admin key[^\n]*\n {2}\S+\n/);
    const url = /(http:\/\/[\d.]+:\d+)/.exec(stdout)?.[1];
    const key = /admin key[^\n]*\n {2}(\S+)/.exec(stdout)?.[1];
    assert.ok(url, stdout);
    assert.match(key ?? '', /^cairn_/, stdout);
    assert.ok(fs.existsSync(path.join(dir, '.cairn', 'index.db')), 'the index is created');

    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
  } finally {
    server.child.kill('SIGTERM');
  }
  assert.equal(await server.exit, 0, server.stderr());
  assert.match(server.stdout(), /shutting down/);
  assert.equal(fs.existsSync(path.join(dir, '.cairn', 'index.db.lock')), false, 'the lock is released');
});
