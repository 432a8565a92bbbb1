import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type OtlpReceiver, startOtlpReceiver } from '../testing/otlp-receiver.ts';
import { cairnIn } from './__fixtures__/cli-context.ts';

// The commands configured only by the standard OTEL_* variables, exporting to a local collector
// that decodes the protobuf they send.
const DOCS: Record<string, string> = {
  'keys.md': '# API keys\n\nAPI keys rotate every ninety days; the old key keeps working for one more day.\n',
  'backups.md':
    '# Backups\n\nBackups run nightly at 02:00 UTC and are kept for 35 days in a second region.\n',
};
const GOLDEN = [
  {
    id: 'keys',
    question: 'How often do API keys rotate?',
    reference_answer: 'API keys rotate every ninety days.',
    relevant_doc_ids: ['docs/keys.md'],
    tags: [],
    split: 'test',
  },
  {
    id: 'peru',
    question: 'What is the capital of Peru?',
    reference_answer: '',
    relevant_doc_ids: [],
    tags: ['out-of-scope'],
    split: 'test',
  },
];
const AUTHORIZATION = 'Basic cGstbGYtdGVzdDpzay1sZi10ZXN0';
let receiver: OtlpReceiver;
let dir = '';
const env = () => ({
  CAIRN_INDEX: path.join(dir, 'index.db'),
  CAIRN_EMBEDDER: 'hashing',
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url.replace(/\/v1\/traces$/, ''),
  OTEL_EXPORTER_OTLP_HEADERS: `Authorization=${encodeURIComponent(AUTHORIZATION)}`,
  OTEL_SERVICE_NAME: 'cairn-cli-test',
});

before(async () => {
  receiver = await startOtlpReceiver();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-telemetry-'));
  fs.mkdirSync(path.join(dir, 'docs'));
  for (const [name, text] of Object.entries(DOCS)) fs.writeFileSync(path.join(dir, 'docs', name), text);
  fs.writeFileSync(path.join(dir, 'golden.jsonl'), GOLDEN.map((item) => JSON.stringify(item)).join('\n'));
  const ingest = await cairnIn(dir, ['ingest', path.join(dir, 'docs')], env());
  assert.equal(ingest.code, 0, ingest.stderr);
});
after(async () => {
  await receiver.close();
});

test('cairn ingest, ask and search export their traces to the endpoint the environment names', async () => {
  const asked = await cairnIn(dir, ['ask', 'How often do API keys rotate?', '--json'], env());
  assert.equal(asked.code, 0, asked.stderr);
  const { traceId } = JSON.parse(asked.stdout) as { traceId: string };
  const searched = await cairnIn(dir, ['search', 'nightly backups', '--json'], env());
  assert.equal(searched.code, 0, searched.stderr);
  // Each command flushed before it returned: nothing is waited for here.
  const names = new Set(receiver.spans.map((span) => span.name));
  for (const name of [
    'cairn.ingest',
    'cairn.ask',
    'chat extractive',
    'retrieval default',
    'embeddings hash-256',
  ])
    assert.ok(names.has(name), name);
  assert.ok(receiver.spans.some((span) => span.traceId === traceId && span.name === 'cairn.ask'));
  assert.ok(receiver.spans.every((span) => span.resource['service.name'] === 'cairn-cli-test'));
  assert.ok(receiver.requests.every((headers) => headers.authorization === AUTHORIZATION));
  assert.ok(receiver.spans.every((span) => span.protocol === 'http/protobuf'));
});

test('cairn eval answers exports each judged answer with its scores as gen_ai.evaluation.result events', async () => {
  const before = receiver.spans.length;
  const evaluated = await cairnIn(
    dir,
    ['eval', 'answers', '--golden', path.join(dir, 'golden.jsonl'), '--json'],
    env(),
  );
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const run = JSON.parse(evaluated.stdout) as {
    items: { id: string; traceId: string; metrics: Record<string, number | null> }[];
  };
  const spans = receiver.spans.slice(before);
  for (const item of run.items) {
    const events = spans
      .filter((span) => span.traceId === item.traceId)
      .flatMap((span) => span.events.map((event) => event.attributes));
    const scored = Object.entries(item.metrics).filter(
      ([name, value]) => value !== null && !['cost_usd', 'latency_ms', 'tokens'].includes(name),
    );
    assert.equal(events.length, scored.length, `${item.id}: one event per scored metric`);
    for (const [name, value] of scored) {
      const event = events.find((candidate) => candidate['gen_ai.evaluation.name'] === name);
      assert.equal(event?.['gen_ai.evaluation.score.value'], value, `${item.id} ${name}`);
    }
  }
  const peru = run.items.find((item) => item.id === 'peru');
  const abstention = spans
    .filter((span) => span.traceId === peru?.traceId)
    .flatMap((span) => span.events)
    .find((event) => event.attributes['gen_ai.evaluation.name'] === 'abstention_accuracy');
  assert.equal(abstention?.attributes['gen_ai.evaluation.score.label'], 'pass');
  const keys = run.items.find((item) => item.id === 'keys');
  const precision = spans.find(
    (span) =>
      span.traceId === keys?.traceId &&
      span.events.some((event) => event.attributes['gen_ai.evaluation.name'] === 'context_precision'),
  );
  assert.equal(precision?.name, 'retrieval default', 'context metrics judge the retrieval span');
});

test('cairn config shows the telemetry settings with the collector credentials masked', async () => {
  const shown = await cairnIn(dir, ['config'], env());
  assert.equal(shown.code, 0, shown.stderr);
  assert.doesNotMatch(shown.stdout, /cGstbGYtdGVzdDpzay1sZi10ZXN0/);
  assert.match(shown.stdout, /"serviceName": "cairn-cli-test"/);
});
