import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import { createLlmAnswerer } from '../generate/llm-answerer.ts';
import type { Store, TraceStore } from '../spec/index.ts';
import { openSqliteStore, openSqliteTraces } from '../store/sqlite/index.ts';
import { MockLanguageModel } from '../testing/mock-language-model.ts';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../testing/otlp-receiver.ts';
import { createOtlpTraceExporter, type OtlpExportOptions } from '../trace/otlp-trace-exporter.ts';
import { type AskOptions, ask } from './ask.ts';
import { ingestPath } from './ingest-path.ts';
import { search } from './search.ts';

// The real engine (SQLite index, hashing embedder) exporting to a local collector that decodes
// the OTLP protobuf it receives.
const embedder = createHashingEmbedder({ dimensions: 256 });
const extractive = createExtractiveAnswerer({ embedder, abstainThreshold: -1 });
let receiver: OtlpReceiver;
let store: Store;
let traces: TraceStore;
let docs = '';

before(async () => {
  receiver = await startOtlpReceiver();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-otel-'));
  docs = path.join(dir, 'docs');
  fs.mkdirSync(docs);
  fs.writeFileSync(
    path.join(docs, 'fusion.md'),
    '# Fusion\n\nReciprocal rank fusion adds one over k plus rank for each list. The constant k is usually 60.\n',
  );
  fs.writeFileSync(
    path.join(docs, 'owner.md'),
    '# Owners\n\nThe fusion service is owned by Ana Lopez: mail ana.lopez@example.org for access.\n',
  );
  const indexPath = path.join(dir, 'index.db');
  store = openSqliteStore({ path: indexPath, embedder: { embedderId: 'hashing:hash-256', dimensions: 256 } });
  traces = openSqliteTraces(indexPath);
});
after(async () => {
  await traces.close();
  await store.close();
  await receiver.close();
});

/** Runs `work` with an exporter to the receiver, flushes, and returns the spans of `traceId`. */
async function exported<T extends { traceId: string }>(
  work: (traceExporter: ReturnType<typeof createOtlpTraceExporter>) => Promise<T>,
  options: Partial<OtlpExportOptions> = {},
): Promise<{ result: T; spans: ReceivedSpan[] }> {
  const traceExporter = createOtlpTraceExporter({ url: receiver.url, ...options });
  const result = await work(traceExporter);
  await traceExporter.shutdown();
  return { result, spans: receiver.spans.filter((span) => span.traceId === result.traceId) };
}

/** An extractive answer to `question`, exported (and stored), with `options` on top. */
const answered = (
  question: string,
  options: Partial<AskOptions> = {},
  exportOptions: Partial<OtlpExportOptions> = {},
) =>
  exported(
    (traceExporter) =>
      ask({ store, embedder, answerer: extractive, traceStore: traces, traceExporter, question, ...options }),
    exportOptions,
  );

const named = (spans: ReceivedSpan[], name: string) => {
  const found = spans.find((span) => span.name === name);
  assert.ok(found, `no span "${name}" among ${spans.map((span) => span.name).join(', ')}`);
  return found;
};
const within = (inner: ReceivedSpan, outer: ReceivedSpan) =>
  inner.startNanos >= outer.startNanos && inner.endNanos <= outer.endNanos;

test('ingest exports a bounded trace: one root, and per batch its load, embedding and write spans', async () => {
  const traceExporter = createOtlpTraceExporter({ url: receiver.url });
  await ingestPath({ store, embedder, chunking: DEFAULT_CHUNKING, inputPath: docs, traceExporter });
  await traceExporter.shutdown();
  // ingestPath returns no trace id: the trace is the one whose root is the ingest.
  const root = named(receiver.spans, 'cairn.ingest');
  const spans = receiver.spans.filter((span) => span.traceId === root.traceId);
  assert.equal(root.attributes['cairn.added'], 2);
  for (const name of ['cairn.ingest.load', 'embeddings hash-256', 'cairn.ingest.write']) {
    const span = named(spans, name);
    assert.equal(span.parentSpanId, root.spanId, name);
    assert.ok(within(span, root), name);
  }
  assert.equal(named(spans, 'embeddings hash-256').attributes['gen_ai.provider.name'], 'cairn');
  assert.equal(named(spans, 'embeddings hash-256').attributes['cairn.chunks'], 2);
});

test('an answer exports GenAI spans with W3C ids, parent links and retrieval steps timed inside retrieval', async () => {
  const { result, spans } = await answered('What constant k does fusion use?');
  assert.equal(result.abstained, false);
  assert.ok(spans.every((span) => /^[0-9a-f]{32}$/.test(span.traceId) && /^[0-9a-f]{16}$/.test(span.spanId)));
  const root = named(spans, 'cairn.ask');
  assert.equal(root.parentSpanId, '');
  const embeddings = named(spans, 'embeddings hash-256');
  assert.deepEqual(
    [embeddings.attributes['gen_ai.operation.name'], embeddings.attributes['gen_ai.request.model']],
    ['embeddings', 'hash-256'],
  );
  const retrieval = named(spans, 'retrieval default');
  assert.deepEqual(
    [
      retrieval.attributes['gen_ai.operation.name'],
      retrieval.attributes['gen_ai.data_source.id'],
      retrieval.attributes['gen_ai.request.top_k'],
    ],
    ['retrieval', 'default', 6],
  );
  for (const step of ['cairn.retrieve.bm25', 'cairn.retrieve.dense', 'cairn.retrieve.fuse']) {
    const span = named(spans, step);
    assert.equal(span.parentSpanId, retrieval.spanId, step);
    assert.ok(within(span, retrieval), `${step} lies inside the retrieval span`);
    assert.ok(span.endNanos > span.startNanos, `${step} has a measured duration`);
  }
  const chat = named(spans, 'chat extractive');
  assert.deepEqual(
    [chat.attributes['gen_ai.operation.name'], chat.attributes['gen_ai.provider.name'], chat.kind],
    ['chat', 'cairn', 1],
  );
  assert.ok(!spans.some((span) => span.name.includes('rerank')));
  // The stored trace is the same one, readable by cairn trace and the UI.
  assert.equal((await traces.getTrace('default', result.traceId))?.spans.length, spans.length);
});

