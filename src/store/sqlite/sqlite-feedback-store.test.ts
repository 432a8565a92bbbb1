import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openSqliteFeedbackStore } from './sqlite-feedback-store.ts';
import { openSqliteTraces } from './sqlite-traces.ts';

// What the shared conformance suite cannot say: the ratings are in the index file itself.
test('feedback lives in the index file and survives reopening; an index with other tables gets the table', async () => {
  const indexPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-feedback-store-')), 'index.db');
  await openSqliteTraces(indexPath).close();
  const store = openSqliteFeedbackStore(indexPath);
  await store.saveFeedback({
    traceId: 't1',
    namespace: 'a',
    rating: 'down',
    createdAt: '2026-12-02T00:00:00Z',
  });
  await store.close();
  const reopened = openSqliteFeedbackStore(indexPath);
  assert.equal((await reopened.getFeedback('a', 't1'))?.rating, 'down');
  await reopened.close();
});
