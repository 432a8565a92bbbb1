import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Judge } from '../spec/index.ts';
import { makeItem, makeRun } from './compare/__fixtures__/make-run.ts';
import { type AnswerLabel, checkJudge, loadJudgeLabels } from './judge-check.ts';
import { buildJudgeTrust, loadJudgeTrust, readJudgeTrust, trustMark } from './judge-trust.ts';
import { renderReport } from './report/render-report.ts';
import { loadSciFactSupportLabels } from './scifact-labels.ts';

/** Supported iff the statement's words all appear in the context; relevant iff they share a word. */
const wordJudge: Judge = {
  id: 'test:words',
  kind: 'offline',
  async judgeSupport({ statement, context }) {
    const words = statement
      .replace(/\[\d+\]/g, '')
      .toLowerCase()
      .match(/[a-z0-9]+/g);
    const supported = (words ?? []).every((word) => context.toLowerCase().includes(word));
    return { supported, score: supported ? 1 : 0, reason: '' };
  },
  async judgeRelevance(question, answer) {
    const shared = (question.toLowerCase().match(/[a-z]{4,}/g) ?? []).some((word) =>
      answer.toLowerCase().includes(word),
    );
    return { score: shared ? 1 : 0, reason: '' };
  },
  usage: () => ({ inputTokens: 0, outputTokens: 0, costUsd: 0 }),
};

const answerLabel = (id: string, extra: Partial<AnswerLabel>): AnswerLabel => ({
  id,
  kind: 'answer',
  corpus: 'docs',
  question: 'What is the default test timeout?',
  reference: 'The default test timeout is 5000 ms.',
  answer: 'The default test timeout is 5000 ms [1].',
  abstained: false,
  citations: [{ n: 1, docId: 'docs/timeout.md', chunkId: 'docs/timeout.md#0' }],
  correctness: 'correct',
  supported: true,
  relevant: true,
  note: '',
  hard: false,
  split: 'test',
  ...extra,
});

const chunks = new Map([
  ['docs/timeout.md#0', 'The default test timeout is 5000 ms in Node.js.'],
  ['docs/hooks.md#0', 'Hooks time out after 10000 ms.'],
]);
const readPassages = async (ids: string[]) =>
  new Map(ids.flatMap((id) => (chunks.has(id) ? [[id, chunks.get(id) as string] as const] : [])));

const labels: AnswerLabel[] = [
  answerLabel('a1', {}),
  answerLabel('a2', {
    answer: 'Hooks time out after 10000 ms [1].',
    citations: [{ n: 1, docId: 'docs/hooks.md', chunkId: 'docs/hooks.md#0' }],
    correctness: 'wrong',
    relevant: false,
  }),
  answerLabel('a3', {
    answer: 'The default test timeout is 9000 ms [1].',
    correctness: 'wrong',
    supported: false,
  }),
  answerLabel('a4', { answer: 'The timeout is 5000 ms [1].', correctness: 'correct' }),
];

test('graded answers are scored like a run and compared with the person per metric', async () => {
  const report = await checkJudge(wordJudge, labels, { labelSet: 'answers', passages: readPassages });
  const row = (metric: string) => report.perMetric.find((entry) => entry.metric === metric);
  // The word judge agrees with every support grade: a3's 9000 is not in the passage.
  assert.equal(row('faithfulness')?.stats.kappa, 1);
  assert.equal(row('faithfulness')?.trusted, true);
  // Key facts (5000) match exactly the answers graded correct.
  assert.equal(row('key_fact_recall')?.stats.agreement, 1);
  assert.equal(row('key_fact_recall')?.human, 'correct');
  // No rubric on this judge: LLM correctness is counted as unmeasured, not as disagreement.
  assert.equal(row('answer_correctness')?.stats.n, 0);
  assert.equal(row('answer_correctness')?.unmeasured, 4);
});

test('answer labels without an index to re-read their passages are refused with the fix', async () => {
  await assert.rejects(checkJudge(wordJudge, labels), /pass --index FILE/);
  await assert.rejects(
    checkJudge(wordJudge, [answerLabel('x', { citations: [{ n: 1, docId: 'd', chunkId: 'gone#3' }] })], {
      passages: readPassages,
    }),
    /chunk gone#3 is not in the index/,
  );
});

