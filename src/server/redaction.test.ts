import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createAnswerCache } from '../cache/index.ts';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import { ask } from '../engine/index.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import { createLlmAnswerer } from '../generate/llm-answerer.ts';
import { createOpenAICompatibleChat } from '../generate/providers/index.ts';
import type { Answerer, Store, TraceStore } from '../spec/index.ts';
import {
  openSqliteAnswerCache,
  openSqliteApiKeys,
  openSqliteStore,
  openSqliteTraces,
} from '../store/sqlite/index.ts';
import { type MockLlmServer, startMockLlmServer } from '../testing/mock-llm-server.ts';
import type { ApiKeyStore } from './api-keys.ts';
import { createApp } from './create-app.ts';

// Issue #12: wherever answers are redacted, every field returned with them is redacted the same
// way. A real SQLite index holds documents with an e-mail, a phone number, a card number and an
// API key; every string of every response (JSON bodies, each SSE event, each chat chunk) is read.
const EMAIL = 'billing-desk@example.org';
const PHONE = '+44 20 7946 0958';
const CARD = '4111 1111 1111 1111';
const OTHER_CARD = '5555 5555 5555 4444';
const API_KEY = 'sk-proj-Q3vX9pLm2RtY7wZkA4bN8cD1eF6gH0jK';
// Parts too, so a value split across streamed tokens or cut short is caught as well.
const RAW = [
  EMAIL,
  'billing-desk@',
  PHONE,
  '+44 20 7946',
  '7946 0958',
  CARD,
  '4111 1111 1111',
  OTHER_CARD,
  '5555 5555 5555',
  API_KEY,
  'Q3vX9pLm2RtY',
];
const PLACEHOLDERS = ['[EMAIL]', '[PHONE]', '[CARD]', '[SECRET]'];
// What an answer about contacting billing returns: the billing document, cited.
const CONTACT_PLACEHOLDERS = ['[EMAIL]', '[PHONE]', '[SECRET]'];
const DOCUMENTS = [
  {
    name: 'billing.md',
    text:
      '# Billing desk\n\nContact the billing team at billing-desk@example.org or call +44 20 7946 0958 on weekdays. ' +
      `The sandbox API key is ${API_KEY} and it is rotated every ninety days.\n`,
  },
  {
    name: 'sandbox-2023.md',
    text: '---\nupdated: 2023-02-01\n---\n# Sandbox\n\nThe sandbox test card number is 4111 1111 1111 1111 for every payment test.\n',
  },
  {
    name: 'sandbox-2025.md',
    text: '---\nupdated: 2025-06-01\n---\n# Sandbox\n\nThe sandbox test card number is 5555 5555 5555 4444 for every payment test.\n',
  },
];
const CONTACT = 'How do I contact the billing team?';
const CARD_QUESTION = 'What is the sandbox test card number for payment tests?';
// The mock model writes the values back, as a model that quotes its passages would.
const LLM_REPLY = `Contact the billing team at ${EMAIL} or call ${PHONE} [1]. The sandbox key is ${API_KEY} [1].`;

const embedder = createHashingEmbedder({ dimensions: 256 });
let dir = '';
let store: Store;
let traces: TraceStore;
let keys: ApiKeyStore;
let mock: MockLlmServer;
let reader = '';

