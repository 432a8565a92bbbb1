import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/index.ts';
import { makeDocxBomb } from '../ingest/__fixtures__/make-bombs.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { runCli } from './main.ts';

const bin = fileURLToPath(new URL('../../bin/cairn.js', import.meta.url));
// Well under what inflating the bomb whole takes, so a regression is a quick crash, not a hog.
const CHILD_HEAP_MB = 384;

function workspace(): { dir: string; docs: string; index: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-limits-'));
  const docs = path.join(dir, 'folder');
  fs.mkdirSync(docs);
  fs.writeFileSync(path.join(docs, 'bomb.docx'), makeDocxBomb(400));
  fs.writeFileSync(
    path.join(docs, 'good1.md'),
    '# Key rotation\n\nRotate API keys every ninety days and revoke the old key after a day.\n',
  );
  return { dir, docs, index: path.join(dir, 'index.db') };
}

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = {
    write: (chunk: string | Uint8Array) => {
      text += String(chunk);
      return true;
    },
    isTTY: false,
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

test('cairn ingest fails a DOCX bomb with the limit named, indexes the good file and exits partial', async () => {
  const { dir, docs, index } = workspace();
  const stdout = capture();
  const stderr = capture();
  const context: CommandContext = {
    stdout: stdout.stream,
    stderr: stderr.stream,
    config: () => loadConfig({ cwd: dir, env: {} }),
  };
  try {
    const code = await runCli(['ingest', docs, '--index', index, '--embedder', 'hashing'], context);
    assert.equal(code, EXIT.partial, stderr.text());
    assert.match(
      stderr.text(),
      /failed {2}bomb\.docx: word\/document\.xml inflates past the 64 MB unpacked limit \(possible zip bomb\); raise --max-unpacked-mb/,
    );
    assert.match(stdout.text(), /1 added, .* 1 failed, .*holds 1 documents/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the bomb fails in a process with a small heap, and --max-unpacked-mb lowers the limit', () => {
  const { dir, docs, index } = workspace();
  try {
    const result = spawnSync(
      process.execPath,
      [
        `--max-old-space-size=${CHILD_HEAP_MB}`,
        bin,
        'ingest',
        docs,
        '--embedder',
        'hashing',
        '--max-unpacked-mb',
        '16',
      ],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, CAIRN_INDEX: index } },
    );
    assert.equal(
      result.status,
      EXIT.partial,
      `signal ${result.signal}; stderr: ${result.stderr.slice(-2000)}`,
    );
    assert.match(
      result.stderr,
      /failed {2}bomb\.docx: word\/document\.xml inflates past the 16 MB unpacked limit/,
    );
    assert.match(result.stdout, /1 added, .* 1 failed, .*holds 1 documents/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
