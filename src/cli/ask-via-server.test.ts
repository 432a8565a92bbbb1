import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../config/index.ts';
import { localAccessFile } from '../server/local-access.ts';
import { type CairnProcess, spawnCairn, untilPrinted } from '../testing/cairn-process.ts';
import { captureStream } from '../testing/capture-stream.ts';
import { runCli } from './main.ts';

// `cairn ask` answering through the `cairn serve` that holds the index. The server is a real
// process (its pid, port, token file and SIGTERM are the point), and so is one `cairn ask`, which
// must also exit promptly; the other asks run in-process (runCli) to keep the spawned processes
// to two.
const QUESTION = 'What constant does reciprocal rank fusion use?';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-ask-server-'));
const index = path.join(dir, 'index.db');
const env = { CAIRN_INDEX: index, CAIRN_EMBEDDER: 'hashing' };
let server: CairnProcess | undefined;
let adminKey = '';
let url = '';

/** One in-process `cairn` run with the test's environment; stdout and stderr captured. */
async function cairn(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = captureStream();
  const stderr = captureStream();
  const config = () => loadConfig({ cwd: dir, env });
  const code = await runCli(args, { stdout: stdout.stream, stderr: stderr.stream, config });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The answer as JSON without what differs between any two runs (timings and trace id). */
function stable(json: string): Record<string, unknown> {
  const { timings, traceId, ...rest } = JSON.parse(json) as Record<string, unknown>;
  assert.equal(typeof traceId, 'string');
  return { ...rest, timingKeys: Object.keys(timings as object) };
}

/** The terminal view without the lines of stage timings and trace id. */
function stableText(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^(embed .* · total|trace )/.test(line))
    .join('\n');
}

function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid as number;
}

async function auditedLocalAsks(): Promise<number> {
  const response = await fetch(`${url}/v1/audit`, { headers: { authorization: `Bearer ${adminKey}` } });
  const { entries } = (await response.json()) as { entries: { keyId: string; route: string }[] };
  return entries.filter((entry) => entry.keyId === 'local' && entry.route === 'ask').length;
}

before(async () => {
  const docs = path.join(dir, 'docs');
  fs.mkdirSync(docs);
  fs.writeFileSync(
    path.join(docs, 'rrf.md'),
    '# Reciprocal rank fusion\n\nReciprocal rank fusion adds 1/(k + rank) over every ranked list. The constant k is usually 60. It needs no score normalisation.\n',
  );
  fs.writeFileSync(
    path.join(docs, 'bm25.md'),
    '# BM25\n\nBM25 ranks documents by term frequency with saturation and length normalisation. The parameter b controls length normalisation.\n',
  );
  const ingested = await cairn(['ingest', docs]);
  assert.equal(ingested.code, 0, ingested.stderr);
});

after(() => {
  server?.child.kill('SIGKILL');
});

test('a server that died left its lock and token file: ask answers here, and a new server takes both over', async () => {
  const dead = deadPid();
  fs.writeFileSync(`${index}.lock`, String(dead));
  fs.writeFileSync(
    localAccessFile(index),
    JSON.stringify({
      pid: dead,
      url: 'http://127.0.0.1:9',
      token: 'x',
      tenant: 'default',
      index,
      fingerprint: '',
    }),
    { mode: 0o600 },
  );
  const local = await cairn(['ask', QUESTION, '--json', '--no-cache', '--debug']);
  assert.equal(local.code, 0, local.stderr);
  assert.match(local.stderr, /answering here: no running cairn serve holds this index/);

  server = spawnCairn(['serve', '--port', '0'], { cwd: dir, env: { ...process.env, ...env } });
  const stdout = await untilPrinted(server, /admin key[^\n]*\n {2}\S+\n/);
  url = /(http:\/\/[\d.]+:\d+)/.exec(stdout)?.[1] as string;
  adminKey = /admin key[^\n]*\n {2}(\S+)/.exec(stdout)?.[1] as string;
  const { pid } = server.child;
  assert.equal(fs.readFileSync(`${index}.lock`, 'utf8'), String(pid), 'the stale lock is taken over');
  const file = localAccessFile(index);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'the token file is readable by its owner only');
  const access = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number; url: string };
  assert.deepEqual([access.pid, access.url], [pid, url]);
});

test('cairn ask answers through the running server and prints what it prints alone', async () => {
  assert.ok(server, 'the server of the first test runs');
  const local = await cairn(['ask', QUESTION, '--json', '--no-cache', '--local']);
  const localText = await cairn(['ask', QUESTION, '--no-cache', '--local']);
  assert.equal(await auditedLocalAsks(), 0, '--local answers in its own process');

  const asked = spawnCairn(['ask', QUESTION, '--json', '--no-cache', '--debug'], {
    cwd: dir,
    env: { ...process.env, ...env },
  });
  assert.equal(await asked.exit, 0, asked.stderr());
  const [stdout, stderr] = [asked.stdout(), asked.stderr()];
  assert.match(stderr, /answered by the server at http:\/\/127\.0\.0\.1:\d+/);
  assert.deepEqual(stable(stdout), stable(local.stdout));
  assert.deepEqual(
    Object.keys(JSON.parse(stdout)),
    Object.keys(JSON.parse(local.stdout)),
    'the same fields in the same order',
  );
  assert.match(stdout, /usually 60/);

  const streamed = await cairn(['ask', QUESTION, '--no-cache']);
  assert.equal(streamed.code, 0, streamed.stderr);
  assert.equal(stableText(streamed.stdout), stableText(localText.stdout));
  assert.equal(await auditedLocalAsks(), 2, 'both answers were made by the server, under its local key');
});

test('a refused token, other settings or a flag the server cannot honour answer here', async () => {
  assert.ok(server, 'the server of the first test runs');
  const file = localAccessFile(index);
  const original = fs.readFileSync(file, 'utf8');
  const local = stable((await cairn(['ask', QUESTION, '--json', '--no-cache', '--local'])).stdout);
  try {
    fs.writeFileSync(file, original.replace(/"token": "[^"]+"/, '"token": "cairn_local_wrong"'));
    const refused = await cairn(['ask', QUESTION, '--json', '--no-cache', '--debug']);
    assert.match(refused.stderr, /answering here: the server refused: 401/);
    assert.deepEqual(stable(refused.stdout), local);
  } finally {
    fs.writeFileSync(file, original);
  }
  const threshold = await cairn([
    'ask',
    QUESTION,
    '--json',
    '--no-cache',
    '--abstain-threshold',
    '0.2',
    '--debug',
  ]);
  assert.equal(threshold.code, 0, threshold.stderr);
  assert.match(threshold.stderr, /answering here: the server runs other settings/);
  const passages = await cairn(['ask', QUESTION, '--json', '--no-cache', '--passages', '--debug']);
  assert.match(passages.stderr, /answering here: --passages/);
  assert.ok(Array.isArray(JSON.parse(passages.stdout).passages));
  assert.equal(await auditedLocalAsks(), 2, 'none of these reached the server');
});

test('on SIGTERM the server removes its token file and lock', async () => {
  assert.ok(server, 'the server of the first test runs');
  server.child.kill('SIGTERM');
  assert.equal(await server.exit, 0, server.stderr());
  assert.equal(fs.existsSync(localAccessFile(index)), false, 'the token file is removed');
  assert.equal(fs.existsSync(`${index}.lock`), false, 'the lock is released');
  server = undefined;
});
