import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { writeSyntheticCorpus } from '../engine/__fixtures__/synthetic-corpus.ts';
import { cairnIn } from './__fixtures__/cli-context.ts';

test('ingest calibrates the index once, calibrate shows it, and ask uses it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-cli-calibrate-'));
  writeSyntheticCorpus(path.join(dir, 'topics'), 24);
  fs.writeFileSync(path.join(dir, 'cairn.config.json'), JSON.stringify({ answerer: { calibrate: true } }));
  const env = { CAIRN_INDEX: path.join(dir, 'index.db'), CAIRN_EMBEDDER: 'hashing' };
  const first = await cairnIn(dir, ['ingest', path.join(dir, 'topics')], env);
  assert.equal(first.code, 0, first.stderr);
  const line = /calibrated the abstention threshold: (-?[\d.]+) \(expected true abstention ([\d.]+)/.exec(
    first.stdout,
  );
  assert.ok(line, first.stdout);
  // Nothing changed: the calibration is current, so the second ingest does not redo it.
  const second = await cairnIn(dir, ['ingest', path.join(dir, 'topics')], env);
  assert.doesNotMatch(second.stdout, /calibrated/);

  const shown = await cairnIn(dir, ['calibrate', '--dry-run', '--json'], env);
  assert.equal(shown.code, 0, shown.stderr);
  const report = JSON.parse(shown.stdout) as {
    threshold: number;
    present: { n: number };
    heldOut: { n: number };
  };
  assert.equal(report.threshold.toFixed(4), Number(line[1]).toFixed(4));
  assert.ok(report.present.n > 0 && report.heldOut.n > 0);
  const text = await cairnIn(dir, ['calibrate', '--dry-run'], env);
  assert.match(
    text.stdout,
    /abstention threshold [\d.]+ .*\nprobes: \d+ about present documents, \d+ about held-out ones/,
  );
  assert.match(text.stdout, /held out +\d+/);
  assert.match(
    text.stdout,
    /expected at this threshold: true abstention [\d.]+% .* false abstention [\d.]+%/,
  );

  const skipped = await cairnIn(dir, ['ingest', path.join(dir, 'topics'), '--no-calibrate'], env);
  assert.doesNotMatch(skipped.stdout, /calibrated/);
  const off = await cairnIn(dir, ['ask', 'What is known about nothing in particular?', '--json'], env);
  assert.equal(off.code, 0, off.stderr);
});

test('a small corpus is not calibrated and keeps the default threshold', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-cli-calibrate-small-'));
  fs.writeFileSync(path.join(dir, 'cairn.config.json'), JSON.stringify({ answerer: { calibrate: true } }));
  writeSyntheticCorpus(path.join(dir, 'topics'), 5);
  const env = { CAIRN_INDEX: path.join(dir, 'index.db'), CAIRN_EMBEDDER: 'hashing' };
  const ingested = await cairnIn(dir, ['ingest', path.join(dir, 'topics')], env);
  assert.doesNotMatch(ingested.stdout, /calibrated/);
  const refused = await cairnIn(dir, ['calibrate'], env);
  assert.equal(refused.code, 4);
  assert.match(refused.stderr, /calibration needs at least 20 documents; namespace "default" has 5/);
});

test('without answerer.calibrate, ingest leaves the index uncalibrated', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-cli-calibrate-off-'));
  writeSyntheticCorpus(path.join(dir, 'topics'), 21);
  const env = { CAIRN_INDEX: path.join(dir, 'index.db'), CAIRN_EMBEDDER: 'hashing' };
  const ingested = await cairnIn(dir, ['ingest', path.join(dir, 'topics')], env);
  assert.equal(ingested.code, 0, ingested.stderr);
  assert.doesNotMatch(ingested.stdout, /calibrated/);
});
