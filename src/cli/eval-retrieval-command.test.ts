import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startPgliteServer } from '../testing/start-pglite-server.ts';

const bin = fileURLToPath(new URL('../../bin/cairn.js', import.meta.url));
const server = await startPgliteServer();
after(() => server.close());

/** Runs the CLI without blocking this process, whose event loop serves the database. */
function cairn(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

function tinyDataset(): { dir: string; dataset: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-eval-pg-'));
  const dataset = path.join(dir, 'tiny');
  fs.mkdirSync(path.join(dataset, 'qrels'), { recursive: true });
  const corpus = [
    { _id: 'd1', title: 'Vitamin D', text: 'Vitamin D deficiency is linked to bone loss in older adults.' },
    { _id: 'd2', title: 'Sleep', text: 'Short sleep raises the risk of obesity in children.' },
    { _id: 'd3', title: 'Exercise', text: 'Aerobic exercise lowers resting blood pressure.' },
  ];
  fs.writeFileSync(
    path.join(dataset, 'corpus.jsonl'),
    `${corpus.map((d) => JSON.stringify(d)).join('\n')}\n`,
  );
  fs.writeFileSync(
    path.join(dataset, 'queries.jsonl'),
    `${JSON.stringify({ _id: 'q1', text: 'vitamin D and bone loss' })}\n${JSON.stringify({ _id: 'q2', text: 'sleep and childhood obesity' })}\n`,
  );
  fs.writeFileSync(
    path.join(dataset, 'qrels', 'test.tsv'),
    'query-id\tcorpus-id\tscore\r\nq1\td1\t1\r\nq2\td2\t1\r\n',
  );
  return { dir, dataset };
}

test('eval retrieval --store postgres://… ingests the corpus into Postgres once and scores it', async () => {
  const { dir, dataset } = tinyDataset();
  const args = [
    'eval',
    'retrieval',
    '--dataset',
    dataset,
    '--store',
    server.url,
    '--embedder',
    'hashing',
    '--json',
  ];
  const first = await cairn([...args, '--mode', 'bm25'], dir);
  assert.equal(first.code, 0, first.stderr);
  const report = JSON.parse(first.stdout) as Record<string, unknown>;
  assert.equal(report['ndcg@10'], 1);
  assert.equal(report.index, server.url);
  assert.equal(report.indexedNow, 3);
  const hybrid = await cairn([...args, '--mode', 'hybrid', '--exact'], dir);
  assert.equal(hybrid.code, 0, hybrid.stderr);
  const second = JSON.parse(hybrid.stdout) as Record<string, unknown>;
  assert.equal(second.indexedNow, 0);
  assert.equal(second.queries, 2);
  assert.ok(!fs.existsSync(path.join(dir, '.cairn')), 'no SQLite index was created');
});

test('eval retrieval --store with an unreachable server fails in one line naming the URL', async () => {
  const { dir, dataset } = tinyDataset();
  const url = 'postgres://cairn:secret@127.0.0.1:1/cairn';
  const run = await cairn(
    ['eval', 'retrieval', '--dataset', dataset, '--store', url, '--embedder', 'hashing'],
    dir,
  );
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /cannot connect to Postgres at postgres:\/\/cairn:\*\*\*@127\.0\.0\.1:1\/cairn/);
  assert.doesNotMatch(run.stderr, /secret|\n\s+at /);
});
