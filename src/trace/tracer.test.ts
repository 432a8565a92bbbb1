import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_SPANS_PER_TRACE, Tracer } from './tracer.ts';

test('trace and span ids are W3C ids: 32 and 16 lowercase hex digits', () => {
  const tracer = new Tracer({ namespace: 'default', label: 'q' });
  tracer.end(tracer.start('cairn.ask'));
  const trace = tracer.finish();
  assert.match(trace.traceId, /^[0-9a-f]{32}$/);
  assert.match(trace.spans[0]?.spanId ?? '', /^[0-9a-f]{16}$/);
});

test('a trace continuing a caller keeps its trace id and roots under the caller span', () => {
  const parent = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true };
  const tracer = new Tracer({ namespace: 'default', label: 'q', parent });
  const root = tracer.start('cairn.ask');
  const child = tracer.start('cairn.embed');
  tracer.end(child);
  tracer.end(root);
  const trace = tracer.finish();
  assert.equal(trace.traceId, parent.traceId);
  assert.equal(root.parentSpanId, parent.spanId);
  assert.equal(child.parentSpanId, root.spanId);
});

test('steps under an explicit parent overlap as siblings when they run at once', async () => {
  const tracer = new Tracer({ namespace: 'default', label: 'q' });
  const retrieve = tracer.start('cairn.retrieve');
  const step = tracer.stepsUnder(retrieve);
  await Promise.all([
    step('cairn.retrieve.bm25', () => sleep(30)),
    step('cairn.retrieve.dense', () => sleep(30)),
  ]);
  tracer.end(retrieve);
  const [bm25, dense] = tracer.finish().spans.slice(1);
  assert.equal(bm25?.parentSpanId, retrieve.spanId);
  assert.equal(dense?.parentSpanId, retrieve.spanId);
  // Both started before either ended: the spans overlap as the work did.
  assert.ok((dense?.startMs ?? 0) < (bm25?.startMs ?? 0) + (bm25?.durationMs ?? 0));
  assert.ok((bm25?.durationMs ?? 0) >= 25);
});

test('a trace keeps at most MAX_SPANS_PER_TRACE spans and counts the rest on its root', () => {
  const tracer = new Tracer({ namespace: 'default', label: 'ingest' });
  const root = tracer.start('cairn.ingest');
  for (let i = 0; i < MAX_SPANS_PER_TRACE + 5; i++) tracer.end(tracer.start('cairn.embed'));
  tracer.end(root);
  const trace = tracer.finish();
  assert.equal(trace.spans.length, MAX_SPANS_PER_TRACE);
  assert.equal(root.attributes.droppedSpans, 6);
});
