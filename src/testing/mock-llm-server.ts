/**
 * A scriptable mock of OpenAI-compatible and Anthropic endpoints on a real 127.0.0.1 port, for
 * tests and benchmarks of everything that talks to a model provider.
 *
 * ```ts
 * const server = await startMockLlmServer();
 * server.enqueue({ text: 'Keys rotate every 90 days [1].', firstTokenLatencyMs: 300, tokensPerSecond: 50 });
 * server.enqueue({ status: 429, headers: { 'retry-after': '1' } });
 * const model = createOpenAICompatibleChat({ baseURL: server.url, modelId: 'mock' });
 * // ... server.requests[0].body.messages, server.requests[0].firstTokenAt
 * await server.close();
 * ```
 * Endpoints: `POST /v1/chat/completions` (JSON or SSE), `POST /v1/embeddings`, `POST /v1/messages`.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the server does for one request. */
export interface MockScript {
  /** Reply text (streamed word by word when the request streams). @default 'ok' */
  text?: string;
  toolCalls?: { name: string; arguments: string }[];
  /** Usage to report, or 'omit' to leave it out. @default counts of words */
  usage?: { inputTokens: number; outputTokens: number } | 'omit';
  /** Answer with this HTTP status and body instead of a completion. */
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Reply with a body that is not valid JSON (or, when streaming, a broken event). */
  malformed?: boolean;
  /** Stream only this many text chunks, then drop the connection without finishing. */
  cutAfterChunks?: number;
  /** Wait before the first byte (and so before the first token). @default 0 */
  firstTokenLatencyMs?: number;
  /** Delay between streamed chunks, as tokens per second. @default unlimited */
  tokensPerSecond?: number;
  /** Accept the request and never answer (until the client gives up). */
  hang?: boolean;
}

/** A request the server received, with its own timings in `performance.now()` milliseconds. */
export interface RecordedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  receivedAt: number;
  /** When the first token left the server (streaming) or the response was sent. */
  firstTokenAt?: number;
  finishedAt?: number;
  /** True when the client disconnected before the response finished. */
  aborted: boolean;
}

/** A running mock server. */
export interface MockLlmServer {
  /** Base URL including `/v1`. */
  url: string;
  requests: RecordedRequest[];
  /** Scripts used in order, one per request; the default applies when the queue is empty. */
  enqueue(...scripts: (MockScript | ((request: RecordedRequest) => MockScript))[]): void;
  setDefault(script: MockScript | ((request: RecordedRequest) => MockScript)): void;
  close(): Promise<void>;
}

