import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { embed } from '../embed/embed-many.ts';
import { createLocalEmbedder } from '../embed/local-embedder.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import { CairnError, type Store } from '../spec/index.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { ask } from './ask.ts';
import { ingestPath } from './ingest-path.ts';

// The local model embeds the answer's candidate sentences on a worker thread, so the answer
// deadline's timer can fire while they are embedded and the answer is dropped. The answerer is
// made to embed every candidate sentence (seconds of model time), far beyond the deadline, while
// retrieval embeds one question on a warm model, far within it.
const local = createLocalEmbedder({ threads: 1 });
let store: Store;
let dir = '';

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-extractive-deadline-'));
  const docs = path.join(dir, 'docs');
  fs.mkdirSync(docs);
  const places = ['harbour', 'orchard', 'quarry', 'market', 'lighthouse', 'mill'];
  for (const [doc, place] of places.entries()) {
    const sentences = Array.from(
      { length: 12 },
      (_, index) =>
        `Record ${doc}-${index} says the ${place} keepers repaired the ${place} walls and roofs after the ` +
        `long winter storms, then counted the boats, carts, lamps and sacks that the ${place} held in store ` +
        `for the villages further along the coast road during the following spring and summer months.`,
    );
    fs.writeFileSync(path.join(docs, `${place}.md`), `# The ${place}\n\n${sentences.join(' ')}\n`);
  }
  store = openSqliteStore({
    path: path.join(dir, 'index.db'),
    embedder: { embedderId: 'local:use-lite-512', dimensions: 512 },
  });
  await ingestPath({ store, embedder: local, chunking: DEFAULT_CHUNKING, inputPath: docs });
  await embed(local, 'warm up');
});

after(async () => {
  await local.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the answer deadline fires during extractive answering and names the generate stage', async () => {
  await assert.rejects(
    ask({
      store,
      embedder: local,
      answerer: createExtractiveAnswerer({ embedder: local, abstainThreshold: -1, shortlist: 200 }),
      question: 'What did the harbour keepers repair after the winter storms?',
      retrieval: { k: 20 },
      deadlineMs: 1000,
    }),
    (error: unknown) =>
      CairnError.is(error, 'deadline_exceeded') && /cut short during cairn\.generate/.test(error.message),
  );
});
