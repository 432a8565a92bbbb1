/**
 * Answers under provider faults. Two mock OpenAI-compatible providers on 127.0.0.1 fail 30% of
 * calls (seeded), spread evenly over hangs (the provider timeout fires), 429 with Retry-After,
 * 500, malformed JSON and streams cut after two chunks. 200 questions go through each setup, 8 at
 * a time, each with a whole-answer deadline; the table shows how many were answered, how many
 * failed with a clear error (a cairn error code naming the cause), how many failed any other way,
 * latency, and how many ran past the deadline. The Vercel AI SDK's streamText with its built-in
 * retries runs against the same faults as a peer.
 *
 *   npx tsx bench/fault-injection.ts [--requests 200] [--failure-rate 0.3] [--deadline-ms 4000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { streamText } from 'ai';
import { DEFAULT_CHUNKING } from '../src/chunk/index.ts';
import { createHashingEmbedder } from '../src/embed/hashing-embedder.ts';
import { ask, ingestPath } from '../src/engine/index.ts';
import { seededRandom } from '../src/evaluate/compare/seeded-random.ts';
import { createExtractiveAnswerer } from '../src/generate/extractive-answerer.ts';
import { createLlmAnswerer } from '../src/generate/llm-answerer.ts';
import { createOpenAICompatibleChat, createResilientLanguageModel } from '../src/generate/providers/index.ts';
import { type Answerer, CairnError, type LanguageModel } from '../src/spec/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { type MockLlmServer, type MockScript, startMockLlmServer } from '../src/testing/mock-llm-server.ts';
import { markdownTable, percentile } from './lib/markdown-table.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '200' },
    'failure-rate': { type: 'string', default: '0.3' },
    'deadline-ms': { type: 'string', default: '4000' },
    seed: { type: 'string', default: '11' },
  },
});
const REQUESTS = Number(values.requests);
const FAILURE_RATE = Number(values['failure-rate']);
const DEADLINE_MS = Number(values['deadline-ms']);
const PROVIDER_TIMEOUT_MS = 1000;
const CONCURRENCY = 8;
const ANSWER = 'Reciprocal rank fusion usually sets the constant k to 60 [1].';

const FAULTS: MockScript[] = [
  { hang: true },
  { status: 429, headers: { 'retry-after': '0.2' }, body: '{"error":{"message":"slow down"}}' },
  { status: 500, body: '{"error":{"message":"internal error"}}' },
  { malformed: true, text: ANSWER },
  { text: ANSWER, cutAfterChunks: 2, firstTokenLatencyMs: 20 },
];

/** A mock provider failing `FAILURE_RATE` of its calls, in a seeded sequence. */
async function faultyProvider(seed: number): Promise<MockLlmServer> {
  const server = await startMockLlmServer();
  const random = seededRandom(seed);
  server.setDefault(() => {
    if (random() >= FAILURE_RATE) return { text: ANSWER, firstTokenLatencyMs: 20 };
    return FAULTS[Math.floor(random() * FAULTS.length)] as MockScript;
  });
  return server;
}

// A small index: fault handling, not retrieval, is measured here.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-faults-'));
fs.mkdirSync(path.join(dir, 'docs'));
fs.writeFileSync(
  path.join(dir, 'docs', 'fusion.md'),
  '# Fusion\n\nReciprocal rank fusion adds one over k plus rank for every list. The constant k is usually set to 60.\n',
);
const embedder = createHashingEmbedder({ dimensions: 256 });
const store = openSqliteStore({
  path: path.join(dir, 'index.db'),
  embedder: { embedderId: 'hashing:hash-256', dimensions: 256 },
});
await ingestPath({ store, embedder, chunking: DEFAULT_CHUNKING, inputPath: path.join(dir, 'docs') });

interface Outcome {
  ms: number;
  result: 'answered' | 'clear error' | 'other error';
  cause?: string;
}

async function runAll(once: () => Promise<Outcome['result'] | { result: Outcome['result']; cause: string }>) {
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        next += 1;
        const started = performance.now();
        const outcome = await once();
        const ms = performance.now() - started;
        outcomes.push(typeof outcome === 'string' ? { ms, result: outcome } : { ms, ...outcome });
      }
    }),
  );
  return outcomes;
}