/** Every string in a JSON value, object keys included, with where it was found. */
function stringLeaves(value: unknown, at = '$'): { at: string; text: string }[] {
  if (typeof value === 'string') return [{ at, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringLeaves(item, `${at}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, field]) => [
    { at: `${at} (key)`, text: key },
    ...stringLeaves(field, `${at}.${key}`),
  ]);
}

/** Fails naming the first field that carries a raw value; returns every string, joined, for more checks. */
function assertNoRawValue(label: string, value: unknown): string {
  const leaves = stringLeaves(value);
  assert.ok(leaves.length > 0, `${label}: nothing returned`);
  for (const leaf of leaves)
    for (const raw of RAW)
      assert.ok(!leaf.text.includes(raw), `${label}: ${leaf.at} carries "${raw}": ${leaf.text}`);
  return leaves.map((leaf) => leaf.text).join('\n');
}

function assertPlaceholders(label: string, text: string, expected = CONTACT_PLACEHOLDERS) {
  for (const placeholder of expected) assert.ok(text.includes(placeholder), `${label}: no ${placeholder}`);
}

function appWith(overrides: Partial<Parameters<typeof createApp>[0]> = {}) {
  return createApp({
    store,
    embedder,
    traceStore: traces,
    keys,
    answerer: createExtractiveAnswerer({ embedder, abstainThreshold: -1 }),
    retrieval: { mode: 'hybrid', k: 4 },
    chunking: DEFAULT_CHUNKING,
    uploadsDir: fs.mkdtempSync(path.join(dir, 'uploads-')),
    limits: { rateLimit: { capacity: 1000, refillPerSecond: 1000 } },
    ...overrides,
  }).app;
}

function llmAnswerer(): Answerer {
  return createLlmAnswerer({ model: createOpenAICompatibleChat({ baseURL: mock.url, modelId: 'mock' }) });
}

function post(app: ReturnType<typeof appWith>, pathname: string, json: unknown) {
  return app.request(pathname, {
    method: 'POST',
    headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' },
    body: JSON.stringify(json),
  });
}

/** The events of an SSE body: `event` (when named) and parsed `data`; `[DONE]` stays a string. */
async function sseEvents(response: Response): Promise<{ event?: string; data: unknown }[]> {
  assert.equal(response.status, 200);
  return (await response.text())
    .split('\n\n')
    .filter((block) => /^data: /m.test(block))
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
      return { ...(event ? { event } : {}), data: data === '[DONE]' ? data : (JSON.parse(data) as unknown) };
    });
}

function streamedText(events: { event?: string; data: unknown }[]): string {
  return events
    .filter((event) => event.event === 'token')
    .map((event) => (event.data as { text: string }).text)
    .join('');
}

function chatContent(events: { data: unknown }[]): string {
  return events
    .map(
      (event) => (event.data as { choices?: { delta: { content?: string } }[] }).choices?.[0]?.delta.content,
    )
    .filter((content): content is string => content !== undefined)
    .join('');
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-redaction-'));
  const indexPath = path.join(dir, 'index.db');
  store = openSqliteStore({ path: indexPath, embedder: { embedderId: 'hashing:hash-256', dimensions: 256 } });
  traces = openSqliteTraces(indexPath);
  keys = openSqliteApiKeys(indexPath);
  mock = await startMockLlmServer();
  mock.setDefault({ text: LLM_REPLY });
  const writer = (await keys.create({ tenant: 'default', role: 'writer' })).key;
  reader = (await keys.create({ tenant: 'default', role: 'reader' })).key;
  const built = createApp({
    store,
    embedder,
    traceStore: traces,
    keys,
    answerer: createExtractiveAnswerer({ embedder }),
    retrieval: { k: 4 },
    chunking: DEFAULT_CHUNKING,
    uploadsDir: path.join(dir, 'uploads'),
  });
  const uploaded = await built.app.request('/v1/documents', {
    method: 'POST',
    headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ documents: DOCUMENTS }),
  });
  assert.equal(uploaded.status, 202);
  await built.jobs.idle();
  assert.equal((await store.listDocuments('default')).length, DOCUMENTS.length);
});

after(async () => {
  await mock.close();
  await keys.close();
  await traces.close();
  await store.close();
});

test('ask() redacts every field of its result: answer, citations, passages, conflicts, abstentions', async () => {
  const streamed: string[] = [];
  const answered = await ask({
    store,
    embedder,
    answerer: createExtractiveAnswerer({ embedder, abstainThreshold: -1 }),
    question: CONTACT,
    onToken: (delta) => streamed.push(delta),
  });
  assert.equal(answered.abstained, false);
  assertPlaceholders('ask()', assertNoRawValue('ask()', answered), PLACEHOLDERS);
  assertPlaceholders('ask() answer', answered.answer, ['[EMAIL]', '[PHONE]']);
  assertNoRawValue('ask() stream', [...streamed, streamed.join('')]);
  assert.equal(streamed.join(''), answered.answer, 'the stream is the redacted answer');

  const disputed = await ask({
    store,
    embedder,
    answerer: createExtractiveAnswerer({ embedder, abstainThreshold: -1 }),
    question: CARD_QUESTION,
  });
  assert.ok(disputed.conflicts.length > 0, 'the two sandbox documents disagree on the card');
  assertPlaceholders('conflicts', assertNoRawValue('ask() conflicts', disputed.conflicts), ['[CARD]']);

  // An abstention returns the passages it looked at: they follow the same rule.
  const abstained = await ask({
    store,
    embedder,
    answerer: createExtractiveAnswerer({ embedder, abstainThreshold: 0.99 }),
    question: CONTACT,
  });
  assert.equal(abstained.abstained, true);
  assert.ok(abstained.passages.length > 0);
  assertPlaceholders('abstained', assertNoRawValue('ask() abstained', abstained), PLACEHOLDERS);
});

test('/v1/ask JSON and every SSE event, extractive and LLM answers, carry placeholders only', async () => {
  for (const [name, app] of [
    ['extractive', appWith()],
    ['llm', appWith({ answerer: llmAnswerer() })],
  ] as const) {
    const json = (await (await post(app, '/v1/ask', { question: CONTACT })).json()) as { answer: string };
    assertPlaceholders(`${name} /v1/ask`, assertNoRawValue(`${name} /v1/ask`, json));
    assertPlaceholders(`${name} answer`, json.answer, ['[EMAIL]', '[PHONE]']);

    const events = await sseEvents(await post(app, '/v1/ask', { question: CONTACT, stream: true }));
    assertPlaceholders(`${name} SSE`, assertNoRawValue(`${name} /v1/ask SSE`, events));
    assert.deepEqual(
      [...new Set(events.map((event) => event.event))],
      ['token', 'citation', 'done'],
      `${name}: ${events.map((event) => event.event).join(',')}`,
    );
    const done = events.at(-1)?.data as { answer: string };
    // A value split across tokens is caught only in the joined text.
    assertPlaceholders(`${name} streamed`, assertNoRawValue(`${name} tokens`, streamedText(events)), [
      '[EMAIL]',
      '[PHONE]',
    ]);
    assert.equal(streamedText(events), done.answer, `${name}: the tokens add up to the answer`);
  }
  const disputed = await sseEvents(
    await post(appWith(), '/v1/ask', { question: CARD_QUESTION, stream: true }),
  );
  assert.ok(disputed.some((event) => event.event === 'conflict'));
  assertPlaceholders('conflict events', assertNoRawValue('/v1/ask SSE conflicts', disputed), ['[CARD]']);
});

test('/v1/chat/completions, as JSON and streamed, carries placeholders only', async () => {
  for (const [name, app] of [
    ['extractive', appWith()],
    ['llm', appWith({ answerer: llmAnswerer() })],
  ] as const) {
    const messages = [{ role: 'user', content: CONTACT }];
    const completion = (await (await post(app, '/v1/chat/completions', { messages })).json()) as {
      choices: { message: { content: string } }[];
    };
    assertPlaceholders(`${name} chat`, assertNoRawValue(`${name} chat JSON`, completion));
    assertPlaceholders(`${name} chat content`, completion.choices[0]?.message.content ?? '', [
      '[EMAIL]',
      '[PHONE]',
    ]);

    const chunks = await sseEvents(await post(app, '/v1/chat/completions', { messages, stream: true }));
    assert.equal(chunks.at(-1)?.data, '[DONE]');
    assertPlaceholders(`${name} chat stream`, assertNoRawValue(`${name} chat stream`, chunks));
    const content = assertNoRawValue(`${name} chat streamed content`, chatContent(chunks));
    assertPlaceholders(`${name} chat streamed content`, content, ['[EMAIL]', '[PHONE]']);
  }
});

test('/v1/search and the citation viewer return redacted passages when answers are redacted', async () => {
  const app = appWith();
  const search = await (await post(app, '/v1/search', { query: `${CONTACT} sandbox card`, k: 5 })).json();
  assertPlaceholders('/v1/search', assertNoRawValue('/v1/search', search), PLACEHOLDERS);
  const chunks = await app.request(`/v1/documents/${encodeURIComponent('uploads/billing.md')}/chunks`, {
    headers: { authorization: `Bearer ${reader}` },
  });
  assert.equal(chunks.status, 200);
  assertPlaceholders('chunks', assertNoRawValue('/v1/documents/:id/chunks', await chunks.json()));
});

test('a cached answer is served redacted, its cached question too', async () => {
  const cache = createAnswerCache(openSqliteAnswerCache(path.join(dir, 'cache.db')));
  try {
    const app = appWith({ cache: { cache } });
    const question = `How do I contact the billing team at ${EMAIL}?`;
    await post(app, '/v1/ask', { question });
    const hit = (await (await post(app, '/v1/ask', { question })).json()) as { cache?: { hit: string } };
    assert.equal(hit.cache?.hit, 'exact');
    assertPlaceholders('cached', assertNoRawValue('cached /v1/ask', hit));
    const streamed = await sseEvents(await post(app, '/v1/ask', { question, stream: true }));
    const done = streamed.find((event) => event.event === 'done')?.data as { cache?: { hit: string } };
    assert.equal(done.cache?.hit, 'exact');
    assertPlaceholders('cached SSE', assertNoRawValue('cached /v1/ask SSE', streamed));
    const chat = await (
      await post(app, '/v1/chat/completions', { messages: [{ role: 'user', content: question }] })
    ).json();
    assertPlaceholders('cached chat', assertNoRawValue('cached chat JSON', chat));
  } finally {
    await cache.close();
  }
});

test('with guard.redactAnswers off, the raw values pass through every route', async () => {
  const app = appWith({ guard: { redactAnswers: false }, answerer: llmAnswerer() });
  const everything = JSON.stringify([
    await (await post(app, '/v1/ask', { question: CONTACT })).json(),
    await sseEvents(await post(app, '/v1/ask', { question: CONTACT, stream: true })),
    await (
      await post(app, '/v1/chat/completions', { messages: [{ role: 'user', content: CONTACT }] })
    ).json(),
    await (await post(app, '/v1/search', { query: CARD_QUESTION, k: 5 })).json(),
  ]);
  for (const raw of [EMAIL, PHONE, CARD, API_KEY]) assert.ok(everything.includes(raw), `${raw} was redacted`);
  assert.ok(!everything.includes('[EMAIL]'));
});
