/**
 * Ingest fairness between tenants: `cairn serve` runs as a child process with the default local
 * embedder; tenant globex uploads a large .txt (~1 MB), and once its job is running tenant acme
 * uploads a 20-byte note. Measures acme's wait (upload sent → job done) while globex's job is
 * processing, with the tenant-fair queue (`ingest.maxConcurrentTenants` 4, the default) and with
 * one job at a time (`ingest.maxConcurrentTenants` 1, the old single global queue).
 *
 *   npx tsx bench/ingest-fairness.ts [--kb 1024] [--serial | --fair] [--full]
 *
 * Without `--serial` or `--fair` both are run, one fresh server and index each. The fair run
 * stops once acme's note is done unless `--full` also waits for globex's job (its total time).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ingestThreads } from '../src/engine/index.ts';
import { openSqliteApiKeys } from '../src/store/sqlite/index.ts';
import { fixed, markdownTable } from './lib/markdown-table.ts';
import { RESULTS_DIR } from './lib/shared-data.ts';

const { values } = parseArgs({
  options: {
    kb: { type: 'string', default: '1024' },
    serial: { type: 'boolean', default: false },
    fair: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
  },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const largeBytes = Number(values.kb) * 1024;
const modes: { name: string; maxConcurrentTenants: number }[] = [];
if (!values.serial) modes.push({ name: 'tenant-fair (maxConcurrentTenants 4)', maxConcurrentTenants: 4 });
if (!values.fair) modes.push({ name: 'one job at a time (maxConcurrentTenants 1)', maxConcurrentTenants: 1 });

/** Prose from the bundled field guide, repeated to the size asked for. */
function largeText(bytes: number): string {
  const guide = path.join(root, 'corpus', 'field-guide');
  const prose = fs
    .readdirSync(guide)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => fs.readFileSync(path.join(guide, name), 'utf8').replace(/^---[\s\S]*?---\n/, ''))
    .join('\n\n');
  let text = '';
  for (let round = 1; Buffer.byteLength(text) < bytes; round += 1) text += `\n\nPart ${round}.\n\n${prose}`;
  return text.slice(0, bytes);
}

interface Job {
  id: string;
  status: string;
}

interface Server {
  url: string;
  process: ChildProcess;
}

async function startServer(dir: string, maxConcurrentTenants: number): Promise<Server> {
  const configFile = path.join(dir, 'config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      ingest: { maxConcurrentTenants },
      server: { rateLimit: { capacity: 100000, refillPerSecond: 100000 } },
    }),
  );
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'bin', 'cairn.js'),
      'serve',
      '--port',
      '0',
      '--index',
      path.join(dir, 'index.db'),
      '--config',
      configFile,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  for (let i = 0; i < 1200 && !/http:\/\/\S+/.test(stdout); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  const url = /(http:\/\/[^\s)]+)/.exec(stdout)?.[1];
  if (!url) throw new Error(`cairn serve did not start:\n${stdout}`);
  return { url, process: child };
}

async function upload(server: Server, key: string, name: string, text: string): Promise<Job> {
  const form = new FormData();
  form.append('file', new Blob([text], { type: 'text/plain' }), name);
  const response = await fetch(`${server.url}/v1/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
    body: form,
  });
  if (response.status !== 202) throw new Error(`upload ${name}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { job: Job }).job;
}

async function poll(server: Server, key: string, id: string): Promise<Job> {
  const response = await fetch(`${server.url}/v1/ingest-jobs/${id}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  return ((await response.json()) as { job: Job }).job;
}

/** Milliseconds from `since` until the job is done (or failed, which is reported). */
async function waitFor(server: Server, key: string, id: string, since: number, everyMs: number) {
  for (;;) {
    const job = await poll(server, key, id);
    if (job.status === 'failed') throw new Error(`job ${id} failed: ${JSON.stringify(job)}`);
    if (job.status === 'done') return performance.now() - since;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

const rows: (string | number)[][] = [];
const text = largeText(largeBytes);
for (const mode of modes) {
  const dir = path.join(RESULTS_DIR, 'ingest-fairness', String(mode.maxConcurrentTenants));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const server = await startServer(dir, mode.maxConcurrentTenants);
  // Keys go straight into the index the server created (it reads them from there on each request).
  const keys = openSqliteApiKeys(path.join(dir, 'index.db'));
  const small = (await keys.create({ tenant: 'acme', role: 'writer' })).key;
  const large = (await keys.create({ tenant: 'globex', role: 'writer' })).key;
  await keys.close();
  // A graceful stop would finish globex's job first; when it is not waited for, kill the server.
  let stop: NodeJS.Signals = 'SIGKILL';
  try {
    // Warm-up and baseline: acme's note with nothing else to do (loads the model in every worker).
    const warm = performance.now();
    await waitFor(
      server,
      small,
      (await upload(server, small, 'warm-up.txt', 'Warming the model.')).id,
      warm,
      25,
    );
    const alone = performance.now();
    await waitFor(
      server,
      small,
      (await upload(server, small, 'alone.txt', 'Rotate keys each 90d.')).id,
      alone,
      25,
    );
    const aloneMs = performance.now() - alone;

    const largeStarted = performance.now();
    const largeJob = await upload(server, large, 'large.txt', text);
    while ((await poll(server, large, largeJob.id)).status !== 'running')
      await new Promise((resolve) => setTimeout(resolve, 25));
    // Well into the large job (loaded, chunked, embedding) before the small upload arrives.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const smallSent = performance.now();
    const smallJob = await upload(server, small, 'note.txt', 'Rotate keys each 90d');
    const smallMs = await waitFor(server, small, smallJob.id, smallSent, 25);
    const largeRunning = (await poll(server, large, largeJob.id)).status === 'running';
    // One job at a time: acme's note was done only after globex's job, so that wait is needed anyway.
    const largeMs =
      values.full || !largeRunning ? await waitFor(server, large, largeJob.id, largeStarted, 250) : undefined;
    if (largeMs !== undefined) stop = 'SIGTERM';
    rows.push([
      mode.name,
      fixed(aloneMs, 0),
      fixed(smallMs, 0),
      largeRunning ? 'yes' : 'no',
      largeMs === undefined ? 'not waited for' : fixed(largeMs / 1000, 1),
    ]);
  } finally {
    server.process.kill(stop);
    await new Promise((resolve) => server.process.once('exit', resolve));
  }
}

console.log(
  `\nIngest fairness: \`cairn serve\` in a child process, local embedder (${ingestThreads()} threads), tenant globex uploads ${(Buffer.byteLength(text) / 1024).toFixed(0)} KB of .txt, tenant acme a 20-byte note 2 s into globex's job\n`,
);
console.log(
  markdownTable(
    [
      'queue',
      "acme's note alone (ms)",
      "acme's note during globex's job (ms)",
      "globex's job still running when acme's was done",
      "globex's job, upload to done (s)",
    ],
    rows,
  ),
);
