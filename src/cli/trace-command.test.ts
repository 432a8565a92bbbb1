import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Trace } from '../spec/index.ts';
import { formatTrace } from './trace-command.ts';

test("a trace that joined a caller's prints its root, whose parent is the caller's span", () => {
  const trace: Trace = {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    namespace: 'default',
    startedAt: '2026-12-01T10:00:00.000Z',
    durationMs: 12,
    label: 'What is k?',
    spans: [
      {
        spanId: 'a1a1a1a1a1a1a1a1',
        parentSpanId: '00f067aa0ba902b7',
        name: 'cairn.ask',
        startMs: 0,
        durationMs: 12,
        status: 'ok',
        attributes: {},
      },
      {
        spanId: 'b2b2b2b2b2b2b2b2',
        parentSpanId: 'a1a1a1a1a1a1a1a1',
        name: 'cairn.retrieve',
        startMs: 1,
        durationMs: 5,
        status: 'ok',
        attributes: {},
      },
    ],
  };
  const lines = formatTrace(trace).split('\n');
  assert.match(lines[1] ?? '', /^\s+\+0\.0 ms {2}cairn\.ask/);
  assert.match(lines[2] ?? '', /^\s+\+1\.0 ms {4}cairn\.retrieve/);
});
