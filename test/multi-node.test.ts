import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { openPostgresDomains } from '../src/store/postgres/open-postgres-domains.ts';
import { type MockLlmServer, startMockLlmServer } from '../src/testing/mock-llm-server.ts';
import { type PgliteServer, startPgliteServer } from '../src/testing/start-pglite-server.ts';
import { redisReachable, TEST_REDIS_URL } from '../src/testing/test-redis.ts';

// The scale-out path as an operator runs it: two `cairn serve` API nodes (--no-worker) and two
// `cairn worker` processes, all real processes sharing Postgres (PGlite with pgvector over the
// wire protocol) and the machine's Redis (queue and rate limits). The embedder is the mock
// OpenAI-compatible server, slowed per input so that a job lasts long enough to be killed in.
const BIN = fileURLToPath(new URL('../bin/cairn.js', import.meta.url));
// A Redis database of its own, emptied first, so no other test's queue or buckets interfere.
const redisUrl = (() => {
  const url = new URL(TEST_REDIS_URL);
  url.pathname = '/11';
  return url.toString();
})();
const RATE = { capacity: 60, refillPerSecond: 10 };
const MS_PER_EMBEDDED_INPUT = 20;

interface Node {
  name: string;
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

let pglite: PgliteServer;
let mock: MockLlmServer;
let dir = '';
const nodes: Node[] = [];
const keys: Record<string, string> = {};
let apiA = '';
let apiB = '';

function start(name: string, args: string[]): Node {
  const cwd = path.join(dir, name);
  fs.mkdirSync(cwd, { recursive: true });
  const child = spawn(process.execPath, [BIN, ...args, '--config', path.join(dir, 'cairn.config.json')], {
    cwd,
    env: { ...process.env, CAIRN_INDEX: '', CAIRN_EMBEDDER: '' },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const node = { name, child, output: () => output, exited };
  nodes.push(node);
  return node;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}\n${nodes.map((n) => `--- ${n.name}\n${n.output()}`).join('\n')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const listening = (node: Node) =>
  waitFor(
    `${node.name} to listen`,
    () => /cairn API and UI on (http:\/\/[\d.]+:\d+)/.exec(node.output())?.[1],
  );

async function api(base: string, route: string, key: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${key}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${base}${route}`, {
    ...init,
    headers,
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
}

/** The job as the API reports it; undefined while the key is rate limited (polling waits then). */
async function jobOf(base: string, key: string, id: string) {
  const response = await api(base, `/v1/ingest-jobs/${id}`, key);
  if (response.status === 429) return undefined;
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { job: { status: string; attempts: number; processed: number } }).job;
}

const finished = (base: string, key: string, id: string, ms?: number) =>
  waitFor(
    `ingest job ${id}`,
    async () => {
      const job = await jobOf(base, key, id);
      return job && (job.status === 'done' || job.status === 'failed') ? job : undefined;
    },
    ms,
  );

/** A document of a few chunks about one marker word, so search and answers can be told apart. */
const pageAbout = (marker: string, index: number) =>
  `# ${marker} field note ${index}\n\n${Array.from(
    { length: 6 },
    (_, p) =>
      `Paragraph ${p} of note ${index}: the ${marker} survey recorded station ${index}-${p}, ` +
      'with the readings checked twice by the crew and logged in the shared notebook before noon. '.repeat(3),
  ).join('\n\n')}\n`;

describe('several nodes share one Postgres and one Redis', async () => {
  const skip = (await redisReachable())
    ? undefined
    : `no Redis at ${TEST_REDIS_URL} (set CAIRN_TEST_REDIS_URL)`;

  before(async () => {
    if (skip) return;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-multi-node-'));
    pglite = await startPgliteServer({ serialGateway: true });
    mock = await startMockLlmServer({ embeddingDimensions: 64 });
    mock.setDefault((request) => {
      const input = request.body.input;
      return { firstTokenLatencyMs: (Array.isArray(input) ? input.length : 1) * MS_PER_EMBEDDED_INPUT };
    });
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    redis.disconnect();
    fs.writeFileSync(
      path.join(dir, 'cairn.config.json'),
      JSON.stringify({
        index: pglite.url,
        embedder: { model: 'openai-compatible:mock-embed', baseURL: mock.url, dimensions: 64 },
        server: { redisUrl, rateLimit: RATE },
        ingest: { queue: 'redis', workerLockMs: 2000 },
      }),
    );
    // Keys made through the shared key store, as an operator's provisioning script would.
    const domains = await openPostgresDomains(pglite.url);
    for (const tenant of ['acme', 'globex'])
      for (const role of ['writer', 'reader', 'admin'] as const)
        keys[`${tenant}-${role}`] = (
          await domains.apiKeys.create({ tenant, role, label: 'multi-node test' })
        ).key;
    keys.limited = (await domains.apiKeys.create({ tenant: 'acme', role: 'reader', label: 'rate test' })).key;
    await domains.close();
    // One node first: it migrates the schema and records the embedder before the others start.
    const a = start('api-a', ['serve', '--port', '0', '--no-worker']);
    apiA = await listening(a);
    const b = start('api-b', ['serve', '--port', '0', '--no-worker']);
    start('worker-1', ['worker', '--concurrency', '2']);
    start('worker-2', ['worker', '--concurrency', '2']);
    apiB = await listening(b);
    for (const name of ['worker-1', 'worker-2'])
      await waitFor(`${name} to start`, () =>
        /taking upload jobs/.test(nodes.find((n) => n.name === name)?.output() ?? '') ? true : undefined,
      );
  });

  after(async () => {
    for (const node of nodes) node.child.kill('SIGTERM');
    await Promise.all(nodes.map((node) => node.exited));
    await mock?.close();
    await pglite?.close();
  });

  test('a job taken by node A is followed on node B, and its documents are answered from on B', {
    skip,
  }, async () => {
    const upload = await api(apiA, '/v1/documents', keys['acme-writer'] as string, {
      method: 'POST',
      json: { documents: [{ name: 'moraine.md', text: pageAbout('moraine', 1) }] },
    });
    assert.equal(upload.status, 202, await upload.clone().text());
    const { job } = (await upload.json()) as { job: { id: string } };
    const done = await finished(apiB, keys['acme-reader'] as string, job.id);
    assert.equal(done.status, 'done');
    const answer = await api(apiB, '/v1/ask', keys['acme-reader'] as string, {
      method: 'POST',
      json: { question: 'What did the moraine survey record?' },
    });
    assert.equal(answer.status, 200);
    const body = (await answer.json()) as { citations: { docId: string }[] };
    assert.ok(
      body.citations.some((citation) => citation.docId === 'uploads/moraine.md'),
      JSON.stringify(body),
    );
  });

  test('an answer streams from the node that took it; a rating given on A is listed on B', {
    skip,
  }, async () => {
    const streamed = await api(apiB, '/v1/ask', keys['acme-reader'] as string, {
      method: 'POST',
      json: { question: 'What did the moraine survey record?', stream: true },
    });
    assert.equal(streamed.status, 200);
    assert.match(streamed.headers.get('content-type') ?? '', /text\/event-stream/);
    const events = (await streamed.text()).split('\n').filter((line) => line.startsWith('event: '));
    assert.ok(events.includes('event: token'), events.join(' '));
    assert.equal(events.at(-1), 'event: done');
    const asked = await api(apiB, '/v1/ask', keys['acme-reader'] as string, {
      method: 'POST',
      json: { question: 'Which station did the moraine survey record?' },
    });
    const { traceId } = (await asked.json()) as { traceId: string };
    const rated = await api(apiA, `/v1/traces/${traceId}/feedback`, keys['acme-reader'] as string, {
      method: 'POST',
      json: { rating: 'down', comment: 'needs the station number' },
    });
    assert.equal(rated.status, 201, await rated.clone().text());
    const listed = await api(apiB, '/v1/feedback?rating=down', keys['acme-admin'] as string);
    const { feedback } = (await listed.json()) as { feedback: { traceId: string }[] };
    assert.deepEqual(
      feedback.map((entry) => entry.traceId),
      [traceId],
    );
  });

  test('a worker killed with SIGKILL mid-job: the other finishes it, no document doubled or half-written', {
    skip,
  }, async () => {
    const count = 24;
    const documents = Array.from({ length: count }, (_, index) => ({
      name: `drumlin-${String(index).padStart(2, '0')}.md`,
      text: pageAbout('drumlin', index),
    }));
    const upload = await api(apiA, '/v1/documents', keys['globex-writer'] as string, {
      method: 'POST',
      json: { documents },
    });
    assert.equal(upload.status, 202, await upload.clone().text());
    const { job } = (await upload.json()) as { job: { id: string } };
    // The worker that took it, once it has written some documents but not all.
    const runner = await waitFor('a worker to start the job', () =>
      nodes.find((node) => node.name.startsWith('worker') && node.output().includes(`ingest job ${job.id}`)),
    );
    await waitFor('the job to be part done', async () => {
      const state = await jobOf(apiB, keys['globex-reader'] as string, job.id);
      assert.notEqual(state?.status, 'done', 'the job finished before the worker could be killed');
      return state && state.processed > 0 ? true : undefined;
    });
    runner.child.kill('SIGKILL');
    await runner.exited;
    const done = await finished(apiB, keys['globex-reader'] as string, job.id, 90_000);
    assert.equal(done.status, 'done', JSON.stringify(done));
    assert.equal(done.attempts, 2, 'run once more, by the other worker');
    const survivor = nodes.find((node) => node.name.startsWith('worker') && node !== runner) as Node;
    assert.match(survivor.output(), new RegExp(`ingest job ${job.id} \\(globex\\) started, attempt 2`));

    const listed = await api(apiB, '/v1/documents', keys['globex-reader'] as string);
    const stored = ((await listed.json()) as { documents: { id: string; chunkCount: number }[] }).documents;
    assert.deepEqual(
      stored.map((document) => document.id).sort(),
      documents.map((d) => `uploads/${d.name}`).sort(),
    );
    for (const document of stored) {
      const chunks = await api(
        apiA,
        `/v1/documents/${encodeURIComponent(document.id)}/chunks`,
        keys['globex-reader'] as string,
      );
      const leaves = ((await chunks.json()) as { chunks: { role: string }[] }).chunks.filter(
        (chunk) => chunk.role !== 'parent',
      );
      assert.equal(leaves.length, document.chunkCount, `${document.id} has every chunk once`);
    }
  });

  test('the per-key rate limit holds across both nodes', { skip }, async () => {
    const started = performance.now();
    const statuses = await Promise.all(
      Array.from({ length: RATE.capacity * 2 }, (_, index) =>
        api(index % 2 === 0 ? apiA : apiB, '/v1/documents', keys.limited as string).then(async (response) => {
          if (response.status === 429)
            assert.ok(response.headers.get('retry-after'), 'a 429 says when to retry');
          await response.arrayBuffer();
          return response.status;
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const allowed = statuses.filter((status) => status === 200).length;
    // Each node alone would let all of them through (its own bucket holds `capacity`).
    assert.ok(allowed <= RATE.capacity + Math.ceil(RATE.refillPerSecond * seconds) + 1, `${allowed} allowed`);
    assert.ok(statuses.includes(429), statuses.join(' '));
  });

  test('randomized tenant isolation across nodes: no response to one tenant shows the other', {
    skip,
  }, async () => {
    const marker = { acme: 'moraine', globex: 'drumlin' } as const;
    const jobs: Record<string, string[]> = { acme: [], globex: [] };
    // Both tenants upload more, through either node.
    for (const [tenant, base] of [
      ['acme', apiB],
      ['globex', apiA],
    ] as const) {
      const upload = await api(base, '/v1/documents', keys[`${tenant}-writer`] as string, {
        method: 'POST',
        json: { documents: [{ name: `${marker[tenant]}-extra.md`, text: pageAbout(marker[tenant], 99) }] },
      });
      const { job } = (await upload.json()) as { job: { id: string } };
      jobs[tenant]?.push(job.id);
      await finished(base === apiA ? apiB : apiA, keys[`${tenant}-reader`] as string, job.id);
    }
    let seed = 11;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
    for (let round = 0; round < 40; round += 1) {
      const tenant = pick(['acme', 'globex'] as const);
      const other = tenant === 'acme' ? 'globex' : 'acme';
      const base = pick([apiA, apiB]);
      const key = keys[`${tenant}-reader`] as string;
      const word = pick([marker.acme, marker.globex]);
      const route = pick(['search', 'ask', 'documents', 'other-doc', 'other-job'] as const);
      const response =
        route === 'search'
          ? await api(base, '/v1/search', key, { method: 'POST', json: { query: `${word} survey station` } })
          : route === 'ask'
            ? await api(base, '/v1/ask', key, {
                method: 'POST',
                json: { question: `What did the ${word} survey record?` },
              })
            : route === 'documents'
              ? await api(base, '/v1/documents', key)
              : route === 'other-doc'
                ? await api(
                    base,
                    `/v1/documents/${encodeURIComponent(`uploads/${marker[other]}-extra.md`)}/chunks`,
                    key,
                  )
                : await api(base, `/v1/ingest-jobs/${jobs[other]?.[0]}`, key);
      let text = await response.text();
      if (route === 'other-doc' || route === 'other-job') {
        // Exactly the answer for an id that does not exist (it names the id the caller sent).
        assert.equal(response.status, 404, `${route}: ${text}`);
        text = text.replace(`uploads/${marker[other]}-extra.md`, '');
      } else assert.equal(response.status, 200, `${route}: ${text}`);
      assert.ok(
        !text.includes(marker[other]),
        `${tenant} on ${route} saw ${other}'s text: ${text.slice(0, 300)}`,
      );
    }
  });

  test('a worker stopped with SIGTERM mid-job finishes the job before it exits', { skip }, async () => {
    const documents = Array.from({ length: 8 }, (_, index) => ({
      name: `esker-${index}.md`,
      text: pageAbout('esker', index),
    }));
    const upload = await api(apiB, '/v1/documents', keys['acme-writer'] as string, {
      method: 'POST',
      json: { documents },
    });
    const { job } = (await upload.json()) as { job: { id: string } };
    const runner = await waitFor('a worker to start the job', () =>
      nodes.find(
        (node) =>
          node.name.startsWith('worker') &&
          node.child.exitCode === null &&
          node.output().includes(`ingest job ${job.id}`),
      ),
    );
    runner.child.kill('SIGTERM');
    assert.equal(await runner.exited, 0, runner.output());
    const state = await jobOf(apiA, keys['acme-reader'] as string, job.id);
    assert.equal(state?.status, 'done', `${JSON.stringify(state)}\n${runner.output()}`);
    assert.equal(state?.attempts, 1, 'finished by the worker that took it, not run again');
    assert.match(runner.output(), /shutting down: finishing the jobs in hand/);
  });
});