test('an LLM answer carries its model, token usage and finish reason on the chat span', async () => {
  const answerer = createLlmAnswerer({ model: new MockLanguageModel('The constant k is usually 60 [1].') });
  const { spans } = await exported((traceExporter) =>
    ask({ store, embedder, answerer, traceExporter, question: 'What constant k does fusion use?' }),
  );
  const chat = named(spans, 'chat mock-model');
  assert.equal(chat.kind, 3);
  assert.equal(chat.attributes['gen_ai.provider.name'], 'mock');
  assert.equal(chat.attributes['gen_ai.request.model'], 'mock-model');
  assert.ok((chat.attributes['gen_ai.usage.input_tokens'] as number) > 0);
  assert.ok((chat.attributes['gen_ai.usage.output_tokens'] as number) > 0);
  assert.deepEqual(chat.attributes['gen_ai.response.finish_reasons'], ['stop']);
});

test('question and answer text stay out of the export unless captured, and are redacted when they are', async () => {
  const question = 'Who owns fusion? I am bob@example.com';
  const off = await answered(question);
  const everything = JSON.stringify(off.spans, (_key, value) =>
    typeof value === 'bigint' ? String(value) : value,
  );
  assert.doesNotMatch(everything, /bob|Who owns|ana\.lopez/);
  assert.ok(!off.spans.some((span) => 'gen_ai.input.messages' in span.attributes));

  const on = await answered(question, { redactAnswer: false }, { captureContent: true });
  const chat = named(on.spans, 'chat extractive');
  const input = JSON.parse(String(chat.attributes['gen_ai.input.messages']));
  assert.deepEqual(input, [
    { role: 'user', parts: [{ type: 'text', content: 'Who owns fusion? I am [EMAIL]' }] },
  ]);
  const output = JSON.parse(String(chat.attributes['gen_ai.output.messages']));
  assert.equal(output[0].role, 'assistant');
  // The answer quotes the owner's address; even with redactAnswer off, the export redacts it.
  assert.match(output[0].parts[0].content, /\[EMAIL\]/);
  assert.doesNotMatch(JSON.stringify(on.spans.map((span) => span.attributes)), /@example\./);
  assert.equal(
    named(on.spans, 'retrieval default').attributes['gen_ai.retrieval.query.text'],
    'Who owns fusion? I am [EMAIL]',
  );
});

test('a search exports a retrieval root with its steps', async () => {
  const { spans } = await exported((traceExporter) =>
    search({ store, embedder, query: 'reciprocal rank fusion', k: 3, traceExporter }),
  );
  const root = named(spans, 'retrieval default');
  assert.equal(root.parentSpanId, '');
  assert.equal(root.attributes['gen_ai.request.top_k'], 3);
  assert.ok(Array.isArray(root.attributes['cairn.docIds']));
  for (const step of [
    'embeddings hash-256',
    'cairn.retrieve.bm25',
    'cairn.retrieve.dense',
    'cairn.retrieve.fuse',
  ])
    assert.equal(named(spans, step).parentSpanId, root.spanId, step);
});

test("a caller's sampled traceparent joins its trace; an unsampled one keeps the trace local", async () => {
  const traceParent = {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    sampled: true,
  };
  const { result, spans } = await answered('What is k?', { traceParent });
  assert.equal(result.traceId, traceParent.traceId);
  assert.equal(named(spans, 'cairn.ask').parentSpanId, traceParent.spanId);
  // Stored too, and cairn's own readers still find the root.
  const stored = await traces.getTrace('default', traceParent.traceId);
  assert.equal(stored?.spans[0]?.parentSpanId, traceParent.spanId);

  const unsampled = { ...traceParent, traceId: 'aaf92f3577b34da6a3ce929d0e0e4736', sampled: false };
  const quiet = await answered('What is k?', { traceParent: unsampled });
  assert.equal(quiet.spans.length, 0);
  assert.ok(await traces.getTrace('default', unsampled.traceId));
});

test('with the collector down the answer still succeeds and the dropped spans are counted', async () => {
  const warnings: string[] = [];
  const traceExporter = createOtlpTraceExporter({
    url: 'http://127.0.0.1:9/v1/traces',
    // A refused connection is retried until the timeout; a short one keeps the test quick.
    timeoutMs: 500,
    onWarning: (warning) => warnings.push(warning),
  });
  const result = await ask({
    store,
    embedder,
    answerer: extractive,
    traceExporter,
    question: 'What constant k does fusion use?',
  });
  assert.equal(result.abstained, false);
  await traceExporter.shutdown();
  assert.equal(traceExporter.stats().exportedSpans, 0);
  assert.ok(traceExporter.stats().droppedSpans >= 5);
  assert.equal(warnings.length, 1);
});
