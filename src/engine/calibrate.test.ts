import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import { writeSyntheticCorpus } from './__fixtures__/synthetic-corpus.ts';
import { needsCalibration, readCalibration, writeCalibration } from './abstention-calibration.ts';
import { calibrateAbstention, chooseThreshold } from './calibrate.ts';
import { ask, ingestPath, openIndex } from './index.ts';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-calibrate-'));
}

async function syntheticIndex(count: number) {
  const dir = tempDir();
  const docs = path.join(dir, 'topics');
  writeSyntheticCorpus(docs, count);
  const { store, embedder } = openIndex({ indexPath: path.join(dir, 'index.db'), embedder: 'hashing' });
  await ingestPath({ store, embedder, chunking: DEFAULT_CHUNKING, inputPath: docs });
  return { store, embedder, docs };
}

test('the threshold keeps false abstention on present-document probes within the target', () => {
  const present = [0.9, 0.8, 0.7, 0.65, 0.6, 0.58, 0.55, 0.5, 0.45, 0.3].map((score) => ({
    score,
    unanswerable: false,
  }));
  // 10% of 10 probes may abstain: the lowest (0.3) does, the next (0.45) answers.
  assert.equal(chooseThreshold(present, 0.1), 0.45);
  assert.equal(chooseThreshold(present, 0.05), 0.3);
  // A probe already stopped by the unanswerable-terms check uses up the budget: 0.3 must answer.
  assert.equal(chooseThreshold([...present.slice(1), { score: 0.9, unanswerable: true }], 0.1), 0.3);
});

test('an index calibrates itself from held-out documents, records the threshold and is deterministic', async () => {
  const { store, embedder } = await syntheticIndex(30);
  try {
    const report = await calibrateAbstention({ store, embedder, targetFalseAbstention: 0.1, seed: 5 });
    assert.equal(report.heldOut.n, 6);
    assert.equal(report.present.n, 24);
    assert.ok(report.present.median > report.heldOut.median, JSON.stringify(report));
    assert.ok(report.threshold > report.heldOut.median, `threshold ${report.threshold}`);
    assert.ok(report.expectedFalseAbstention <= 0.1);
    assert.ok(report.expectedTrueAbstention >= 0.8, `true abstention ${report.expectedTrueAbstention}`);
    const stored = await readCalibration(store, 'default');
    assert.equal(stored?.threshold, report.threshold);
    assert.equal(stored?.documents, 30);
    const again = await calibrateAbstention({
      store,
      embedder,
      targetFalseAbstention: 0.1,
      seed: 5,
      save: false,
    });
    assert.equal(again.threshold, report.threshold);
    assert.deepEqual(
      again.probes.map((probe) => probe.question),
      report.probes.map((probe) => probe.question),
    );
  } finally {
    await store.close();
  }
});

test('ask uses the index threshold unless the answerer was given one', async () => {
  const { store, embedder } = await syntheticIndex(20);
  try {
    const [document] = await store.listDocuments('default');
    const question = `What is the ${document?.title}?`;
    const calibrated = createExtractiveAnswerer({ embedder });
    const answered = await ask({ store, embedder, answerer: calibrated, question });
    assert.equal(answered.abstained, false, answered.answer);
    const recorded = await calibrateAbstention({ store, embedder, save: false });
    await writeCalibration(store, 'default', { ...recorded, threshold: 0.999 });
    const strict = await ask({ store, embedder, answerer: calibrated, question });
    assert.equal(strict.abstained, true);
    assert.equal(strict.abstainReason, 'weak_evidence');
    const explicit = createExtractiveAnswerer({ embedder, abstainThreshold: 0.1 });
    assert.equal((await ask({ store, embedder, answerer: explicit, question })).abstained, false);
    const ignoring = await ask({
      store,
      embedder,
      answerer: calibrated,
      question,
      useIndexCalibration: false,
    });
    assert.equal(ignoring.abstained, false);
  } finally {
    await store.close();
  }
});

test('recalibration is due once more than a fifth of the corpus changed', async () => {
  const { store, embedder, docs } = await syntheticIndex(25);
  try {
    assert.equal(await needsCalibration(store, 'default'), true, 'never calibrated');
    await calibrateAbstention({ store, embedder, maxProbes: 20 });
    assert.equal(await needsCalibration(store, 'default'), false);
    writeSyntheticCorpus(docs, 4, 9, 100);
    await ingestPath({ store, embedder, chunking: DEFAULT_CHUNKING, inputPath: docs });
    assert.equal(await needsCalibration(store, 'default'), false, '4 of 25 documents is 16%');
    writeSyntheticCorpus(docs, 2, 11, 200);
    await ingestPath({ store, embedder, chunking: DEFAULT_CHUNKING, inputPath: docs });
    assert.equal(await needsCalibration(store, 'default'), true, '6 of 25 documents is 24%');
  } finally {
    await store.close();
  }
});
