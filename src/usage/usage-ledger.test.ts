import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CairnError } from '../spec/index.ts';
import { openSqliteUsage } from '../store/sqlite/index.ts';
import { createUsageLedger, enforceBudget } from './usage-ledger.ts';

test('usage is summed per day, tenant and model; budgets warn, then block, and reset the next UTC day', async () => {
  let now = new Date('2026-11-29T10:00:00Z');
  const ledger = createUsageLedger(
    openSqliteUsage(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-usage-')), 'i.db')),
    () => now,
  );
  const answer = {
    tenant: 'acme',
    model: 'openai:small',
    inputTokens: 300,
    outputTokens: 100,
    costUsd: 0.001,
    cached: false,
  };
  await ledger.record(answer);
  await ledger.record(answer);
  await ledger.record({ ...answer, inputTokens: 0, outputTokens: 0, costUsd: 0, cached: true });
  await ledger.record({ ...answer, tenant: 'globex', costUsd: null });
  assert.deepEqual(await ledger.report({ tenant: 'acme' }), [
    {
      day: '2026-11-29',
      tenant: 'acme',
      model: 'openai:small',
      requests: 3,
      cached: 1,
      inputTokens: 600,
      outputTokens: 200,
      costUsd: 0.002,
    },
  ]);
  assert.equal((await ledger.report()).length, 2);

  assert.equal((await ledger.check('acme', { tokens: 2000 }, 0.8)).state, 'ok');
  const warned = await ledger.check('acme', { tokens: 1000 }, 0.8);
  assert.equal(warned.state, 'warn');
  assert.match(warned.message ?? '', /tenant acme has used 800 of 1000 tokens today/);
  const blocked = await ledger.check('acme', { costUsd: 0.002 }, 0.8);
  assert.equal(blocked.state, 'blocked');
  assert.throws(
    () => enforceBudget(blocked),
    (error: unknown) => CairnError.is(error, 'budget_exceeded') && /resets 00:00 UTC/.test(error.message),
  );
  assert.equal((await ledger.check('globex', undefined, 0.8)).state, 'ok', 'no limit, never blocked');

  now = new Date('2026-11-30T00:00:01Z');
  assert.equal(
    (await ledger.check('acme', { costUsd: 0.002 }, 0.8)).state,
    'ok',
    'a new day starts from zero',
  );
  assert.equal((await ledger.report({ since: '2026-11-30' })).length, 0);
  await ledger.close();
});
