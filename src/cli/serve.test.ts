import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startOtlpReceiver } from '../testing/otlp-receiver.ts';

// `cairn serve` as a real process on a loopback port: first-start key, upload, streamed answer,
// clean SIGTERM, and a clear refusal when the port is taken.
const bin = fileURLToPath(new URL('../../bin/cairn.js', import.meta.url));

function start(
  dir: string,
  port: number,
  env: Record<string, string> = {},
): { child: ChildProcess; output: Promise<string>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port)], {
    cwd: dir,
    env: { ...process.env, CAIRN_INDEX: path.join(dir, 'index.db'), CAIRN_EMBEDDER: 'hashing', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const output = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      if (/admin key|cairn API and UI on/.test(stdout) && /http:\/\/\S+/.test(stdout)) {
        clearInterval(timer);
        setTimeout(() => resolve(stdout), 100);
      }
    }, 50);
    void exit.then(() => {
      clearInterval(timer);
      reject(new Error(`server exited: ${stdout}${stderr}`));
    });
  });
  return { child, output, exit };
}

test('cairn serve prints a first-start admin key, serves the API and stops cleanly on SIGTERM', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-serve-'));
  const server = start(dir, 0);
  const stdout = await server.output;
  const url = /(http:\/\/\S+)/.exec(stdout)?.[1] as string;
  const key = /\n {2}(cairn_\S+)/.exec(stdout)?.[1] as string;
  assert.ok(url && key, stdout);
  const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

  const uploaded = await fetch(`${url}/v1/documents`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({
      documents: [
        { name: 'rrf.md', text: '# RRF\n\nReciprocal rank fusion uses the constant k, usually 60.\n' },
      ],
    }),
  });
  assert.equal(uploaded.status, 202);
  const { job } = (await uploaded.json()) as { job: { id: string } };
  let status = '';
  for (let i = 0; i < 100 && status !== 'done'; i++) {
    status = (
      (await (await fetch(`${url}/v1/ingest-jobs/${job.id}`, { headers: auth })).json()) as {
        job: { status: string };
      }
    ).job.status;
    if (status !== 'done') await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(status, 'done');

  const streamed = await fetch(`${url}/v1/ask`, {
    method: 'POST',
    headers: { ...auth, accept: 'text/event-stream' },
    body: JSON.stringify({ question: 'What constant does reciprocal rank fusion use?' }),
  });
  const text = await streamed.text();
  assert.match(text, /event: done/);

  // A second server on the same port is refused with a clear message and exit code 2.
  const port = new URL(url).port;
  const second = spawn(process.execPath, [bin, 'serve', '--port', port], {
    cwd: dir,
    env: { ...process.env, CAIRN_INDEX: path.join(dir, 'other.db'), CAIRN_EMBEDDER: 'hashing' },
  });
  let secondErr = '';
  second.stderr.on('data', (chunk: Buffer) => {
    secondErr += chunk.toString();
  });
  const secondCode = await new Promise<number | null>((resolve) => second.once('exit', resolve));
  assert.equal(secondCode, 2);
  assert.match(secondErr, new RegExp(`port ${port} .*already in use`));

  // A second server on the same index is refused: one writer per index.
  const locked = spawn(process.execPath, [bin, 'serve', '--port', '0'], {
    cwd: dir,
    env: { ...process.env, CAIRN_INDEX: path.join(dir, 'index.db'), CAIRN_EMBEDDER: 'hashing' },
  });
  let lockedErr = '';
  locked.stderr.on('data', (chunk: Buffer) => {
    lockedErr += chunk.toString();
  });
  assert.equal(await new Promise<number | null>((resolve) => locked.once('exit', resolve)), 4);
  assert.match(lockedErr, /served by another cairn process \(pid \d+\)/);

  server.child.kill('SIGTERM');
  assert.equal(await server.exit, 0);
  assert.equal(fs.existsSync(path.join(dir, 'index.db.lock')), false, 'the lock is released');
  // The key survives a restart; no new admin key is printed.
  const again = start(dir, 0);
  const againOut = await again.output;
  assert.doesNotMatch(againOut, /admin key/);
  again.child.kill('SIGTERM');
  assert.equal(await again.exit, 0);
});

test('cairn serve exports answers over OTLP and sends the last ones on SIGTERM', async () => {
  const receiver = await startOtlpReceiver();
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-serve-otel-'));
    const server = start(dir, 0, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url });
    const stdout = await server.output;
    assert.match(stdout, new RegExp(`traces exported over OTLP to ${receiver.url}`));
    const url = /(http:\/\/\S+)/.exec(stdout)?.[1] as string;
    const key = /\n {2}(cairn_\S+)/.exec(stdout)?.[1] as string;
    const asked = await fetch(`${url}/v1/ask`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'What constant does reciprocal rank fusion use?' }),
    });
    const { traceId } = (await asked.json()) as { traceId: string };
    // Stopped at once, before the exporter's batch delay: shutdown must send the trace.
    server.child.kill('SIGTERM');
    assert.equal(await server.exit, 0);
    assert.ok(receiver.spans.some((span) => span.traceId === traceId && span.name === 'cairn.ask'));
  } finally {
    await receiver.close();
  }
});
