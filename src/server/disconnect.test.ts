import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import { ingestPath } from '../engine/index.ts';
import { createLlmAnswerer } from '../generate/llm-answerer.ts';
import { createOpenAICompatibleChat } from '../generate/providers/index.ts';
import { openSqliteApiKeys, openSqliteStore, openSqliteTraces } from '../store/sqlite/index.ts';
import { startMockLlmServer } from '../testing/mock-llm-server.ts';
import { createApp } from './create-app.ts';

test('a client that disconnects mid-stream aborts the upstream LLM request', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-disconnect-'));
  fs.mkdirSync(path.join(dir, 'docs'));
  fs.writeFileSync(
    path.join(dir, 'docs', 'rrf.md'),
    '# RRF\n\nReciprocal rank fusion uses the constant k, usually 60.\n',
  );
  const embedder = createHashingEmbedder({ dimensions: 64 });
  const indexPath = path.join(dir, 'index.db');
  const store = openSqliteStore({
    path: indexPath,
    embedder: { embedderId: 'hashing:hash-64', dimensions: 64 },
  });
  await ingestPath({ store, embedder, chunking: DEFAULT_CHUNKING, inputPath: path.join(dir, 'docs') });
  const traces = openSqliteTraces(indexPath);
  const keys = openSqliteApiKeys(indexPath);
  const mock = await startMockLlmServer();
  // A slow answer: 200 words at 20 tokens per second would take 10 seconds.
  mock.setDefault({ text: `${'The constant is sixty [1]. '.repeat(40)}`, tokensPerSecond: 20 });
  const { app } = createApp({
    store,
    embedder,
    traceStore: traces,
    keys,
    answerer: createLlmAnswerer({
      model: createOpenAICompatibleChat({ baseURL: mock.url, modelId: 'mock' }),
    }),
    retrieval: { k: 2 },
    chunking: DEFAULT_CHUNKING,
    uploadsDir: path.join(dir, 'uploads'),
  });
  const key = (await keys.create({ tenant: 'default', role: 'reader' })).key;
  try {
    const response = await app.request('/v1/ask', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'What constant does RRF use?', stream: true }),
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    assert.match(new TextDecoder().decode(first.value), /event: token/);
    await reader.cancel();
    for (let i = 0; i < 100 && !mock.requests.at(-1)?.aborted; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(mock.requests.at(-1)?.aborted, true, 'the LLM request was cancelled');
  } finally {
    await mock.close();
    await keys.close();
    await traces.close();
    await store.close();
  }
});
