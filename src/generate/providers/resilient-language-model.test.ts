import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type MockLlmServer, startMockLlmServer } from '../../testing/mock-llm-server.ts';
import { createLlmAnswerer } from '../llm-answerer.ts';
import { createOpenAICompatibleChat } from './openai-compatible-chat.ts';
import { createResilientLanguageModel } from './resilient-language-model.ts';

// Fault injection over real HTTP: two mock providers, the second a fallback.
let primary: MockLlmServer;
let secondary: MockLlmServer;
const messages = [{ role: 'user' as const, content: 'hello' }];
const models = () => [
  createOpenAICompatibleChat({ baseURL: primary.url, modelId: 'primary' }),
  createOpenAICompatibleChat({ baseURL: secondary.url, modelId: 'secondary' }),
];
const events: { type: string; model: string; delayMs?: number }[] = [];
const options = {
  random: () => 0,
  baseDelayMs: 1,
  onEvent: (event: { type: string; model: string; delayMs?: number }) => events.push(event),
};

before(async () => {
  primary = await startMockLlmServer();
  secondary = await startMockLlmServer();
});
after(async () => {
  await primary.close();
  await secondary.close();
});

test('a 429 is retried after at least its Retry-After, then answered by the same model', async () => {
  events.length = 0;
  primary.enqueue({ status: 429, headers: { 'retry-after': '1' } }, { text: 'fine' });
  const result = await createResilientLanguageModel(models(), options).doGenerate({ messages });
  assert.equal(result.text, 'fine');
  assert.deepEqual(
    events.map(({ type, model, delayMs }) => ({ type, model, delayMs })),
    [{ type: 'retry', model: 'openai-compatible:primary', delayMs: 1000 }],
    'jitter alone would wait 0 ms here; the Retry-After of 1 s wins',
  );
});

test('a 500 storm falls back to the next model; a 400 is not retried anywhere', async () => {
  events.length = 0;
  primary.setDefault({ status: 500 });
  secondary.setDefault({ text: 'from the fallback' });
  const before = primary.requests.length;
  const result = await createResilientLanguageModel(models(), { ...options, retries: 2 }).doGenerate({
    messages,
  });
  assert.equal(result.text, 'from the fallback');
  assert.equal(primary.requests.length - before, 3, 'one try and two retries');
  assert.deepEqual(
    events.map((event) => event.type),
    ['retry', 'retry', 'fallback'],
  );

  primary.setDefault({ status: 400, body: '{"error":{"message":"bad request"}}' });
  const beforeBad = primary.requests.length + secondary.requests.length;
  await assert.rejects(createResilientLanguageModel(models(), options).doGenerate({ messages }), /400/);
  assert.equal(primary.requests.length + secondary.requests.length - beforeBad, 1);
  primary.setDefault({ text: 'ok' });
});

test('the circuit opens after repeated failures and the broken model is skipped', async () => {
  events.length = 0;
  primary.setDefault({ status: 503 });
  secondary.setDefault({ text: 'secondary' });
  let clock = 0;
  const chain = createResilientLanguageModel(models(), {
    ...options,
    retries: 0,
    breakerThreshold: 2,
    breakerCooldownMs: 1000,
    now: () => clock,
  });
  await chain.doGenerate({ messages });
  await chain.doGenerate({ messages });
  assert.ok(events.some((event) => event.type === 'circuit-open'));
  const before = primary.requests.length;
  assert.equal((await chain.doGenerate({ messages })).text, 'secondary');
  assert.equal(primary.requests.length, before, 'no call to an open circuit');
  clock = 2000;
  primary.setDefault({ text: 'primary is back' });
  assert.equal(
    (await chain.doGenerate({ messages })).text,
    'primary is back',
    'tried again after the cooldown',
  );
});

test('a stream that breaks before its first token is retried; one that breaks later is reported', async () => {
  primary.enqueue({ text: 'never sent', cutAfterChunks: 0 }, { text: 'second try works' });
  const chain = createResilientLanguageModel(models(), { ...options, retries: 1 });
  let text = '';
  for await (const part of (await chain.doStream({ messages })).stream)
    if (part.type === 'text-delta') text += part.delta;
  assert.equal(text, 'second try works');

  primary.enqueue({ text: 'one two three four five', cutAfterChunks: 2 });
  const parts: string[] = [];
  await assert.rejects(async () => {
    for await (const part of (await chain.doStream({ messages })).stream) {
      if (part.type === 'text-delta') parts.push(part.delta);
      if (part.type === 'error') throw part.error;
    }
  });
  assert.ok(parts.length > 0, 'tokens already shown are not replayed from another model');
});

test('when every model fails, the error names each failure', async () => {
  primary.setDefault({ status: 502 });
  secondary.setDefault({ status: 503 });
  await assert.rejects(
    createResilientLanguageModel(models(), { ...options, retries: 0 }).doGenerate({ messages }),
    /every model failed: openai-compatible:primary: .*502.*; openai-compatible:secondary: .*503/,
  );
  primary.setDefault({ text: 'ok' });
  secondary.setDefault({ text: 'ok' });
});

test('the model that answered is reported, so a fallback answer is priced as the fallback', async () => {
  primary.setDefault({ status: 500 });
  secondary.setDefault({ text: 'k is 60 [1].', usage: { inputTokens: 1000, outputTokens: 100 } });
  const chain = createResilientLanguageModel(models(), { ...options, retries: 0 });
  const generated = await chain.doGenerate({ messages });
  assert.equal(generated.response.servedBy, 'openai-compatible:secondary');
  let finish: unknown;
  for await (const part of (await chain.doStream({ messages })).stream)
    if (part.type === 'finish') finish = part.response;
  assert.equal((finish as { servedBy?: string }).servedBy, 'openai-compatible:secondary');
  const draft = await createLlmAnswerer({ model: chain, stream: false }).answer({
    question: 'What is k?',
    passages: [
      {
        n: 1,
        chunkId: 'rrf#0',
        docId: 'rrf',
        source: 'rrf.md',
        title: 'RRF',
        text: 'k is 60.',
        score: 1,
        metadata: {},
      },
    ],
  });
  assert.equal(draft.modelId, 'openai-compatible:secondary');
  primary.setDefault({ text: 'ok' });
  secondary.setDefault({ text: 'ok' });
});

/** Most requests the mock held at once before their first token. */
function peakWaiting(requests: MockLlmServer['requests']): number {
  let peak = 0;
  for (const request of requests) {
    const waiting = requests.filter(
      (other) =>
        other.receivedAt <= request.receivedAt && (other.firstTokenAt ?? Infinity) > request.receivedAt,
    ).length;
    peak = Math.max(peak, waiting);
  }
  return peak;
}

test('calls per model wait their turn past maxConcurrency; the default lets a server-sized burst through', async () => {
  primary.setDefault({ text: 'ok', firstTokenLatencyMs: 150 });
  const streamAll = async (count: number, maxConcurrency?: number) => {
    const model = createResilientLanguageModel(
      [createOpenAICompatibleChat({ baseURL: primary.url, modelId: 'primary' })],
      { ...options, ...(maxConcurrency ? { maxConcurrency } : {}) },
    );
    const start = primary.requests.length;
    await Promise.all(
      Array.from({ length: count }, async () => {
        const { stream } = await model.doStream({ messages });
        for await (const _part of stream);
      }),
    );
    return primary.requests.slice(start);
  };
  assert.equal(peakWaiting(await streamAll(6, 2)), 2);
  // 8 was once a hidden limit: 100 concurrent sessions queued behind it for seconds.
  assert.equal(peakWaiting(await streamAll(40)), 40);
});
