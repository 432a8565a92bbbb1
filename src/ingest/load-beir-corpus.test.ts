import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir, writeFiles } from './__fixtures__/make-fixtures.ts';
import { type BeirLoadResult, loadBeirCorpus } from './load-beir-corpus.ts';

async function collect(results: AsyncIterable<BeirLoadResult>): Promise<BeirLoadResult[]> {
  const all: BeirLoadResult[] = [];
  for await (const result of results) all.push(result);
  return all;
}

function corpusFile(lines: string[]): string {
  const dir = makeTempDir();
  writeFiles(dir, { 'scifact/corpus.jsonl': `${lines.join('\n')}\n` });
  return join(dir, 'scifact/corpus.jsonl');
}

test('each record becomes a document with its _id, title and text', async () => {
  const file = corpusFile([
    JSON.stringify({
      _id: '4983',
      title: 'Microstructural development',
      text: 'Alterations of the architecture.',
    }),
    JSON.stringify({
      _id: '5836',
      title: '',
      text: 'Untitled abstract.',
      metadata: { url: 'https://x.test', year: 2019 },
    }),
  ]);
  const results = await collect(loadBeirCorpus(file, { source: 'scifact/corpus.jsonl' }));
  const documents = results.map((result) =>
    result.ok ? result.document : assert.fail(result.error.message),
  );
  assert.deepEqual(
    documents.map((document) => [
      document.id,
      document.source,
      document.format,
      document.title,
      document.text,
    ]),
    [
      [
        '4983',
        'scifact/corpus.jsonl#4983',
        'beir',
        'Microstructural development',
        'Alterations of the architecture.',
      ],
      ['5836', 'scifact/corpus.jsonl#5836', 'beir', '', 'Untitled abstract.'],
    ],
  );
  assert.deepEqual(documents[0]?.blocks, [
    { kind: 'paragraph', text: 'Alterations of the architecture.', headingsPath: [] },
  ]);
  assert.deepEqual(documents[1]?.metadata, { url: 'https://x.test', year: 2019 });
});

test('malformed lines are reported with their line number while the others load', async () => {
  const file = corpusFile([
    JSON.stringify({ _id: 'a', title: 'A', text: 'first' }),
    '{"_id": "b", "text": ',
    JSON.stringify({ title: 'no id', text: 'x' }),
    '',
    JSON.stringify({ _id: 'c', text: 42 }),
    '[1, 2]',
    JSON.stringify({ _id: 'd', title: 'D', text: 'last' }),
  ]);
  const results = await collect(loadBeirCorpus(file));
  const outcomes = results.map((result) => (result.ok ? `doc ${result.document.id}` : result.error.message));
  assert.equal(outcomes.length, 6);
  assert.equal(outcomes[0], 'doc a');
  assert.match(outcomes[1] ?? '', /^corpus\.jsonl:2: invalid JSON: /);
  assert.deepEqual(outcomes.slice(2), [
    'corpus.jsonl:3: missing "_id"',
    'corpus.jsonl:5: "text" must be a string',
    'corpus.jsonl:6: not a JSON object',
    'doc d',
  ]);
});

test('a line over the size limit is an error for that line only', async () => {
  const file = corpusFile([
    JSON.stringify({ _id: 'big', text: 'x'.repeat(5000) }),
    JSON.stringify({ _id: 'small', text: 'fits' }),
  ]);
  const results = await collect(loadBeirCorpus(file, { maxLineBytes: 1024 }));
  assert.equal(results[0]?.ok, false);
  assert.equal(
    results[0]?.ok === false && results[0].error.message,
    'corpus.jsonl:1: line is 4.9 KB, over the 1 KB limit for one record',
  );
  assert.equal(results[1]?.ok === true && results[1].document.id, 'small');
});
