import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { defaultAnswerSources, loadJudgeLabels } from './judge-check.ts';

// A stand-in for a public corpus: two pages we wrote, read in place the way the Vitest docs are.
const PAGES: Record<string, string> = {
  'config/timeout.md': '# timeout\n\nThe default timeout is 5000 ms in Node.js and 15000 ms in a browser.\n',
  'guide/hooks.md': '# Hooks\n\nA hook that runs longer than 10000 ms fails the test.\n',
};
const ANSWER =
  'The default timeout is 5000 ms in Node.js [1]. A hook that runs longer than 10000 ms fails [2].';

function corpusDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-corpus-'));
  for (const [file, text] of Object.entries(PAGES)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** The spans of `ANSWER` in the pages, with our own glue between them. */
function pieces() {
  const span = (doc: string, quote: string) => {
    const start = (PAGES[doc] as string).indexOf(quote);
    assert.ok(start >= 0, quote);
    return { doc, start, end: start + quote.length };
  };
  return [
    span('config/timeout.md', 'The default timeout is 5000 ms in Node.js'),
    ' [1]. ',
    span('guide/hooks.md', 'A hook that runs longer than 10000 ms fails'),
    ' [2].',
  ];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function storedLabel(extra: Record<string, unknown>) {
  return {
    id: 'vj-1',
    kind: 'answer',
    corpus: 'vitest-docs',
    question: 'What is the default timeout?',
    reference: 'It is 5000 ms in Node.js.',
    answer_pieces: pieces(),
    answer_sha256: sha256(ANSWER),
    abstained: false,
    citations: [{ n: 1, docId: 'docs/config/timeout.md', chunkId: 'docs/config/timeout.md#0' }],
    correctness: 'correct',
    supported: true,
    relevant: true,
    note: '',
    split: 'test',
    ...extra,
  };
}

function labelFile(...labels: object[]): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-labels-')), 'labels.jsonl');
  fs.writeFileSync(file, `${labels.map((label) => JSON.stringify(label)).join('\n')}\n`);
  return file;
}

test('an answer stored as spans of a corpus is rebuilt from its folder', () => {
  const dir = corpusDir();
  const [label] = loadJudgeLabels(labelFile(storedLabel({})), { sources: { 'vitest-docs': dir } });
  assert.equal(label?.kind === 'answer' && label.answer, ANSWER);
  assert.ok(label && !('answer_pieces' in label), 'the loaded label carries the answer, not its pieces');
});

test('plain answers load without any corpus folder', () => {
  const {
    answer_pieces: _,
    answer_sha256: __,
    ...plain
  } = storedLabel({ answer: ANSWER, corpus: 'field-guide' });
  const [label] = loadJudgeLabels(labelFile(plain), { sources: {} });
  assert.equal(label?.kind === 'answer' && label.answer, ANSWER);
});

test('a missing corpus folder names the label file, the folder and how to point at it', () => {
  const missing = path.join(os.tmpdir(), 'cairn-no-such-docs');
  const file = labelFile(storedLabel({}));
  assert.throws(
    () => loadJudgeLabels(file, { sources: { 'vitest-docs': missing } }),
    (error: Error) => {
      assert.ok(error.message.includes(`${file}:1`), error.message);
      assert.ok(error.message.includes(missing), error.message);
      assert.match(error.message, /--vitest-docs DIR/);
      assert.match(error.message, /CAIRN_SHARED_DIR/);
      return true;
    },
  );
});

test('changed corpus files fail the sha256 check, naming the label and the files', () => {
  const dir = corpusDir();
  fs.writeFileSync(
    path.join(dir, 'config/timeout.md'),
    '# timeout\n\nThe default timeout is 9000 ms in Node.js and 15000 ms in a browser.\n',
  );
  assert.throws(
    () => loadJudgeLabels(labelFile(storedLabel({})), { sources: { 'vitest-docs': dir } }),
    /labels\.jsonl:1: label vj-1: the answer rebuilt from config\/timeout\.md, guide\/hooks\.md in .* does not match its answer_sha256/,
  );
  fs.writeFileSync(path.join(dir, 'guide/hooks.md'), 'short');
  assert.throws(
    () => loadJudgeLabels(labelFile(storedLabel({})), { sources: { 'vitest-docs': dir } }),
    /label vj-1 quotes guide\/hooks\.md up to offset \d+, past its end/,
  );
});

test('a stored answer gives its text or its pieces with their sha256, and spans stay inside the folder', () => {
  const dir = corpusDir();
  const load = (extra: Record<string, unknown>) =>
    loadJudgeLabels(labelFile(storedLabel(extra)), { sources: { 'vitest-docs': dir } });
  assert.throws(() => load({ answer: ANSWER }), /either answer or answer_pieces/);
  assert.throws(() => load({ answer_sha256: undefined }), /answer_pieces need answer_sha256/);
  assert.throws(
    () => load({ answer_pieces: [{ doc: '../secret.md', start: 0, end: 4 }] }),
    /inside the corpus/,
  );
  assert.throws(
    () => load({ answer_pieces: [{ doc: 'guide/hooks.md', start: 9, end: 4 }] }),
    /end must not be/,
  );
});

const VITEST_LABELS = fileURLToPath(new URL('../../corpus/judge-labels-vitest.jsonl', import.meta.url));
const vitestDocs = defaultAnswerSources()['vitest-docs'] as string;

test(
  'the bundled Vitest answer labels rebuild from the shared Vitest docs',
  fs.existsSync(vitestDocs)
    ? {}
    : { skip: `no Vitest docs at ${vitestDocs} (set CAIRN_SHARED_DIR to the folder holding corpora/)` },
  () => {
    const stored = fs
      .readFileSync(VITEST_LABELS, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(
      stored.every((label) => !('answer' in label)),
      'no answer text of the public docs in the repository',
    );
    const labels = loadJudgeLabels(VITEST_LABELS);
    assert.equal(labels.length, stored.length);
    for (const label of labels) assert.ok(label.kind === 'answer' && label.answer.length > 0, label.id);
  },
);
