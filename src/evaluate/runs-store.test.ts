import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { makeItem, makeRun } from './compare/__fixtures__/make-run.ts';
import { listRuns, readRun, runsDirectory, saveRun } from './runs-store.ts';

function workspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-runs-'));
  return { dir, indexPath: path.join(dir, 'index.db') };
}

const run = (label: string, tenant?: string) =>
  makeRun(label, [makeItem('q1', { faithfulness: 1 })], {
    runId: `${label}-0000-4000-8000-000000000000`,
    ...(tenant ? { tenant } : {}),
  });

test('a run is stored in its tenant folder and listed only for that tenant', () => {
  const { dir, indexPath } = workspace();
  const file = saveRun(indexPath, run('aaaaaaaa', 'acme'));
  assert.equal(path.dirname(file), path.join(dir, 'runs', 'acme'));
  saveRun(indexPath, run('bbbbbbbb', 'globex'));
  saveRun(indexPath, run('cccccccc'));
  assert.deepEqual(
    listRuns(indexPath, 'acme').map(({ run }) => run.label),
    ['aaaaaaaa'],
  );
  assert.deepEqual(
    listRuns(indexPath, 'globex').map(({ run }) => run.label),
    ['bbbbbbbb'],
  );
  // A run without a tenant is the default tenant's, and so is the CLI's listing by default.
  assert.deepEqual(
    listRuns(indexPath).map(({ run }) => run.label),
    ['cccccccc'],
  );
  assert.ok(fs.existsSync(path.join(runsDirectory(indexPath), 'default')));
});

test('another tenant\'s run id is "no such run"; a run file path is read as given', () => {
  const { indexPath } = workspace();
  const file = saveRun(indexPath, run('aaaaaaaa', 'acme'));
  assert.equal(readRun('aaaaaaaa', indexPath, 'acme').label, 'aaaaaaaa');
  assert.throws(() => readRun('aaaaaaaa', indexPath, 'globex'), /no stored run id matches/);
  assert.throws(() => readRun('aaaaaaaa', indexPath), /no stored run id matches/);
  assert.equal(readRun(file, indexPath).label, 'aaaaaaaa');
});

test('old runs stored flat in runs/ stay readable, as their recorded tenant or the default one', () => {
  const { dir, indexPath } = workspace();
  fs.mkdirSync(path.join(dir, 'runs'));
  fs.writeFileSync(path.join(dir, 'runs', '2026-11-01-old1.json'), JSON.stringify(run('dddddddd')));
  fs.writeFileSync(path.join(dir, 'runs', '2026-11-02-old2.json'), JSON.stringify(run('eeeeeeee', 'globex')));
  saveRun(indexPath, run('ffffffff'));
  assert.deepEqual(
    listRuns(indexPath).map(({ run }) => run.label),
    ['ffffffff', 'dddddddd'],
  );
  assert.deepEqual(
    listRuns(indexPath, 'globex').map(({ run }) => run.label),
    ['eeeeeeee'],
  );
  assert.equal(readRun('dddddddd', indexPath).label, 'dddddddd');
  assert.throws(() => readRun('eeeeeeee', indexPath, 'acme'), /no stored run id matches/);
  assert.equal(readRun('eeeeeeee', indexPath, 'globex').label, 'eeeeeeee');
});

test("a run whose recorded tenant disagrees with its folder is nobody's", () => {
  const { dir, indexPath } = workspace();
  fs.mkdirSync(path.join(dir, 'runs', 'globex'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'runs', 'globex', '2026-11-01-moved.json'),
    JSON.stringify(run('gggggggg', 'acme')),
  );
  assert.deepEqual(listRuns(indexPath, 'globex'), []);
  assert.deepEqual(listRuns(indexPath, 'acme'), []);
});

test('tenant names that could leave the runs folder are refused', () => {
  const { indexPath } = workspace();
  assert.throws(() => saveRun(indexPath, run('hhhhhhhh', '..')), /tenant/);
  assert.throws(() => listRuns(indexPath, '../x'), /tenant/);
});
