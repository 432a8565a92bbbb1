import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// What the README tells a new user to do: `cairn serve` in a folder that has no index yet. This
// is a real process because creating `.cairn/`, printing the key and exiting on SIGTERM is the point.
const bin = fileURLToPath(new URL('../../bin/cairn.js', import.meta.url));

test('cairn serve in an empty folder creates .cairn/index.db, prints an admin key and stops on SIGTERM', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-first-start-'));
  const env: NodeJS.ProcessEnv = { ...process.env, CAIRN_EMBEDDER: 'hashing' };
  delete env.CAIRN_INDEX;
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { cwd: dir, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (/admin key[^\n]*\n {2}\S+\n/.test(stdout)) {
          clearInterval(timer);
          resolve();
        }
      }, 50);
      void exit.then(() => {
        clearInterval(timer);
        reject(new Error(`cairn serve exited before listening:\n${stdout}${stderr}`));
      });
    });
    const url = /(http:\/\/[\d.]+:\d+)/.exec(stdout)?.[1];
    const key = /admin key[^\n]*\n {2}(\S+)/.exec(stdout)?.[1];
    assert.ok(url, stdout);
    assert.match(key ?? '', /^cairn_/, stdout);
    assert.ok(fs.existsSync(path.join(dir, '.cairn', 'index.db')), 'the index is created');

    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exit, 0, stderr);
  assert.match(stdout, /shutting down/);
  assert.equal(fs.existsSync(path.join(dir, '.cairn', 'index.db.lock')), false, 'the lock is released');
});
