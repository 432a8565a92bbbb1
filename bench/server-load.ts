/**
 * Load on the HTTP API from a second process: `cairn serve` runs as a child process over the field
 * guide (local embedder, OpenAI-compatible answerer pointed at the mock LLM in this process:
 * 300 ms to first token, 50 tokens/s), and this process opens N concurrent streaming `/v1/ask`
 * sessions, then measures `/v1/search` throughput with the local embedder.
 *
 *   npx tsx bench/server-load.ts [--concurrency 100] [--search-seconds 20] [--search-clients 8]
 *                                [--profile DIR]
 *
 * `--profile DIR` writes the server's CPU profile (main thread and model workers) to DIR as
 * `.cpuprofile` files (open them in Chrome DevTools, or summarise with bench/lib/profile-summary.ts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_CHUNKING } from '../src/chunk/index.ts';
import { ingestPath, ingestThreads, openIndex } from '../src/engine/index.ts';
import { loadGoldenSet } from '../src/evaluate/index.ts';
import { startMockLlmServer } from '../src/testing/mock-llm-server.ts';
import { reportFigure } from './lib/figures.ts';
import { fixed, markdownTable, percentile } from './lib/markdown-table.ts';
import { RESULTS_DIR } from './lib/shared-data.ts';

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '100' },
    'search-seconds': { type: 'string', default: '20' },
    'search-clients': { type: 'string', default: '8' },
    warmup: { type: 'string', default: '4' },
    profile: { type: 'string' },
  },
});
const concurrency = Number(values.concurrency);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const indexPath = path.join(RESULTS_DIR, 'server-load', 'index.db');
fs.rmSync(path.dirname(indexPath), { recursive: true, force: true });
{
  const { store, embedder } = openIndex({
    indexPath,
    createDirectories: true,
    endpoint: { threads: ingestThreads() },
  });
  await ingestPath({
    store,
    embedder,
    chunking: DEFAULT_CHUNKING,
    inputPath: path.join(root, 'corpus', 'field-guide'),
  });
  await store.close();
}
const questions = loadGoldenSet(path.join(root, 'corpus', 'golden.jsonl')).map((item) => item.question);

const mock = await startMockLlmServer();
mock.setDefault({
  text: 'Reciprocal rank fusion scores each document by one over k plus its rank [1]. The usual k is 60 [1].',
  firstTokenLatencyMs: 300,
  tokensPerSecond: 50,
});
// Load comes from one key, so lift its rate limit for the run.
const configFile = path.join(path.dirname(indexPath), 'load.config.json');
fs.writeFileSync(
  configFile,
  JSON.stringify({
    server: {
      rateLimit: { capacity: 100000, refillPerSecond: 100000 },
      ...(process.env.LOAD_MAX_IN_FLIGHT
        ? { answers: { maxInFlight: Number(process.env.LOAD_MAX_IN_FLIGHT) } }
        : {}),
    },
  }),
);
const server = spawn(
  process.execPath,
  [
    ...(values.profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(values.profile)] : []),
    path.join(root, 'bin', 'cairn.js'),
    'serve',
    '--port',
    '0',
    '--config',
    configFile,
  ],
  {
    env: {
      ...process.env,
      CAIRN_INDEX: indexPath,
      CAIRN_LLM: 'openai-compatible:mock',
      CAIRN_LLM_BASE_URL: mock.url,
    },
  },
);
let stdout = '';
server.stdout.on('data', (chunk: Buffer) => {
  stdout += chunk.toString();
});
for (let i = 0; i < 600 && !/\n {2}cairn_\S+/.test(stdout); i++)
  await new Promise((resolve) => setTimeout(resolve, 50));
const url = /(http:\/\/\S+)/.exec(stdout)?.[1] as string;
const key = /\n {2}(cairn_\S+)/.exec(stdout)?.[1] as string;
const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

/** Per-stage milliseconds the server reported in the `done` event of each session. */
type StageTimings = Record<
  'embedMs' | 'retrieveMs' | 'generateMs' | 'guardMs' | 'totalMs' | 'firstTokenMs',
  number
>;

async function streamOnce(question: string): Promise<{
  ttft: number;
  total: number;
  ok: boolean;
  status: number;
  retryAfter: boolean;
  timings?: StageTimings;
}> {
  const started = performance.now();
  let ttft = Number.NaN;
  try {
    const response = await fetch(`${url}/v1/ask`, {
      method: 'POST',
      headers: { ...headers, accept: 'text/event-stream' },
      body: JSON.stringify({ question, stream: true }),
    });
    const status = response.status;
    const retryAfter = response.headers.has('retry-after');
    if (!response.ok || !response.body) {
      await response.arrayBuffer().catch(() => undefined);
      return { ttft, total: performance.now() - started, ok: false, status, retryAfter };
    }
    let text = '';
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (Number.isNaN(ttft) && value.includes('event: token')) ttft = performance.now() - started;
      text += value;
    }
    const done = /event: done\ndata: (.*)\n/.exec(text)?.[1];
    const timings = done
      ? ((JSON.parse(done) as { timings?: StageTimings }).timings ?? undefined)
      : undefined;
    return {
      ttft,
      total: performance.now() - started,
      ok: done !== undefined && !text.includes('event: error'),
      status,
      retryAfter,
      ...(timings ? { timings } : {}),
    };
  } catch {
    // No response at all (connection refused or reset): status 0.
    return { ttft, total: performance.now() - started, ok: false, status: 0, retryAfter: false };
  }
}

