import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type OtlpReceiver, startOtlpReceiver } from '../testing/otlp-receiver.ts';
import { createOtlpTraceExporter } from './otlp-trace-exporter.ts';
import { Tracer } from './tracer.ts';

// The exporter against a local collector that decodes the real OTLP encodings.
let receiver: OtlpReceiver;
before(async () => {
  receiver = await startOtlpReceiver();
});
after(async () => {
  await receiver.close();
});

/** A small answered trace: root, a chat call with usage, and a score on it. */
function answerTrace() {
  const tracer = new Tracer({ namespace: 'acme', label: 'q' });
  const root = tracer.start('cairn.ask', { question: 'q', answer: 'a' });
  const generate = tracer.start('cairn.generate', {
    model: 'anthropic:claude-sonnet',
    inputTokens: 120,
    outputTokens: 30,
    finishReason: 'length',
  });
  tracer.addEvent(generate, 'cairn.evaluation', { name: 'faithfulness', score: 0.5 });
  tracer.end(generate);
  tracer.end(root);
  return tracer.finish();
}

for (const protocol of ['http/protobuf', 'http/json'] as const) {
  test(`over ${protocol}, spans arrive with W3C ids, GenAI attributes, events and the configured headers`, async () => {
    const exporter = createOtlpTraceExporter({
      url: receiver.url,
      protocol,
      headers: { authorization: 'Basic cGstbGY6c2stbGY=' },
      serviceName: 'cairn-test',
    });
    const trace = answerTrace();
    exporter.export(trace);
    await exporter.shutdown();
    const spans = receiver.spans.filter((span) => span.traceId === trace.traceId);
    assert.equal(spans.length, 2);
    assert.ok(spans.every((span) => span.protocol === protocol));
    const [root, chat] = spans;
    assert.match(root?.traceId ?? '', /^[0-9a-f]{32}$/);
    assert.match(root?.spanId ?? '', /^[0-9a-f]{16}$/);
    assert.equal(root?.parentSpanId, '');
    assert.equal(chat?.parentSpanId, root?.spanId);
    assert.equal(chat?.name, 'chat claude-sonnet');
    assert.equal(chat?.kind, 3, 'a call to a remote model is a CLIENT span');
    assert.deepEqual(
      {
        operation: chat?.attributes['gen_ai.operation.name'],
        provider: chat?.attributes['gen_ai.provider.name'],
        model: chat?.attributes['gen_ai.request.model'],
        input: chat?.attributes['gen_ai.usage.input_tokens'],
        output: chat?.attributes['gen_ai.usage.output_tokens'],
        finish: chat?.attributes['gen_ai.response.finish_reasons'],
      },
      {
        operation: 'chat',
        provider: 'anthropic',
        model: 'claude-sonnet',
        input: 120,
        output: 30,
        finish: ['length'],
      },
    );
    assert.deepEqual(
      chat?.events.map((event) => [event.name, event.attributes]),
      [
        [
          'gen_ai.evaluation.result',
          { 'gen_ai.evaluation.name': 'faithfulness', 'gen_ai.evaluation.score.value': 0.5 },
        ],
      ],
    );
    assert.ok((chat?.startNanos ?? 0n) >= (root?.startNanos ?? 1n));
    assert.ok((chat?.endNanos ?? 1n) <= (root?.endNanos ?? 0n));
    assert.equal(root?.resource['service.name'], 'cairn-test');
    assert.equal(receiver.requests.at(-1)?.authorization, 'Basic cGstbGY6c2stbGY=');
  });
}

test('a collector that is down costs nothing but dropped spans, counted with one warning', async () => {
  const warnings: string[] = [];
  // Port 9 (discard) has no listener here: the connection is refused.
  const exporter = createOtlpTraceExporter({
    url: 'http://127.0.0.1:9/v1/traces',
    timeoutMs: 1000,
    onWarning: (warning) => warnings.push(warning),
  });
  exporter.export(answerTrace());
  exporter.export(answerTrace());
  await exporter.shutdown();
  assert.deepEqual(exporter.stats(), { exportedSpans: 0, droppedSpans: 4 });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /dropped 4 span\(s\).*127\.0\.0\.1:9/);
});

test('past the queue bound, new spans are dropped and counted instead of held', async () => {
  const exporter = createOtlpTraceExporter({ url: receiver.url, maxQueueSpans: 3 });
  exporter.export(answerTrace());
  exporter.export(answerTrace());
  await exporter.shutdown();
  assert.deepEqual(exporter.stats(), { exportedSpans: 3, droppedSpans: 1 });
});
