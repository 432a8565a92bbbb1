import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadBeirQuerySet } from '../beir-dataset.ts';
import type { GoldenItem } from '../golden-set.ts';
import { parseCsv } from './csv.ts';
import { exportBeir } from './export-beir.ts';
import { exportGoldenSet, GOLDEN_FORMATS, importGoldenSet } from './golden-formats.ts';

const ITEMS: GoldenItem[] = [
  {
    id: 'rrf-1',
    question: 'What does "k" do in RRF, and why 60?',
    reference_answer:
      'It damps the weight of top ranks, so one list cannot dominate.\nSixty is the usual choice.',
    relevant_doc_ids: ['hybrid-retrieval', 'reranking'],
    tags: ['retrieval'],
    split: 'dev',
  },
  {
    id: 'oos-1',
    question: 'Who won the 2018 World Cup?',
    reference_answer: '',
    relevant_doc_ids: [],
    tags: ['out-of-scope'],
    split: 'test',
  },
];

test('every format round-trips a golden set without loss, including quotes, commas and newlines', () => {
  for (const format of GOLDEN_FORMATS) {
    const text = exportGoldenSet(ITEMS, format);
    assert.deepEqual(importGoldenSet(text, format, `set.${format}`), ITEMS, format);
  }
});

test('promptfoo tests assert a rubric for answerable items and an abstention for out-of-scope ones', () => {
  const [answerable, outOfScope] = exportGoldenSet(ITEMS, 'promptfoo-jsonl')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.deepEqual(answerable.vars, { question: ITEMS[0]?.question });
  assert.equal(answerable.assert[0].type, 'llm-rubric');
  assert.equal(outOfScope.assert[0].type, 'icontains');
  assert.match(outOfScope.assert[0].value, /in the documents/);
});

test('older RAGAS column names and bare promptfoo tests import with defaults', () => {
  const ragas = '{"question":"What is BM25?","ground_truths":["A ranking function."]}\n';
  assert.deepEqual(
    importGoldenSet(ragas, 'ragas-jsonl', 'old.jsonl', { defaultSplit: 'dev', idPrefix: 'old' }),
    [
      {
        id: 'old-1',
        question: 'What is BM25?',
        reference_answer: 'A ranking function.',
        relevant_doc_ids: [],
        tags: [],
        split: 'dev',
      },
    ],
  );
  const promptfoo =
    '{"vars":{"query":"What is MMR?"},"assert":[{"type":"similar","value":"Maximal marginal relevance."}]}\n';
  const [item] = importGoldenSet(promptfoo, 'promptfoo-jsonl', 'tests.jsonl');
  assert.equal(item?.question, 'What is MMR?');
  assert.equal(item?.reference_answer, 'Maximal marginal relevance.');
  assert.equal(item?.split, 'test');
});

test('bad records are reported with file and record, and nothing is returned', () => {
  assert.throws(
    () => importGoldenSet('{"user_input":"ok"}\n{broken\n', 'ragas-jsonl', 'a.jsonl'),
    /a\.jsonl:2: not a JSON object/,
  );
  assert.throws(
    () => importGoldenSet('{"reference":"x"}\n', 'ragas-jsonl', 'b.jsonl'),
    /b\.jsonl:1: missing user_input/,
  );
  assert.throws(
    () => importGoldenSet('user_input,reference\n"a,b\n', 'ragas-csv', 'c.csv'),
    /c\.csv: a quoted field is never closed/,
  );
  assert.throws(
    () => importGoldenSet('user_input,reference\nq,r,extra\n', 'ragas-csv', 'd.csv'),
    /record 2 has 3 fields/,
  );
  assert.throws(
    () => importGoldenSet('{"user_input":"q","relevant_doc_ids":"[oops"}\n', 'ragas-jsonl', 'e.jsonl'),
    /e\.jsonl:1: "\[oops" is not a JSON array/,
  );
  assert.throws(
    () =>
      importGoldenSet('{"user_input":"q","id":"x"}\n{"user_input":"r","id":"x"}\n', 'ragas-jsonl', 'f.jsonl'),
    /duplicate id "x"/,
  );
});

test('CSV parsing handles CRLF, a byte order mark and doubled quotes', () => {
  assert.deepEqual(parseCsv('\uFEFFa,b\r\n"x ""y""",2\r\n', 't.csv'), [
    ['a', 'b'],
    ['x "y"', '2'],
  ]);
});

test('a BEIR export is read back by the BEIR loader with the same judgements', () => {
  const directory = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-beir-')), 'golden-beir');
  const documents = [
    { id: 'hybrid-retrieval', title: 'Hybrid', text: 'RRF sums 1/(k+rank).' },
    { id: 'reranking', title: 'Reranking', text: 'Cross-encoders rescore pairs.' },
  ];
  const summary = exportBeir(ITEMS, documents, directory);
  assert.deepEqual(summary, {
    documents: 2,
    queries: 1,
    skippedItems: ['oos-1'],
    qrels: { dev: 2, test: 0 },
  });
  const dev = loadBeirQuerySet(directory, 'dev');
  assert.deepEqual(dev.queries, [{ id: 'rrf-1', text: ITEMS[0]?.question }]);
  assert.deepEqual([...(dev.judgements.get('rrf-1')?.keys() ?? [])].sort(), [
    'hybrid-retrieval',
    'reranking',
  ]);
  assert.throws(() => exportBeir(ITEMS, documents, directory), /exists and is not empty/);
  assert.throws(
    () => exportBeir(ITEMS, documents.slice(0, 1), `${directory}-2`),
    /rrf-1 names documents that are not in the corpus: reranking/,
  );
  assert.equal(fs.existsSync(`${directory}-2`), false);
});
