import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseServerSentEvents } from './sse.ts';

function streamOf(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks)
        controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

async function collect(chunks: (string | Uint8Array)[]) {
  const events = [];
  for await (const event of parseServerSentEvents(streamOf(chunks))) events.push(event);
  return events;
}

test('events split across chunks at every position parse the same', async () => {
  const text =
    'event: delta\r\ndata: {"a":1}\r\n\r\n: comment\ndata: line one\ndata: line two\n\ndata: é✓\n\n';
  const whole = await collect([text]);
  assert.deepEqual(whole, [
    { event: 'delta', data: '{"a":1}' },
    { data: 'line one\nline two' },
    { data: 'é✓' },
  ]);
  const bytes = new TextEncoder().encode(text);
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.deepEqual(await collect([bytes.slice(0, cut), bytes.slice(cut)]), whole, `cut at byte ${cut}`);
  }
});

test('a final event without a blank line is still delivered', async () => {
  assert.deepEqual(await collect(['data: [DONE]']), [{ data: '[DONE]' }]);
});
