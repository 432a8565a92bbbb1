import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

// `cairn eval judge-check` through the real binary on answer labels stored as spans of a corpus
// folder, the way the Vitest labels point into the shared Vitest docs. The page is our own text.
const bin = fileURLToPath(new URL('../../bin/cairn.js', import.meta.url));
const PAGE = '# timeout\n\nThe default timeout is 5000 ms in Node.js and 15000 ms in a browser.\n';
const QUOTE = 'The default timeout is 5000 ms in Node.js';
const ANSWER = `${QUOTE} [1].`;

let dir = '';

function cairn(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CAIRN_INDEX: path.join(dir, 'index.db'), CAIRN_EMBEDDER: 'hashing' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writeLabels(file: string, sha256: string) {
  const start = PAGE.indexOf(QUOTE);
  const label = {
    id: 'vj-1',
    kind: 'answer',
    corpus: 'vitest-docs',
    question: 'What is the default timeout in Node.js?',
    reference: 'The default timeout is 5000 ms in Node.js.',
    answer_pieces: [{ doc: 'config/timeout.md', start, end: start + QUOTE.length }, ' [1].'],
    answer_sha256: sha256,
    abstained: false,
    citations: [{ n: 1, docId: 'docs/config/timeout.md', chunkId: 'docs/config/timeout.md#0' }],
    correctness: 'correct',
    supported: true,
    relevant: true,
    note: '',
    split: 'test',
  };
  fs.writeFileSync(path.join(dir, file), `${JSON.stringify(label)}\n`);
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-judge-check-'));
  fs.mkdirSync(path.join(dir, 'docs', 'config'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'docs', 'config', 'timeout.md'), PAGE);
  const ingest = cairn(['ingest', 'docs']);
  assert.equal(ingest.code, 0, ingest.stderr);
  writeLabels('labels.jsonl', createHash('sha256').update(ANSWER).digest('hex'));
  writeLabels('stale.jsonl', createHash('sha256').update('another answer').digest('hex'));
});

test('judge-check --help documents --vitest-docs', () => {
  const help = cairn(['eval', 'judge-check', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--vitest-docs DIR/);
});

test('judge-check rebuilds answers stored as spans from --vitest-docs and scores them', () => {
  const checked = cairn([
    'eval',
    'judge-check',
    '--labels',
    'labels.jsonl',
    '--vitest-docs',
    'docs',
    '--index',
    'index.db',
    '--json',
  ]);
  assert.equal(checked.code, 0, checked.stderr);
  const report = JSON.parse(checked.stdout) as { perMetric: { metric: string; stats: { n: number } }[] };
  const recall = report.perMetric.find((row) => row.metric === 'key_fact_recall');
  assert.equal(recall?.stats.n, 1);
});

test('judge-check says which folder the labels need when the docs are missing', () => {
  const missing = path.join(dir, 'no-docs');
  const checked = cairn(['eval', 'judge-check', '--labels', 'labels.jsonl', '--vitest-docs', missing]);
  assert.equal(checked.code, 1);
  assert.match(checked.stderr, /labels\.jsonl:1/);
  assert.ok(checked.stderr.includes(missing), checked.stderr);
  assert.match(checked.stderr, /--vitest-docs DIR/);
});

test('judge-check names the label whose rebuilt answer does not match its sha256', () => {
  const checked = cairn(['eval', 'judge-check', '--labels', 'stale.jsonl', '--vitest-docs', 'docs']);
  assert.equal(checked.code, 2);
  assert.match(checked.stderr, /stale\.jsonl:1: label vj-1: .*config\/timeout\.md/);
});