/**
 * CPU seconds the server has used, from /proc (Linux): its main thread alone, and all its
 * threads (model workers included). CPU time, unlike latency, holds up on a busy machine.
 */
function threadCpu(): Map<string, number> {
  const seconds = new Map<string, number>();
  for (const tid of fs.readdirSync(`/proc/${server.pid}/task`)) {
    const fields =
      fs.readFileSync(`/proc/${server.pid}/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const [run, wait] = fs.readFileSync(`/proc/${server.pid}/task/${tid}/schedstat`, 'utf8').split(' ');
    seconds.set(tid, (Number(fields[11]) + Number(fields[12])) / 100);
    seconds.set(`${tid} run`, Number(run) / 1e9);
    seconds.set(`${tid} runqueue wait`, Number(wait) / 1e9);
  }
  return seconds;
}

function serverCpuSeconds(): { main: number; all: number } | undefined {
  const ticks = (file: string) => {
    // Fields after the command name (which may hold spaces): utime and stime are 14th and 15th.
    const fields = fs.readFileSync(file, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  try {
    return {
      main: ticks(`/proc/${server.pid}/task/${server.pid}/stat`),
      all: ticks(`/proc/${server.pid}/stat`),
    };
  } catch {
    return undefined;
  }
}

// The client side shares this process with the mock LLM: its event-loop delay says whether the
// measurement itself (not the server) is what waits.
const clientLoop = monitorEventLoopDelay({ resolution: 10 });
// Warm-up: load the model, compile the hot code and fill the passage caches, as a server that has
// been running has. Warm-up questions come from the end of the set, so that none of the measured
// sessions is answered from the answer cache (until the sessions outnumber the questions left).
const warmup = Math.min(Number(values.warmup), questions.length);
for (let start = questions.length - warmup; start < questions.length; start += 8)
  await Promise.all(
    questions.slice(start, Math.min(start + 8, questions.length)).map((question) => streamOnce(question)),
  );
const measured = questions.slice(0, questions.length - warmup);
const mockBefore = mock.requests.length;
clientLoop.enable();
const cpuBefore = serverCpuSeconds();
const clientCpuBefore = process.cpuUsage();
const threadsBefore = process.env.LOAD_THREADS ? threadCpu() : undefined;
const wallStarted = performance.now();
const sessions = await Promise.all(
  Array.from({ length: concurrency }, (_, index) => streamOnce(measured[index % measured.length] as string)),
);
const wall = performance.now() - wallStarted;
const cpuAfter = serverCpuSeconds();
const clientCpu = process.cpuUsage(clientCpuBefore);
if (threadsBefore)
  for (const [tid, sec] of threadCpu())
    console.log('thread', tid, (sec - (threadsBefore.get(tid) ?? 0)).toFixed(2));

clientLoop.disable();
const mockTtft = mock.requests
  .slice(mockBefore)
  .flatMap((request) => (request.firstTokenAt ? [request.firstTokenAt - request.receivedAt] : []));
const ok = sessions.filter((session) => session.ok);
// When, after the sessions opened, the server's LLM calls reached the mock and finished: the
// part of each session spent before the model was asked, and after it answered.
const llmCalls = mock.requests.slice(mockBefore);
const llmArrived = llmCalls.map((request) => request.receivedAt - wallStarted);
const llmFinished = llmCalls.flatMap((request) =>
  request.finishedAt ? [request.finishedAt - wallStarted] : [],
);
// A session answered without token events (a refusal, or a cached answer sent whole) has no first token.
const ttft = ok.flatMap((session) => (Number.isNaN(session.ttft) ? [] : [session.ttft]));
const total = ok.map((session) => session.total);

console.log(
  `\n${concurrency} concurrent streaming /v1/ask sessions (${Math.min(concurrency, measured.length)} distinct questions, after ${warmup} warm-up answers), server in a child process, mock LLM (300 ms TTFT, 50 tok/s), local embedder, ${wall.toFixed(0)} ms wall\n`,
);
console.log(
  markdownTable(
    ['measure', 'p50 ms', 'p95 ms', 'max ms'],
    [
      [
        'time to first token (client)',
        fixed(percentile(ttft, 50), 0),
        fixed(percentile(ttft, 95), 0),
        fixed(Math.max(...ttft), 0),
      ],
      [
        'total time (client)',
        fixed(percentile(total, 50), 0),
        fixed(percentile(total, 95), 0),
        fixed(Math.max(...total), 0),
      ],
      [
        "mock's own time to first token",
        fixed(percentile(mockTtft, 50), 0),
        fixed(percentile(mockTtft, 95), 0),
        fixed(Math.max(...mockTtft), 0),
      ],
      [
        'LLM call reaches the mock (since the sessions opened)',
        fixed(percentile(llmArrived, 50), 0),
        fixed(percentile(llmArrived, 95), 0),
        fixed(Math.max(...llmArrived), 0),
      ],
      [
        'LLM stream ends at the mock (since the sessions opened)',
        fixed(percentile(llmFinished, 50), 0),
        fixed(percentile(llmFinished, 95), 0),
        fixed(Math.max(...llmFinished), 0),
      ],
      [
        'engine overhead to first token (client − mock, by percentile)',
        fixed(percentile(ttft, 50) - percentile(mockTtft, 50), 0),
        fixed(percentile(ttft, 95) - percentile(mockTtft, 95), 0),
        '',
      ],
    ],
  ),
);
console.log(
  `errors: ${sessions.length - ok.length} of ${sessions.length}; answered without streamed tokens (refused, or served whole from the answer cache): ${ok.length - ttft.length}`,
);
if (cpuBefore && cpuAfter) {
  const perAnswer = (seconds: number) => (seconds * 1000) / concurrency;
  const mainMs = perAnswer(cpuAfter.main - cpuBefore.main);
  console.log(
    `CPU per session: server main thread ${mainMs.toFixed(1)} ms, server all threads ${perAnswer(cpuAfter.all - cpuBefore.all).toFixed(1)} ms (from /proc, 10 ms ticks); ` +
      `this process (client and mock LLM) ${perAnswer((clientCpu.user + clientCpu.system) / 1e6).toFixed(1)} ms`,
  );
  reportFigure(`server-load.c${concurrency}.main-thread-cpu-ms-per-answer`, mainMs);
}
// How the sessions that did not get an answer were turned away: a status with Retry-After is a
// graceful refusal, status 0 a connection that failed.
const refusals = new Map<string, number>();
for (const session of sessions.filter((one) => !one.ok)) {
  const label = `${session.status}${session.retryAfter ? ' with Retry-After' : ''}`;
  refusals.set(label, (refusals.get(label) ?? 0) + 1);
}
if (refusals.size > 0)
  console.log(`not answered, by status: ${[...refusals].map(([label, n]) => `${n} × ${label}`).join(', ')}`);
reportFigure(`server-load.c${concurrency}.answered`, ok.length);
reportFigure(`server-load.c${concurrency}.ttft-p95-ms`, percentile(ttft, 95));
reportFigure(`server-load.c${concurrency}.total-p95-ms`, percentile(total, 95));
reportFigure(`server-load.c${concurrency}.overhead-p95-ms`, percentile(ttft, 95) - percentile(mockTtft, 95));
reportFigure(`server-load.c${concurrency}.errors`, sessions.length - ok.length);
console.log(
  `client process event-loop delay during the sessions: p50 ${(clientLoop.percentile(50) / 1e6).toFixed(0)} ms, ` +
    `p99 ${(clientLoop.percentile(99) / 1e6).toFixed(0)} ms, max ${(clientLoop.max / 1e6).toFixed(0)} ms`,
);
// Where each request spent its time inside the server, as the engine itself timed the stages.
const stages: (keyof StageTimings)[] = [
  'embedMs',
  'retrieveMs',
  'generateMs',
  'guardMs',
  'firstTokenMs',
  'totalMs',
];
console.log("\nserver-side stage timings of the same sessions (the engine's own `timings`)\n");
console.log(
  markdownTable(
    ['stage', 'p50 ms', 'p95 ms'],
    stages.map((stage) => {
      const values = ok.flatMap((session) => (session.timings ? [session.timings[stage] ?? 0] : []));
      return [stage, fixed(percentile(values, 50), 0), fixed(percentile(values, 95), 0)];
    }),
  ),
);

// /v1/search throughput: closed loop, N clients for a fixed time.
const searchSeconds = Number(values['search-seconds']);
const clients = Number(values['search-clients']);
const latencies: number[] = [];
let searchErrors = 0;
const deadline = performance.now() + searchSeconds * 1000;
await Promise.all(
  Array.from({ length: clients }, async (_, client) => {
    for (let i = client; performance.now() < deadline; i += clients) {
      const started = performance.now();
      const response = await fetch(`${url}/v1/search`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: questions[i % questions.length], k: 10 }),
      });
      await response.arrayBuffer();
      if (response.ok) latencies.push(performance.now() - started);
      else searchErrors += 1;
    }
  }),
);
if (latencies.length > 0)
  reportFigure('server-load.search-requests-per-second', latencies.length / searchSeconds);
console.log(`\n/v1/search, ${clients} concurrent clients for ${searchSeconds} s, hybrid, local embedder\n`);
console.log(
  markdownTable(
    ['requests/s', 'p50 ms', 'p95 ms', 'errors'],
    [
      [
        fixed(latencies.length / searchSeconds, 1),
        fixed(percentile(latencies, 50), 1),
        fixed(percentile(latencies, 95), 1),
        String(searchErrors),
      ],
    ],
  ),
);
server.kill('SIGTERM');
await mock.close();
