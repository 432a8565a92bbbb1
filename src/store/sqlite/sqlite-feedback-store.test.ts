import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openSqliteFeedbackStore } from './sqlite-feedback-store.ts';
import { openSqliteTraces } from './sqlite-traces.ts';

test('feedback lives in the index file and survives reopening; an index with other tables gets the table', async () => {
  const indexPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-feedback-store-')), 'index.db');
  // An index that already has its other tables gets the feedback table on first open.
  await openSqliteTraces(indexPath).close();
  const store = openSqliteFeedbackStore(indexPath);
  await store.saveFeedback({
    traceId: 't1',
    namespace: 'a',
    rating: 'up',
    createdAt: '2026-12-01T00:00:00Z',
  });
  await store.saveFeedback({
    traceId: 't1',
    namespace: 'a',
    rating: 'down',
    comment: 'wrong',
    keyId: 'k1',
    createdAt: '2026-12-02T00:00:00Z',
  });
  await store.saveFeedback({
    traceId: 't2',
    namespace: 'a',
    rating: 'up',
    createdAt: '2026-12-03T00:00:00Z',
  });
  await store.saveFeedback({
    traceId: 't1',
    namespace: 'b',
    rating: 'up',
    createdAt: '2026-12-04T00:00:00Z',
  });
  await store.close();

  const reopened = openSqliteFeedbackStore(indexPath);
  assert.deepEqual(await reopened.getFeedback('a', 't1'), {
    traceId: 't1',
    namespace: 'a',
    rating: 'down',
    comment: 'wrong',
    keyId: 'k1',
    createdAt: '2026-12-02T00:00:00Z',
  });
  assert.deepEqual(
    (await reopened.listFeedback('a')).map((entry) => entry.traceId),
    ['t2', 't1'],
  );
  assert.deepEqual(
    (await reopened.listFeedback('a', { rating: 'down' })).map((entry) => entry.traceId),
    ['t1'],
  );
  assert.equal((await reopened.listFeedback('a', { limit: 1 })).length, 1);
  assert.equal((await reopened.getFeedback('b', 't1'))?.rating, 'up');
  assert.equal(await reopened.getFeedback('c', 't1'), undefined);
  await reopened.close();
});
