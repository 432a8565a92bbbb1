import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { makeItem, makeRun } from '../evaluate/compare/__fixtures__/make-run.ts';
import { cairnIn } from './__fixtures__/cli-context.ts';

// Eval runs belong to the namespace they were run in: `cairn eval runs` and `report` show the
// configured namespace's runs (the default one unless --namespace says otherwise).
let dir = '';
let env: Record<string, string> = {};
const cairn = (args: string[]) => cairnIn(dir, args, env);

const GOLDEN = [
  {
    id: 'g1',
    question: 'What constant k does reciprocal rank fusion use?',
    reference_answer: 'The constant k is usually 60.',
    relevant_doc_ids: ['rrf'],
    tags: [],
    split: 'test',
  },
];

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-eval-tenancy-'));
  env = { CAIRN_INDEX: path.join(dir, 'index.db'), CAIRN_EMBEDDER: 'hashing' };
  for (const [folder, text] of [
    ['docs', 'Reciprocal rank fusion adds 1/(k + rank). The constant k is usually 60.'],
    ['docs-globex', 'Reciprocal rank fusion at globex uses the constant k of 42, the globex way.'],
  ] as const) {
    fs.mkdirSync(path.join(dir, folder));
    fs.writeFileSync(path.join(dir, folder, 'rrf.md'), `# Reciprocal rank fusion\n\n${text}\n`);
  }
  fs.writeFileSync(path.join(dir, 'golden.jsonl'), GOLDEN.map((item) => JSON.stringify(item)).join('\n'));
  // Runs stored before tenancy sit flat in runs/: one without a tenant, one that recorded its own.
  fs.mkdirSync(path.join(dir, 'runs'));
  const legacy = (label: string, tenant?: string) =>
    makeRun(label, [makeItem('g1', { faithfulness: 0.5 })], {
      runId: `${label}-1111-4111-8111-111111111111`,
      ...(tenant ? { tenant } : {}),
    });
  fs.writeFileSync(path.join(dir, 'runs', '2026-01-01-legacy.json'), JSON.stringify(legacy('0ldd0ldd')));
  fs.writeFileSync(
    path.join(dir, 'runs', '2026-01-02-legacy.json'),
    JSON.stringify(legacy('0ldg0ldg', 'globex')),
  );
});

test('eval answers stores a run under its namespace; eval runs lists only that namespace', async () => {
  const golden = path.join(dir, 'golden.jsonl');
  const mine = await cairn([
    'eval',
    'answers',
    '--golden',
    golden,
    '--corpus',
    path.join(dir, 'docs'),
    '--json',
  ]);
  assert.equal(mine.code, 0, mine.stderr);
  const runDefault = JSON.parse(mine.stdout) as { runId: string; tenant: string };
  assert.equal(runDefault.tenant, 'default');
  const theirs = await cairn([
    'eval',
    'answers',
    '--golden',
    golden,
    '--corpus',
    path.join(dir, 'docs-globex'),
    '--namespace',
    'globex',
    '--json',
  ]);
  assert.equal(theirs.code, 0, theirs.stderr);
  const runGlobex = JSON.parse(theirs.stdout) as { runId: string; tenant: string };
  assert.equal(runGlobex.tenant, 'globex');
  assert.equal(fs.readdirSync(path.join(dir, 'runs', 'default')).length, 1);
  assert.equal(fs.readdirSync(path.join(dir, 'runs', 'globex')).length, 1);

  const listed = await cairn(['eval', 'runs', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const ids = (JSON.parse(listed.stdout) as { runId: string }[]).map((run) => run.runId);
  assert.ok(ids.includes(runDefault.runId));
  assert.ok(
    ids.some((id) => id.startsWith('0ldd0ldd')),
    'an old flat run without a tenant is the default one',
  );
  assert.ok(!ids.includes(runGlobex.runId), "another namespace's run is not listed");
  assert.ok(!ids.some((id) => id.startsWith('0ldg0ldg')));

  const text = await cairn(['eval', 'runs']);
  assert.match(text.stdout, new RegExp(runDefault.runId.slice(0, 8)));
  assert.doesNotMatch(text.stdout, new RegExp(runGlobex.runId.slice(0, 8)));

  const globex = await cairn(['eval', 'runs', '--namespace', 'globex', '--json']);
  const globexIds = (JSON.parse(globex.stdout) as { runId: string }[]).map((run) => run.runId);
  assert.equal(globexIds.length, 2);
  assert.ok(globexIds.includes(runGlobex.runId));
  assert.ok(globexIds.some((id) => id.startsWith('0ldg0ldg')));

  // report and compare take the stored ids of the namespace's runs, old and new.
  const compared = await cairn(['eval', 'report', '0ldd0ldd', runDefault.runId.slice(0, 8)]);
  assert.equal(compared.code, 0, compared.stderr);
  assert.match(compared.stdout, /faithfulness/);
  const foreign = await cairn(['eval', 'report', runGlobex.runId.slice(0, 8)]);
  assert.equal(foreign.code, 1);
  assert.match(foreign.stderr, /no stored run id matches it/);
  const asGlobex = await cairn(['eval', 'report', runGlobex.runId.slice(0, 8), '--namespace', 'globex']);
  assert.equal(asGlobex.code, 0, asGlobex.stderr);
  const baseline = await cairn([
    'eval',
    'answers',
    '--golden',
    golden,
    '--baseline',
    '0ldd0ldd',
    '--fail-on',
    'faithfulness<-1',
  ]);
  assert.equal(baseline.code, 0, baseline.stderr);
});