/** cairn's ask() with the given answerer; a clear error is a CairnError with a known code. */
function cairnSetup(answerer: Answerer, fallbackAnswerer?: Answerer) {
  return async () => {
    try {
      await ask({
        store,
        embedder,
        answerer,
        question: 'What constant does reciprocal rank fusion use?',
        deadlineMs: DEADLINE_MS,
        ...(fallbackAnswerer ? { fallbackAnswerer } : {}),
      });
      return 'answered' as const;
    } catch (error) {
      return CairnError.is(error) && ['api_call_failed', 'deadline_exceeded'].includes(error.code)
        ? { result: 'clear error' as const, cause: error.code }
        : { result: 'other error' as const, cause: (error as Error).message.slice(0, 60) };
    }
  };
}

const chat = (server: MockLlmServer, modelId: string): LanguageModel =>
  createOpenAICompatibleChat({ baseURL: server.url, modelId, timeoutMs: PROVIDER_TIMEOUT_MS });

const rows: (string | number)[][] = [];
async function measure(name: string, build: (a: MockLlmServer, b: MockLlmServer) => () => Promise<unknown>) {
  const primary = await faultyProvider(Number(values.seed));
  const secondary = await faultyProvider(Number(values.seed) + 1);
  const started = performance.now();
  const outcomes = await runAll(build(primary, secondary) as () => Promise<Outcome['result']>);
  const wallS = (performance.now() - started) / 1000;
  await primary.close();
  await secondary.close();
  const share = (result: Outcome['result']) =>
    `${((100 * outcomes.filter((o) => o.result === result).length) / outcomes.length).toFixed(1)}%`;
  const ms = outcomes.map((o) => o.ms);
  const late = outcomes.filter((o) => o.ms > DEADLINE_MS + 250).length;
  const causes = [...new Set(outcomes.filter((o) => o.cause).map((o) => o.cause))].join(', ');
  rows.push([
    name,
    share('answered'),
    share('clear error'),
    share('other error'),
    percentile(ms, 50).toFixed(0),
    percentile(ms, 95).toFixed(0),
    Math.max(...ms).toFixed(0),
    late,
    causes || '—',
    wallS.toFixed(1),
  ]);
  process.stderr.write(`${name}: done\n`);
}

await measure('plain provider: no retries, no fallback', (a) =>
  cairnSetup(createLlmAnswerer({ model: chat(a, 'primary') })),
);
await measure('AI SDK streamText, maxRetries 2 (peer)', (a) => {
  const provider = createOpenAICompatible({ name: 'mock', baseURL: a.url });
  return async () => {
    try {
      const result = streamText({
        model: provider('primary'),
        prompt: 'What constant does reciprocal rank fusion use?',
        maxRetries: 2,
        abortSignal: AbortSignal.timeout(DEADLINE_MS),
        // Errors are read from the stream below; the default handler would also log them.
        onError: () => undefined,
      });
      let text = '';
      for await (const part of result.fullStream) {
        if (part.type === 'text-delta') text += part.text;
        if (part.type === 'error') throw part.error;
      }
      return text === '' ? { result: 'other error' as const, cause: 'empty text' } : ('answered' as const);
    } catch (error) {
      // The SDK's errors carry a status or a cause but no stable code; counted as clear when named.
      const name = (error as Error).name ?? 'Error';
      return { result: 'clear error' as const, cause: name };
    }
  };
});
await measure('cairn: retries 2 + breaker + fallback model', (a, b) =>
  cairnSetup(
    createLlmAnswerer({
      model: createResilientLanguageModel([chat(a, 'primary'), chat(b, 'secondary')], { retries: 2 }),
    }),
  ),
);
await measure('cairn: same + extractive fallback (default)', (a, b) =>
  cairnSetup(
    createLlmAnswerer({
      model: createResilientLanguageModel([chat(a, 'primary'), chat(b, 'secondary')], { retries: 2 }),
    }),
    createExtractiveAnswerer({ embedder, abstainThreshold: 0 }),
  ),
);

console.log(
  `\n${REQUESTS} questions per setup, ${CONCURRENCY} at a time; ${(FAILURE_RATE * 100).toFixed(0)}% of provider calls fail ` +
    `(hang, 429, 500, malformed JSON, cut stream); provider timeout ${PROVIDER_TIMEOUT_MS} ms, deadline ${DEADLINE_MS} ms\n`,
);
console.log(
  markdownTable(
    [
      'setup',
      'answered',
      'clear error',
      'other error',
      'p50 ms',
      'p95 ms',
      'max ms',
      'past deadline',
      'error causes',
      'wall s',
    ],
    rows,
  ),
);
await store.close();
fs.rmSync(dir, { recursive: true, force: true });
