import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTraceparent } from './trace-context.ts';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';

test('a valid traceparent yields the caller trace id, span id and sampling flag', () => {
  assert.deepEqual(parseTraceparent(`00-${traceId}-${spanId}-01`), { traceId, spanId, sampled: true });
  assert.deepEqual(parseTraceparent(`00-${traceId}-${spanId}-00`), { traceId, spanId, sampled: false });
  // A later version may carry more fields; its first four still count.
  assert.equal(parseTraceparent(`01-${traceId}-${spanId}-01-extra`)?.traceId, traceId);
});

test('an invalid traceparent is ignored', () => {
  for (const header of [
    undefined,
    '',
    'garbage',
    `00-${traceId.toUpperCase()}-${spanId}-01`,
    `00-${'0'.repeat(32)}-${spanId}-01`,
    `00-${traceId}-${'0'.repeat(16)}-01`,
    `ff-${traceId}-${spanId}-01`,
    `00-${traceId}-${spanId}-01-extra`,
    `00-${traceId.slice(1)}-${spanId}-01`,
  ])
    assert.equal(parseTraceparent(header), undefined, String(header));
});
