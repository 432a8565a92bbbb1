import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { runCli } from '../cli/main.ts';
import { loadConfig } from '../config/index.ts';
import { captureStream } from '../testing/capture-stream.ts';

// The real `cairn mcp` process, driven by the SDK's own client over stdio, as a desktop assistant
// or an IDE would start it.
const bin = fileURLToPath(new URL('../../bin/cairn.js', import.meta.url));
let dir = '';
let index = '';
let client: Client;

async function cairn(args: string[]) {
  const stdout = captureStream();
  const stderr = captureStream();
  const code = await runCli(args, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    config: () => loadConfig({ cwd: dir, env: {} }),
  });
  assert.equal(code, 0, stderr.text());
}

function structured(result: Awaited<ReturnType<Client['callTool']>>) {
  assert.notEqual(result.isError, true, JSON.stringify(result.content));
  return result.structuredContent as Record<string, unknown>;
}

function errorText(result: Awaited<ReturnType<Client['callTool']>>): string {
  return (result.content as { type: string; text?: string }[]).map((part) => part.text ?? '').join('\n');
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-mcp-stdio-'));
  index = path.join(dir, 'index.db');
  for (const [namespace, file, text] of [
    [
      'default',
      'rotation.md',
      '# Key rotation\n\nRotate API keys every ninety days. Revoke the old key after a one-day overlap.\n',
    ],
    ['default', 'contact.md', '# Billing\n\nWrite to billing-desk@example.org about invoices.\n'],
    ['other', 'secret-plan.md', '# Plan\n\nThe other tenant ships the harbour bridge in March.\n'],
  ] as const) {
    const docs = path.join(dir, namespace);
    fs.mkdirSync(docs, { recursive: true });
    fs.writeFileSync(path.join(docs, file), text);
  }
  await cairn(['ingest', path.join(dir, 'default'), '--index', index, '--embedder', 'hashing']);
  await cairn([
    'ingest',
    path.join(dir, 'other'),
    '--index',
    index,
    '--namespace',
    'other',
    '--embedder',
    'hashing',
  ]);
  client = new Client({ name: 'cairn-test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [bin, 'mcp', '--index', index, '--base-url', 'http://cairn.test:9000'],
      cwd: dir,
      stderr: 'pipe',
    }),
  );
});

after(async () => {
  await client?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the four tools are listed, read-only, with input and output schemas', async () => {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((tool) => tool.name).sort(), ['ask', 'fetch', 'list_documents', 'search']);
  for (const tool of tools) {
    assert.equal(tool.annotations?.readOnlyHint, true, tool.name);
    assert.equal(tool.inputSchema.type, 'object', tool.name);
    assert.equal(tool.outputSchema?.type, 'object', tool.name);
  }
});

test('search returns ranked passages in the connector shape, and fetch returns one by its id', async () => {
  const found = structured(
    await client.callTool({ name: 'search', arguments: { query: 'rotate API keys', k: 3 } }),
  );
  const results = found.results as { id: string; title: string; url: string; text: string }[];
  assert.ok(results.length > 0);
  const [top] = results;
  assert.match(top?.text ?? '', /ninety days/);
  assert.equal(
    top?.url,
    `http://cairn.test:9000/v1/documents/default%2Frotation.md/chunks?passage=${encodeURIComponent(top?.id ?? '')}`,
  );

  const fetched = structured(await client.callTool({ name: 'fetch', arguments: { id: top?.id } }));
  assert.equal(fetched.id, top?.id);
  assert.match(String(fetched.text), /Rotate API keys every ninety days/);
  assert.equal((fetched.metadata as { kind: string }).kind, 'passage');
});

test('ask answers with citations that link to their passages; personal data is redacted', async () => {
  const answered = structured(
    await client.callTool({ name: 'ask', arguments: { question: 'How often should API keys be rotated?' } }),
  );
  assert.equal(answered.abstained, false);
  assert.match(String(answered.answer), /ninety days/);
  const citations = answered.citations as { id: string; docId: string; url: string }[];
  assert.equal(citations[0]?.docId, 'default/rotation.md');

  const billing = await client.callTool({ name: 'search', arguments: { query: 'billing invoices' } });
  assert.doesNotMatch(JSON.stringify(billing), /billing-desk@example\.org/);
  assert.match(JSON.stringify(billing), /\[EMAIL\]/);
});

test('list_documents pages through the tenant’s documents; fetch of a document id returns its text', async () => {
  const listed = structured(await client.callTool({ name: 'list_documents', arguments: { limit: 1 } }));
  assert.equal(listed.total, 2);
  assert.equal(listed.nextOffset, 1);
  const fetched = structured(
    await client.callTool({ name: 'fetch', arguments: { id: 'default/rotation.md' } }),
  );
  assert.equal((fetched.metadata as { kind: string }).kind, 'document');
  assert.match(String(fetched.text), /one-day overlap/);
});

test("another tenant's ids are not found, and bad arguments come back as tool errors", async () => {
  const foreign = await client.callTool({ name: 'fetch', arguments: { id: 'other/secret-plan.md' } });
  assert.equal(foreign.isError, true);
  assert.match(errorText(foreign), /no passage or document "other\/secret-plan\.md"/);
  const foreignPassage = await client.callTool({
    name: 'fetch',
    arguments: { id: 'other/secret-plan.md#0' },
  });
  assert.equal(foreignPassage.isError, true);
  const searched = structured(
    await client.callTool({ name: 'search', arguments: { query: 'harbour bridge March' } }),
  );
  assert.doesNotMatch(JSON.stringify(searched), /harbour/);

  const bad = await client.callTool({ name: 'search', arguments: { query: '', k: 500 } });
  assert.equal(bad.isError, true);
  assert.match(errorText(bad), /query|k/);
});
