import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiCallError, CairnError, type LanguageModel, type StreamPart } from '../../spec/index.ts';
import { type MockLlmServer, startMockLlmServer } from '../../testing/mock-llm-server.ts';
import { createAnthropicMessages } from './anthropic-messages.ts';
import { createLanguageModel } from './create-language-model.ts';
import { createOpenAICompatibleChat } from './openai-compatible-chat.ts';

let server: MockLlmServer;
before(async () => {
  server = await startMockLlmServer();
});
after(() => server.close());

const messages = [
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: 'What is RRF?' },
];

async function drain(model: LanguageModel, options: Parameters<LanguageModel['doStream']>[0]) {
  const { stream } = await model.doStream(options);
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

const providers: [string, (options?: { timeoutMs?: number; idleTimeoutMs?: number }) => LanguageModel][] = [
  [
    'openai-compatible',
    (o = {}) =>
      createOpenAICompatibleChat({ baseURL: server.url, apiKey: 'sk-test', modelId: 'mock-chat', ...o }),
  ],
  [
    'anthropic',
    (o = {}) =>
      createAnthropicMessages({ baseURL: server.url, apiKey: 'ak-test', modelId: 'mock-claude', ...o }),
  ],
];

for (const [name, make] of providers) {
  describe(`${name} provider`, () => {
    test('generates text with reported usage', async () => {
      server.enqueue({ text: 'RRF fuses ranked lists [1].', usage: { inputTokens: 42, outputTokens: 7 } });
      const result = await make().doGenerate({ messages });
      assert.equal(result.text, 'RRF fuses ranked lists [1].');
      assert.deepEqual(result.usage, { inputTokens: 42, outputTokens: 7, reported: true });
      assert.equal(result.finishReason, 'stop');
    });

    test('streams deltas that reassemble to the full text; usage is counted locally when not reported', async () => {
      server.enqueue({ text: 'Reciprocal rank fusion adds one over k plus rank.', usage: 'omit' });
      const parts = await drain(make(), { messages });
      const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : [])).join('');
      assert.equal(text, 'Reciprocal rank fusion adds one over k plus rank.');
      assert.ok(parts.filter((part) => part.type === 'text-delta').length > 3);
      const finish = parts.at(-1);
      assert.equal(finish?.type, 'finish');
      if (finish?.type === 'finish') {
        assert.equal(finish.usage.reported, false);
        assert.ok(finish.usage.inputTokens > 0 && finish.usage.outputTokens > 0);
      }
    });

    test('tool calls arrive whole, streamed or not', async () => {
      const toolCalls = [{ name: 'search_docs', arguments: '{"query":"key rotation","k":3}' }];
      server.enqueue({ text: '', toolCalls });
      const generated = await make().doGenerate({
        messages,
        tools: [{ name: 'search_docs', description: 'search', parameters: { type: 'object' } }],
      });
      assert.equal(generated.finishReason, 'tool-calls');
      assert.deepEqual(JSON.parse(generated.toolCalls[0]?.arguments ?? ''), { query: 'key rotation', k: 3 });
      server.enqueue({ text: 'Searching.', toolCalls });
      const parts = await drain(make(), {
        messages,
        tools: [{ name: 'search_docs', description: 'search', parameters: { type: 'object' } }],
      });
      const call = parts.find((part) => part.type === 'tool-call');
      assert.ok(call?.type === 'tool-call');
      assert.equal(call.toolCall.name, 'search_docs');
      assert.deepEqual(JSON.parse(call.toolCall.arguments), { query: 'key rotation', k: 3 });
    });

    test('429 with Retry-After and 500 become ApiCallErrors with status and retryability', async () => {
      server.enqueue({ status: 429, headers: { 'retry-after': '2' } }, { status: 500 }, { status: 400 });
      await assert.rejects(
        make().doGenerate({ messages }),
        (error: unknown) =>
          error instanceof ApiCallError &&
          error.status === 429 &&
          error.isRetryable &&
          error.retryAfterMs === 2000,
      );
      await assert.rejects(
        make().doGenerate({ messages }),
        (error: unknown) => error instanceof ApiCallError && error.status === 500 && error.isRetryable,
      );
      await assert.rejects(
        make().doGenerate({ messages }),
        (error: unknown) => error instanceof ApiCallError && error.status === 400 && !error.isRetryable,
      );
    });

    test('malformed bodies and broken streams are reported, not crashes', async () => {
      server.enqueue({ malformed: true });
      await assert.rejects(make().doGenerate({ messages }), /not valid JSON/);
      server.enqueue({ malformed: true, text: 'one two three four' });
      const broken = await drain(make(), { messages });
      assert.equal(broken.at(-1)?.type, 'error');
      server.enqueue({ text: 'one two three four five', cutAfterChunks: 2 });
      const cut = await drain(make(), { messages });
      const last = cut.at(-1);
      assert.ok(last?.type === 'error' && last.error instanceof ApiCallError);
    });

    test('wrong tool-call shapes are clear, retryable errors, streamed or not', async () => {
      const tools = [{ name: 'search_docs', description: 'search', parameters: { type: 'object' } }];
      const shapes: [{ name: string; arguments: string }, RegExp][] = [
        [{ name: '', arguments: '{"query":"x"}' }, /tool call without a function name/],
        [{ name: 'search_docs', arguments: '{"query": "x"' }, /arguments are not valid JSON/],
        [{ name: 'search_docs', arguments: '["x"]' }, /arguments are not a JSON object/],
      ];
      for (const [call, message] of shapes) {
        server.enqueue({ text: '', toolCalls: [call] });
        await assert.rejects(
          make().doGenerate({ messages, tools }),
          (error: unknown) =>
            error instanceof ApiCallError && error.isRetryable && message.test(error.message),
        );
        server.enqueue({ text: '', toolCalls: [call] });
        const last = (await drain(make(), { messages, tools })).at(-1);
        assert.ok(
          last?.type === 'error' && message.test(String((last.error as Error).message)),
          String(message),
        );
      }
    });

    test('cancelling mid-stream aborts the HTTP request', async () => {
      server.enqueue({ text: 'a b c d e f g h i j', tokensPerSecond: 20 });
      const controller = new AbortController();
      const { stream } = await make().doStream({ messages, abortSignal: controller.signal });
      const parts: StreamPart[] = [];
      for await (const part of stream) {
        parts.push(part);
        if (parts.length === 2) controller.abort();
      }
      const last = parts.at(-1);
      assert.ok(last?.type === 'error' && CairnError.is(last.error, 'aborted'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(server.requests.at(-1)?.aborted, true);
    });

    test('first-byte and idle timeouts fire with a clear message', async () => {
      server.enqueue({ hang: true });
      await assert.rejects(make({ timeoutMs: 100 }).doGenerate({ messages }), /timed out after 100 ms/);
      server.enqueue({ text: 'slow stream of words here', tokensPerSecond: 2 });
      const parts = await drain(make({ idleTimeoutMs: 150 }), { messages });
      const last = parts.at(-1);
      assert.ok(last?.type === 'error' && /stalled/.test(String((last.error as Error).message)));
    });
  });
}

test('requests have the shape each real API expects', async () => {
  server.enqueue({ text: 'x' }, { text: 'y' });
  await createOpenAICompatibleChat({ baseURL: server.url, apiKey: 'sk-test', modelId: 'gpt-x' })
    .doStream({ messages, maxOutputTokens: 50 })
    .then(async ({ stream }) => {
      for await (const _ of stream);
    });
  const openai = server.requests.at(-1);
  assert.equal(openai?.path, '/v1/chat/completions');
  assert.equal(openai?.headers.authorization, 'Bearer sk-test');
  assert.deepEqual(openai?.body, {
    model: 'gpt-x',
    messages,
    max_tokens: 50,
    stream: true,
    stream_options: { include_usage: true },
  });
  await createAnthropicMessages({ baseURL: server.url, apiKey: 'ak-test', modelId: 'claude-x' }).doGenerate({
    messages,
  });
  const anthropic = server.requests.at(-1);
  assert.equal(anthropic?.path, '/v1/messages');
  assert.equal(anthropic?.headers['x-api-key'], 'ak-test');
  assert.equal(anthropic?.headers['anthropic-version'], '2023-06-01');
  assert.deepEqual(anthropic?.body, {
    model: 'claude-x',
    max_tokens: 1024,
    system: 'Be brief.',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'What is RRF?' }] }],
  });
});

test('createLanguageModel explains missing settings and unknown providers', () => {
  assert.throws(() => createLanguageModel('openai-compatible:llama3.1'), /needs a base URL/);
  assert.throws(() => createLanguageModel('anthropic:claude'), /needs an API key/);
  assert.throws(
    () => createLanguageModel('gemini:pro', { baseURL: 'http://x' }),
    /unknown model provider "gemini"/,
  );
});