/** Starts the mock on 127.0.0.1 (an ephemeral port unless `port` is given). */
export async function startMockLlmServer(
  options: { port?: number; embeddingDimensions?: number } = {},
): Promise<MockLlmServer> {
  const queue: (MockScript | ((request: RecordedRequest) => MockScript))[] = [];
  let fallback: MockScript | ((request: RecordedRequest) => MockScript) = { text: 'ok' };
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const dimensions = options.embeddingDimensions ?? 64;

  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (part: string) => {
      raw += part;
    });
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
      } catch {
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end('{"error":{"message":"request body is not JSON"}}');
        return;
      }
      const record: RecordedRequest = {
        path: req.url ?? '',
        headers: req.headers,
        body,
        receivedAt: performance.now(),
        aborted: false,
      };
      requests.push(record);
      const next = queue.shift() ?? fallback;
      const script = typeof next === 'function' ? next(record) : next;
      void respond(record, script, req, res);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function respond(
    record: RecordedRequest,
    script: MockScript,
    _req: http.IncomingMessage,
    res: http.ServerResponse,
  ) {
    let closed = false;
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true;
      closed = true;
    });
    const wait = (ms: number) =>
      new Promise<void>((resolve) => {
        if (ms <= 0 || closed) return resolve();
        const onClose = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          res.off('close', onClose);
          resolve();
        }, ms);
        res.once('close', onClose);
      });
    if (script.hang) return;
    await wait(script.firstTokenLatencyMs ?? 0);
    if (closed) return;
    if (script.status !== undefined) {
      res.writeHead(script.status, { 'content-type': 'application/json', ...script.headers });
      res.end(script.body ?? JSON.stringify({ error: { message: `mock error ${script.status}` } }));
      record.firstTokenAt = record.finishedAt = performance.now();
      return;
    }
    const path = record.path.replace(/\?.*$/, '');
    if (path.endsWith('/embeddings')) return sendEmbeddings(record, script, res);
    const anthropic = path.endsWith('/messages');
    if (!anthropic && !path.endsWith('/chat/completions')) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":{"message":"no such endpoint"}}');
      return;
    }
    const text = script.text ?? 'ok';
    const usage = script.usage ?? {
      inputTokens: wordCount(JSON.stringify(record.body.messages ?? '')),
      outputTokens: wordCount(text),
    };
    if (record.body.stream !== true) {
      record.firstTokenAt = performance.now();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        script.malformed
          ? '{"choices": ['
          : JSON.stringify(anthropic ? anthropicBody(text, script, usage) : openAIBody(text, script, usage)),
      );
      record.finishedAt = performance.now();
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const gap = script.tokensPerSecond ? 1000 / script.tokensPerSecond : 0;
    const pieces = text.match(/\S+\s*/g) ?? [];
    const send = (event: string | undefined, data: unknown) => {
      if (closed) return;
      res.write(
        `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
      );
    };
    if (anthropic)
      send('message_start', {
        type: 'message_start',
        message: {
          id: 'msg_mock',
          model: record.body.model,
          usage: usage === 'omit' ? {} : { input_tokens: usage.inputTokens },
        },
      });
    if (anthropic)
      send('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '' },
      });
    for (const [index, piece] of pieces.entries()) {
      if (script.cutAfterChunks !== undefined && index >= script.cutAfterChunks) {
        // Flush what was written, then close the connection mid-response (no final chunk).
        res.socket?.end();
        return;
      }
      if (index > 0) await wait(gap);
      if (closed) return;
      if (index === 0) record.firstTokenAt = performance.now();
      if (script.malformed && index === 1) {
        send(undefined, '{"broken": ');
        continue;
      }
      if (anthropic)
        send('content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: piece },
        });
      else
        send(undefined, {
          id: 'chatcmpl-mock',
          model: record.body.model,
          choices: [{ index: 0, delta: { content: piece }, finish_reason: null }],
        });
    }
    if (closed) return;
    const toolCalls = script.toolCalls ?? [];
    if (anthropic) {
      send('content_block_stop', { type: 'content_block_stop', index: 0 });
      toolCalls.forEach((call, offset) => {
        const index = offset + 1;
        send('content_block_start', {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: `toolu_${index}`, name: call.name, input: {} },
        });
        const half = Math.floor(call.arguments.length / 2);
        for (const part of [call.arguments.slice(0, half), call.arguments.slice(half)]) {
          send('content_block_delta', {
            type: 'content_block_delta',
            index,
            delta: { type: 'input_json_delta', partial_json: part },
          });
        }
        send('content_block_stop', { type: 'content_block_stop', index });
      });
      send('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: toolCalls.length > 0 ? 'tool_use' : 'end_turn' },
        usage: usage === 'omit' ? {} : { output_tokens: usage.outputTokens },
      });
      send('message_stop', { type: 'message_stop' });
    } else {
      toolCalls.forEach((call, index) => {
        const half = Math.floor(call.arguments.length / 2);
        send(undefined, {
          choices: [
            {
              index: 0,
              delta: {
                tool_calls: [
                  {
                    index,
                    id: `call_${index}`,
                    type: 'function',
                    function: { name: call.name, arguments: call.arguments.slice(0, half) },
                  },
                ],
              },
            },
          ],
        });
        send(undefined, {
          choices: [
            {
              index: 0,
              delta: { tool_calls: [{ index, function: { arguments: call.arguments.slice(half) } }] },
            },
          ],
        });
      });
      send(undefined, {
        choices: [{ index: 0, delta: {}, finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop' }],
      });
      const streamOptions = record.body.stream_options as { include_usage?: boolean } | undefined;
      if (streamOptions?.include_usage && usage !== 'omit') {
        send(undefined, {
          choices: [],
          usage: {
            prompt_tokens: usage.inputTokens,
            completion_tokens: usage.outputTokens,
            total_tokens: usage.inputTokens + usage.outputTokens,
          },
        });
      }
      send(undefined, '[DONE]');
    }
    res.end();
    record.finishedAt = performance.now();
  }

  function sendEmbeddings(record: RecordedRequest, script: MockScript, res: http.ServerResponse) {
    const input = record.body.input;
    const values = Array.isArray(input) ? input.map(String) : [String(input ?? '')];
    record.firstTokenAt = performance.now();
    res.writeHead(200, { 'content-type': 'application/json' });
    if (script.malformed) {
      res.end('{"data": [');
      return;
    }
    res.end(
      JSON.stringify({
        data: values.map((value, index) => ({
          object: 'embedding',
          index,
          embedding: hashVector(value, dimensions),
        })),
        usage: { prompt_tokens: values.reduce((sum, value) => sum + wordCount(value), 0), total_tokens: 0 },
      }),
    );
    record.finishedAt = performance.now();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (...scripts) => {
      queue.push(...scripts);
    },
    setDefault: (script) => {
      fallback = script;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function openAIBody(text: string, script: MockScript, usage: MockScript['usage']) {
  const toolCalls = script.toolCalls ?? [];
  return {
    id: 'chatcmpl-mock',
    object: 'chat.completion',
    model: 'mock',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text,
          ...(toolCalls.length > 0
            ? {
                tool_calls: toolCalls.map((call, index) => ({
                  id: `call_${index}`,
                  type: 'function',
                  function: call,
                })),
              }
            : {}),
        },
        finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
    ...(usage === 'omit' || usage === undefined
      ? {}
      : {
          usage: {
            prompt_tokens: usage.inputTokens,
            completion_tokens: usage.outputTokens,
            total_tokens: usage.inputTokens + usage.outputTokens,
          },
        }),
  };
}

function anthropicBody(text: string, script: MockScript, usage: MockScript['usage']) {
  const toolCalls = script.toolCalls ?? [];
  return {
    id: 'msg_mock',
    type: 'message',
    role: 'assistant',
    model: 'mock',
    content: [
      { type: 'text', text },
      ...toolCalls.map((call, index) => ({
        type: 'tool_use',
        id: `toolu_${index}`,
        name: call.name,
        // Arguments that are not JSON are sent as a raw string: a wrong shape, on purpose.
        input: parseOrRaw(call.arguments),
      })),
    ],
    stop_reason: toolCalls.length > 0 ? 'tool_use' : 'end_turn',
    ...(usage === 'omit' || usage === undefined
      ? {}
      : { usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens } }),
  };
}

function wordCount(text: string): number {
  return (text.match(/\S+/g) ?? []).length;
}

/** A deterministic unit vector for a text, so embedding tests are repeatable. */
function hashVector(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const digest = createHash('md5').update(word).digest();
    const bucket = digest.readUInt32LE(0) % dimensions;
    vector[bucket] = (vector[bucket] ?? 0) + ((digest[4] ?? 0) & 1 ? 1 : -1);
  }
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0)) || 1;
  return vector.map((value) => value / norm);
}

function parseOrRaw(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
