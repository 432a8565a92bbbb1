import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { spawnCairn } from '../testing/cairn-process.ts';

// These spawn the real CLI because exiting is the behaviour under test: an in-process runCli()
// returns its code whether or not a thread or port would have kept the process alive.
const EXIT_TIMEOUT_MS = 60_000;

interface Finished {
  code: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

async function runCairn(args: string[], cwd: string): Promise<Finished> {
  // Two embedding threads, the default on a two-core machine, whatever this one has.
  const run = spawnCairn(args, { cwd, env: { ...process.env, CAIRN_EMBED_THREADS: '2', NO_COLOR: '1' } });
  run.child.stdin.end();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    run.child.kill('SIGKILL');
  }, EXIT_TIMEOUT_MS);
  const code = await run.exit;
  clearTimeout(timer);
  return { code, timedOut, stdout: run.stdout(), stderr: run.stderr() };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-exit-'));
}

function assertExited(run: Finished, what: string): void {
  assert.equal(
    run.timedOut,
    false,
    `${what} printed its output but was still running after ${EXIT_TIMEOUT_MS} ms\nstdout: ${run.stdout}\nstderr: ${run.stderr}`,
  );
  assert.equal(run.code, 0, `${what} failed\nstderr: ${run.stderr}`);
}

test('cairn ingest of one Markdown file into a fresh index exits when done', async () => {
  const dir = tempDir();
  try {
    fs.mkdirSync(path.join(dir, 'docs'));
    fs.writeFileSync(
      path.join(dir, 'docs', 'only.md'),
      '# Decay\n\nAlpha particles are helium nuclei emitted in radioactive decay.\n',
    );
    const run = await runCairn(['ingest', 'docs', '--index', 'index.db'], dir);
    assertExited(run, 'cairn ingest');
    assert.match(run.stdout, /1 added/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('cairn eval retrieval exits in dense and hybrid mode, also when the index is cached', async () => {
  const dir = tempDir();
  try {
    const dataset = path.join(dir, 'tiny');
    fs.mkdirSync(path.join(dataset, 'qrels'), { recursive: true });
    const docs = [
      { _id: 'd1', title: 'Alpha', text: 'Alpha particles are helium nuclei emitted in radioactive decay.' },
      { _id: 'd2', title: 'Beta', text: 'Beta decay turns a neutron into a proton and emits an electron.' },
      { _id: 'd3', title: 'Lunch', text: 'A sandwich with cheese and tomato makes a quick lunch.' },
    ];
    fs.writeFileSync(path.join(dataset, 'corpus.jsonl'), docs.map((doc) => JSON.stringify(doc)).join('\n'));
    fs.writeFileSync(
      path.join(dataset, 'queries.jsonl'),
      [
        { _id: 'q1', text: 'what are alpha particles' },
        { _id: 'q2', text: 'what makes a quick lunch' },
      ]
        .map((query) => JSON.stringify(query))
        .join('\n'),
    );
    fs.writeFileSync(
      path.join(dataset, 'qrels', 'test.tsv'),
      'query-id\tcorpus-id\tscore\r\nq1\td1\t1\r\nq2\td3\t1\r\n',
    );
    const runs: { mode: string; indexedNow: number }[] = [];
    for (const mode of ['dense', 'dense', 'hybrid']) {
      const run = await runCairn(
        ['eval', 'retrieval', '--dataset', dataset, '--mode', mode, '--cache-dir', 'cache', '--json'],
        dir,
      );
      assertExited(run, `cairn eval retrieval --mode ${mode}`);
      const report = JSON.parse(run.stdout) as { indexedNow: number; 'ndcg@10': number };
      assert.ok(report['ndcg@10'] > 0);
      runs.push({ mode, indexedNow: report.indexedNow });
    }
    // The first run builds the cached index; the later ones only query it.
    assert.deepEqual(runs, [
      { mode: 'dense', indexedNow: 3 },
      { mode: 'dense', indexedNow: 0 },
      { mode: 'hybrid', indexedNow: 0 },
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
