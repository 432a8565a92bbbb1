import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../config/index.ts';
import type { CommandContext } from './command-context.ts';
import { closestMatch } from './did-you-mean.ts';
import { EXIT } from './exit-codes.ts';
import { runCli } from './main.ts';
import { ProgressBar } from './progress-bar.ts';

// In-process runs of the CLI: what a user sees on a typo, a missing path or a bad flag value.

interface Captured {
  stream: NodeJS.WriteStream;
  text(): string;
}

function capture(tty?: { columns: number }): Captured {
  let written = '';
  const stream = {
    isTTY: tty !== undefined,
    columns: tty?.columns,
    write(chunk: string | Uint8Array) {
      written += chunk.toString();
      return true;
    },
  };
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => written };
}

async function run(args: string[], env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-polish-'));
  const stdout = capture();
  const stderr = capture();
  const context: CommandContext = {
    stdout: stdout.stream,
    stderr: stderr.stream,
    config: () =>
      loadConfig({ cwd: dir, env: { CAIRN_INDEX: path.join(dir, '.cairn', 'index.db'), ...env } }),
  };
  const code = await runCli(args, context);
  return { code, stdout: stdout.text(), stderr: stderr.text(), dir };
}

test('the progress bar shows whole file names, and the end of a path too long for the terminal', () => {
  const wide = capture({ columns: 100 });
  const bar = new ProgressBar(wide.stream, 'ingesting', 4);
  bar.update(4, 'api/context.md');
  assert.match(wide.text(), /4\/4 \S+\/s api\/context\.md$/);

  const narrow = capture({ columns: 80 });
  const narrowBar = new ProgressBar(narrow.stream, 'ingesting', 4);
  narrowBar.update(4, 'docs/reference/very/deep/folder/structure/api/context.md');
  const line = narrow.text().replace('\r\u001b[2K', '');
  assert.ok(line.length <= 79, line);
  assert.match(line, /…\S*api\/context\.md$/);
});

test('ingest of a missing path is a usage error naming the path and the fix', async () => {
  const missing = await run(['ingest', './missing']);
  assert.equal(missing.code, EXIT.usage, missing.stderr);
  assert.match(missing.stderr, /\.\/missing: no such file or folder; pass an existing folder or file/);
  assert.doesNotMatch(missing.stderr, /unexpected error/);
});

test('ask and search before any ingest exit 4 at once, naming the index and the fix, creating nothing', async () => {
  for (const args of [
    ['ask', 'how are keys rotated?'],
    ['search', 'keys'],
  ]) {
    // The default local embedder: reaching it would load the model before the index check.
    const result = await run(args);
    assert.equal(result.code, EXIT.index, `${args[0]}: ${result.stderr}`);
    assert.match(
      result.stderr,
      /no index at \S+\.cairn\/index\.db: run "cairn ingest <folder>" first, or pass --index/,
    );
    assert.equal(fs.existsSync(path.join(result.dir, '.cairn')), false, `${args[0]} created .cairn/`);
  }
});

test('serve --port outside 0..65535 is a usage error naming the flag', async () => {
  for (const port of ['99999', '-1', '80.5', 'http']) {
    const result = await run(['serve', `--port=${port}`], { CAIRN_EMBEDDER: 'hashing' });
    assert.equal(result.code, EXIT.usage, result.stderr);
    assert.match(result.stderr, new RegExp(`--port must be an integer in \\[0, 65535\\], got "${port}"`));
    assert.doesNotMatch(result.stderr, /unexpected error/);
    assert.equal(fs.existsSync(path.join(result.dir, '.cairn')), false);
  }
});

test('mistyped commands, subcommands and flags get a did-you-mean', async () => {
  const command = await run(['injest', './docs']);
  assert.equal(command.code, EXIT.usage);
  assert.match(command.stderr, /unknown command "injest"; did you mean "cairn ingest"\?/);

  const sub = await run(['eval', 'retrival']);
  assert.equal(sub.code, EXIT.usage);
  assert.match(sub.stderr, /unknown subcommand "retrival"; did you mean "cairn eval retrieval"\?/);

  const flag = await run(['ask', '--topk', '3', 'how are keys rotated?']);
  assert.equal(flag.code, EXIT.usage);
  assert.match(flag.stderr, /Unknown option '--topk' \(did you mean --top-k\?\)/);

  const searchFlag = await run(['search', 'keys', '--mdoe', 'bm25']);
  assert.match(searchFlag.stderr, /Unknown option '--mdoe' \(did you mean --mode\?\)/);

  const far = await run(['frobnicate']);
  assert.equal(far.code, EXIT.usage);
  assert.doesNotMatch(far.stderr, /did you mean/);
  assert.match(far.stderr, /Usage:/);
});

test('closestMatch allows about one edit per three characters, swaps included', () => {
  assert.equal(closestMatch('serch', ['ingest', 'search', 'serve']), 'search');
  assert.equal(closestMatch('sreach', ['search']), 'search');
  assert.equal(closestMatch('xyz', ['ask', 'eval']), undefined);
  assert.equal(closestMatch('ask', ['ask']), undefined);
});