test('answer labels load next to statement labels and are validated with file and line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-labels-'));
  const file = path.join(dir, 'labels.jsonl');
  fs.writeFileSync(
    file,
    `${JSON.stringify(labels[0])}\n${JSON.stringify({ ...labels[0], correctness: 'meh' })}\n`,
  );
  assert.throws(() => loadJudgeLabels(file), /labels\.jsonl:2: .*correctness/);
  fs.writeFileSync(file, `${JSON.stringify(labels[0])}\n`);
  assert.equal(loadJudgeLabels(file)[0]?.kind, 'answer');
});

test('a stored judge-check marks metrics under kappa 0.4 untrusted, and unknown judges unvalidated', async () => {
  const good = await checkJudge(wordJudge, labels, { labelSet: 'answers', passages: readPassages });
  const poor = {
    ...good,
    labelSet: 'other',
    perMetric: good.perMetric.map((row) =>
      row.metric === 'faithfulness' ? { ...row, stats: { ...row.stats, kappa: 0.15 }, trusted: false } : row,
    ),
  };
  const trust = buildJudgeTrust([good, poor], {
    command: 'test',
    split: 'test',
    createdAt: '2026-12-02T00:00:00Z',
  });
  // One label set under 0.4 is enough to distrust a metric.
  assert.deepEqual(trustMark(trust, 'test:words', 'faithfulness'), {
    status: 'untrusted',
    kappa: 0.15,
    text: 'UNTRUSTED: kappa 0.15 < 0.4 (judge-check 2026-12-02)',
  });
  assert.equal(trustMark(trust, 'test:words', 'key_fact_recall')?.status, 'trusted');
  // Lexical metrics do not depend on the judge; judged ones do.
  assert.equal(trustMark(trust, 'llm:other', 'key_fact_recall')?.status, 'trusted');
  assert.equal(trustMark(trust, 'llm:other', 'faithfulness')?.status, 'unvalidated');
  assert.equal(trustMark(trust, 'test:words', 'abstention_accuracy'), null);

  // Stored next to an index, it wins over the bundled file.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-trust-'));
  fs.writeFileSync(path.join(dir, 'judge-trust.json'), JSON.stringify(trust));
  assert.equal(loadJudgeTrust(path.join(dir, 'index.db'))?.command, 'test');
  assert.equal(readJudgeTrust(path.join(dir, 'missing.json')), null);

  // The HTML report says so next to the metric and in a trust table.
  const run = makeRun('r1', [makeItem('q1', { faithfulness: 1, key_fact_recall: 1 })]);
  const html = renderReport([{ ...run, judge: { ...run.judge, id: 'test:words' } }], { trust });
  assert.match(html, /<h2>Judge trust<\/h2>/);
  assert.match(html, /class="untrusted">UNTRUSTED: kappa 0\.15 &lt; 0\.4/);
  assert.match(html, /faithfulness — UNTRUSTED/);
  assert.doesNotMatch(html, /key_fact_recall — /);
});

test('SciFact rationales become support labels: SUPPORT yes, CONTRADICT and non-rationale no', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-scifact-'));
  fs.mkdirSync(path.join(dir, 'extras'));
  fs.mkdirSync(path.join(dir, 'qrels'));
  fs.writeFileSync(
    path.join(dir, 'extras', 'abstract_sentences.jsonl'),
    `${JSON.stringify({ doc_id: '10', sentences: ['Background.', 'Drug X lowers blood pressure.', 'It raised it.'] })}\n`,
  );
  fs.writeFileSync(path.join(dir, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\r\n2\t10\t1\r\n');
  fs.writeFileSync(
    path.join(dir, 'queries.jsonl'),
    [
      {
        _id: '1',
        text: 'Drug X lowers blood pressure.',
        metadata: { 10: [{ sentences: [1], label: 'SUPPORT' }] },
      },
      {
        _id: '2',
        text: 'Drug X raises blood pressure.',
        metadata: { 10: [{ sentences: [2], label: 'CONTRADICT' }] },
      },
      { _id: '3', text: 'No evidence here.', metadata: {} },
    ]
      .map((row) => JSON.stringify(row))
      .join('\n'),
  );
  const scifact = loadSciFactSupportLabels(dir);
  assert.deepEqual(
    scifact.map((label) => [label.id, label.human, label.split, label.context]),
    [
      ['scifact-1-10-1', true, 'dev', 'Drug X lowers blood pressure.'],
      ['scifact-1-10-0', false, 'dev', 'Background.'],
      ['scifact-2-10-2', false, 'test', 'It raised it.'],
      ['scifact-2-10-0', false, 'test', 'Background.'],
    ],
  );
});
