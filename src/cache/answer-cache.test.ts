import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createAnswerCache } from '../cache/index.ts';
import { openSqliteAnswerCache } from '../store/sqlite/index.ts';
import { normalizeQuestion } from './answer-cache.ts';

const file = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-cache-')), 'index.db');
const vector = (...values: number[]) => new Float32Array(values);
const entry = {
  fingerprint: 'f1',
  value: { answer: 'k is 60 [1].' },
  citedVersions: [{ docId: 'rrf', contentHash: 'h1' }],
};

test('exact hits ignore case, spacing and end punctuation, and never cross tenants or fingerprints', async () => {
  const cache = createAnswerCache(openSqliteAnswerCache(file()));
  assert.equal(normalizeQuestion('  What is  RRF?? '), 'what is rrf');
  await cache.put({ namespace: 'acme', question: 'What is RRF?', ...entry });
  assert.deepEqual(
    (await cache.lookupExact({ namespace: 'acme', fingerprint: 'f1', question: 'what is rrf' }))?.value,
    entry.value,
  );
  assert.equal(
    await cache.lookupExact({ namespace: 'globex', fingerprint: 'f1', question: 'What is RRF?' }),
    undefined,
  );
  assert.equal(
    await cache.lookupExact({ namespace: 'acme', fingerprint: 'f2', question: 'What is RRF?' }),
    undefined,
  );
  await cache.close();
});

test('semantic hits take the most similar cached question at or above the threshold', async () => {
  const cache = createAnswerCache(openSqliteAnswerCache(file()));
  await cache.put({ namespace: 'acme', question: 'What is RRF?', embedding: vector(1, 0, 0), ...entry });
  await cache.put({
    namespace: 'acme',
    question: 'What does RRF mean?',
    embedding: vector(0.8, 0.6, 0),
    ...entry,
  });
  const near = await cache.lookupSemantic({
    namespace: 'acme',
    fingerprint: 'f1',
    question: 'Explain RRF.',
    embedding: vector(0.9, 0.44, 0),
    minSimilarity: 0.9,
  });
  assert.equal(near?.question, 'What does RRF mean?');
  assert.equal(near?.kind, 'semantic');
  assert.equal(
    await cache.lookupSemantic({
      namespace: 'acme',
      fingerprint: 'f1',
      question: 'Explain RRF.',
      embedding: vector(0, 0, 1),
      minSimilarity: 0.5,
    }),
    undefined,
  );
  assert.equal(
    await cache.lookupSemantic({
      namespace: 'other',
      fingerprint: 'f1',
      question: 'Explain RRF.',
      embedding: vector(1, 0, 0),
      minSimilarity: 0.5,
    }),
    undefined,
  );
  await cache.close();
});

test('entries expire after the TTL, the oldest go beyond the cap, and a document change removes its answers', async () => {
  let clock = 1_000_000;
  const cache = createAnswerCache(openSqliteAnswerCache(file()), {
    ttlSeconds: 60,
    maxEntriesPerTenant: 2,
    now: () => clock,
  });
  await cache.put({ namespace: 'acme', question: 'one', ...entry });
  clock += 61_000;
  assert.equal(
    await cache.lookupExact({ namespace: 'acme', fingerprint: 'f1', question: 'one' }),
    undefined,
    'expired',
  );
  for (const question of ['two', 'three', 'four']) {
    clock += 1;
    await cache.put({ namespace: 'acme', question, ...entry });
  }
  assert.equal(
    await cache.lookupExact({ namespace: 'acme', fingerprint: 'f1', question: 'two' }),
    undefined,
    'evicted',
  );
  assert.ok(await cache.lookupExact({ namespace: 'acme', fingerprint: 'f1', question: 'four' }));
  await cache.put({
    namespace: 'acme',
    question: 'five',
    ...entry,
    citedVersions: [{ docId: 'other', contentHash: 'x' }],
  });
  assert.equal(await cache.invalidateDocument('acme', 'rrf'), 1);
  assert.equal(
    await cache.lookupExact({ namespace: 'acme', fingerprint: 'f1', question: 'four' }),
    undefined,
  );
  assert.ok(await cache.lookupExact({ namespace: 'acme', fingerprint: 'f1', question: 'five' }));
  await cache.close();
});

test('a semantic hit is never served to a question with a different year, entity, negation or opposite', async () => {
  const cache = createAnswerCache(openSqliteAnswerCache(file()));
  await cache.put({
    namespace: 'acme',
    question: 'Who won the 2021 Harrowgate Classic?',
    embedding: vector(1, 0, 0),
    ...entry,
  });
  const near = vector(0.99, 0.14, 0);
  const lookup = async (question: string) =>
    await cache.lookupSemantic({
      namespace: 'acme',
      fingerprint: 'f1',
      question,
      embedding: near,
      minSimilarity: 0.9,
    });
  for (const perturbed of [
    'Who won the 2019 Harrowgate Classic?',
    'Who won the 2022 Harrowgate Classic?',
    'Who won the 2021 Giro d’Italia?',
    'Who lost the 2021 Harrowgate Classic?',
    'Who did not win the 2021 Harrowgate Classic?',
  ])
    assert.equal(await lookup(perturbed), undefined, perturbed);
  assert.equal((await lookup('Can you tell me who won the 2021 Harrowgate Classic?'))?.kind, 'semantic');
  await cache.close();
});

test('a semantic lookup serves the nearest cached question that asks the same thing', async () => {
  const cache = createAnswerCache(openSqliteAnswerCache(file()));
  await cache.put({
    namespace: 'acme',
    question: "Who won the women's singles Kestrel Open in 2019?",
    embedding: vector(1, 0, 0),
    ...entry,
  });
  await cache.put({
    namespace: 'acme',
    question: "Who won the men's singles Kestrel Open in 2019?",
    embedding: vector(0.9, 0.44, 0),
    ...entry,
  });
  const hit = await cache.lookupSemantic({
    namespace: 'acme',
    fingerprint: 'f1',
    question: "Who was the winner of the men's singles at the Kestrel Open in 2019?",
    embedding: vector(1, 0, 0),
    minSimilarity: 0.85,
  });
  assert.equal(hit?.question, "Who won the men's singles Kestrel Open in 2019?");
  await cache.close();
});
