import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openSqliteEvalRuns, runsDirectory } from '../store/sqlite/index.ts';
import { makeItem, makeRun } from './compare/__fixtures__/make-run.ts';
import type { EvalRun } from './eval-run.ts';
import { readRun } from './runs-store.ts';

const runs = (indexPath: string) => openSqliteEvalRuns<EvalRun>(indexPath);

function workspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-runs-'));
  return { dir, indexPath: path.join(dir, 'index.db') };
}

const run = (label: string, tenant?: string) =>
  makeRun(label, [makeItem('q1', { faithfulness: 1 })], {
    runId: `${label}-0000-4000-8000-000000000000`,
    ...(tenant ? { tenant } : {}),
  });

test('a run is stored in its tenant folder and listed only for that tenant', async () => {
  const { dir, indexPath } = workspace();
  const file = await runs(indexPath).save(run('aaaaaaaa', 'acme'));
  assert.equal(path.dirname(file), path.join(dir, 'runs', 'acme'));
  await runs(indexPath).save(run('bbbbbbbb', 'globex'));
  await runs(indexPath).save(run('cccccccc'));
  assert.deepEqual(
    (await runs(indexPath).list('acme')).map(({ run }) => run.label),
    ['aaaaaaaa'],
  );
  assert.deepEqual(
    (await runs(indexPath).list('globex')).map(({ run }) => run.label),
    ['bbbbbbbb'],
  );
  // A run without a tenant is the default tenant's, and so is the CLI's listing by default.
  assert.deepEqual(
    (await runs(indexPath).list('default')).map(({ run }) => run.label),
    ['cccccccc'],
  );
  assert.ok(fs.existsSync(path.join(runsDirectory(indexPath), 'default')));
});

test('another tenant\'s run id is "no such run"; a run file path is read as given', async () => {
  const { indexPath } = workspace();
  const file = await runs(indexPath).save(run('aaaaaaaa', 'acme'));
  assert.equal((await readRun('aaaaaaaa', runs(indexPath), 'acme')).label, 'aaaaaaaa');
  await assert.rejects(readRun('aaaaaaaa', runs(indexPath), 'globex'), /no stored run id matches/);
  await assert.rejects(readRun('aaaaaaaa', runs(indexPath)), /no stored run id matches/);
  assert.equal((await readRun(file, runs(indexPath))).label, 'aaaaaaaa');
});

test('old runs stored flat in runs/ stay readable, as their recorded tenant or the default one', async () => {
  const { dir, indexPath } = workspace();
  fs.mkdirSync(path.join(dir, 'runs'));
  fs.writeFileSync(path.join(dir, 'runs', '2026-11-01-old1.json'), JSON.stringify(run('dddddddd')));
  fs.writeFileSync(path.join(dir, 'runs', '2026-11-02-old2.json'), JSON.stringify(run('eeeeeeee', 'globex')));
  await runs(indexPath).save(run('ffffffff'));
  assert.deepEqual(
    (await runs(indexPath).list('default')).map(({ run }) => run.label),
    ['ffffffff', 'dddddddd'],
  );
  assert.deepEqual(
    (await runs(indexPath).list('globex')).map(({ run }) => run.label),
    ['eeeeeeee'],
  );
  assert.equal((await readRun('dddddddd', runs(indexPath))).label, 'dddddddd');
  await assert.rejects(readRun('eeeeeeee', runs(indexPath), 'acme'), /no stored run id matches/);
  assert.equal((await readRun('eeeeeeee', runs(indexPath), 'globex')).label, 'eeeeeeee');
});

test("a run whose recorded tenant disagrees with its folder is nobody's", async () => {
  const { dir, indexPath } = workspace();
  fs.mkdirSync(path.join(dir, 'runs', 'globex'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'runs', 'globex', '2026-11-01-moved.json'),
    JSON.stringify(run('gggggggg', 'acme')),
  );
  assert.deepEqual(await runs(indexPath).list('globex'), []);
  assert.deepEqual(await runs(indexPath).list('acme'), []);
});

test('tenant names that could leave the runs folder are refused', async () => {
  const { indexPath } = workspace();
  await assert.rejects(runs(indexPath).save(run('hhhhhhhh', '..')), /tenant/);
  await assert.rejects(runs(indexPath).list('../x'), /tenant/);
});
