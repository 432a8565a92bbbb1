import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ApiCallError, CairnError } from '../spec/index.ts';
import { createOpenAICompatibleEmbedder } from './openai-compatible-embedder.ts';

// A real HTTP server on 127.0.0.1 speaking the OpenAI embeddings protocol, scripted per request.
let reply: (body: { model: string; input: string[] }, res: http.ServerResponse) => void;
const received: { authorization: string | undefined; body: { model: string; input: string[] } }[] = [];
let server: http.Server;
let baseURL: string;

before(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (part) => {
      raw += part;
    });
    req.on('end', () => {
      const body = JSON.parse(raw) as { model: string; input: string[] };
      received.push({ authorization: req.headers.authorization, body });
      reply(body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
after(() => server.close());

const json = (res: http.ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof value === 'string' ? value : JSON.stringify(value));
};

test('sends model, input and bearer key; returns unit vectors in input order with usage', async () => {
  reply = (body, res) =>
    json(res, 200, {
      // Deliberately out of order: the client must sort by index.
      data: body.input.map((_, index) => ({ index, embedding: [index + 1, 0, 0] })).reverse(),
      usage: { prompt_tokens: 7, total_tokens: 7 },
    });
  const model = createOpenAICompatibleEmbedder({
    baseURL,
    apiKey: 'sk-test',
    modelId: 'embed-small',
    dimensions: 3,
  });
  const result = await model.doEmbed({ values: ['first', 'second'] });
  assert.deepEqual(received.at(-1), {
    authorization: 'Bearer sk-test',
    body: { model: 'embed-small', input: ['first', 'second'], encoding_format: 'float' },
  });
  assert.deepEqual([...(result.embeddings[0] ?? [])], [1, 0, 0]);
  assert.equal(result.usage?.tokens, 7);
});

test('HTTP 429 becomes a retryable ApiCallError with the status and URL', async () => {
  reply = (_, res) => json(res, 429, { error: { message: 'slow down' } });
  const model = createOpenAICompatibleEmbedder({ baseURL, modelId: 'm', dimensions: 3 });
  await assert.rejects(model.doEmbed({ values: ['x'] }), (error: unknown) => {
    assert.ok(error instanceof ApiCallError);
    assert.equal(error.status, 429);
    assert.equal(error.isRetryable, true);
    assert.match(error.message, /HTTP 429/);
    return true;
  });
});

test('a malformed body and a wrong dimension are reported, not silently stored', async () => {
  reply = (_, res) => json(res, 200, '{"data": [');
  const model = createOpenAICompatibleEmbedder({ baseURL, modelId: 'm', dimensions: 3 });
  await assert.rejects(model.doEmbed({ values: ['x'] }), /not JSON/);
  reply = (_, res) => json(res, 200, { data: [{ index: 0, embedding: [1, 2] }] });
  await assert.rejects(model.doEmbed({ values: ['x'] }), (error: unknown) =>
    CairnError.is(error, 'dimension_mismatch'),
  );
});

test('a request slower than the timeout is aborted with a clear error', async () => {
  reply = (_, res) => setTimeout(() => json(res, 200, { data: [] }), 2_000);
  const model = createOpenAICompatibleEmbedder({ baseURL, modelId: 'm', dimensions: 3, timeoutMs: 100 });
  await assert.rejects(
    model.doEmbed({ values: ['x'] }),
    (error: unknown) => error instanceof ApiCallError && /failed/.test(error.message),
  );
});

test('a refused connection is a retryable ApiCallError naming the URL', async () => {
  const model = createOpenAICompatibleEmbedder({
    baseURL: 'http://127.0.0.1:9/v1',
    modelId: 'm',
    dimensions: 3,
  });
  await assert.rejects(
    model.doEmbed({ values: ['x'] }),
    (error: unknown) =>
      error instanceof ApiCallError && error.isRetryable && error.message.includes('127.0.0.1:9'),
  );
});
