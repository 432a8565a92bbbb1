import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import { ask, ingestPath, openIndex } from './index.ts';

const TRANSPORT = `# Transport

The server answers JSON requests over HTTP and streams answers with server-sent events.
Clients reconnect with the last event id after a dropped connection.
`;

async function indexOf(files: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-terms-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const { store, embedder } = openIndex({ indexPath: ':memory:', embedder: 'hashing' });
  await ingestPath({ store, embedder, chunking: DEFAULT_CHUNKING, inputPath: dir });
  return { store, embedder };
}

test('a question naming something no passage mentions abstains with unanswerable_terms', async () => {
  const { store, embedder } = await indexOf({ 'transport.md': TRANSPORT });
  try {
    const answerer = createExtractiveAnswerer({ embedder, abstainThreshold: -1 });
    const result = await ask({ store, embedder, answerer, question: 'Does it support gRPC?' });
    assert.equal(result.abstained, true);
    assert.equal(result.abstainReason, 'unanswerable_terms');
    assert.deepEqual(result.unanswerableTerms, ['gRPC']);
    assert.match(result.answer, /"gRPC"/);
    assert.deepEqual(result.citations, []);
  } finally {
    await store.close();
  }
});

test('the same question is answered when a document mentions the term', async () => {
  const { store, embedder } = await indexOf({
    'transport.md': TRANSPORT,
    'grpc.md': '# gRPC\n\nThe server also supports gRPC streaming on port 9090 for internal clients.\n',
  });
  try {
    const answerer = createExtractiveAnswerer({ embedder });
    const result = await ask({ store, embedder, answerer, question: 'Does it support gRPC?' });
    assert.equal(result.abstained, false, result.answer);
    assert.match(result.answer, /gRPC streaming on port 9090/);
  } finally {
    await store.close();
  }
});
