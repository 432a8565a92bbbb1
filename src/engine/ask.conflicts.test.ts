import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import { createLlmAnswerer } from '../generate/llm-answerer.ts';
import type { Store, TraceStore } from '../spec/index.ts';
import { openSqliteStore, openSqliteTraces } from '../store/sqlite/index.ts';
import { MockLanguageModel } from '../testing/mock-language-model.ts';
import { ask } from './ask.ts';
import { ingestPath } from './ingest-path.ts';

// Two undated-in-text documents that disagree on one number; their front matter dates them.
const embedder = createHashingEmbedder({ dimensions: 256 });
let store: Store;
let traces: TraceStore;

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-conflicts-'));
  const docs = path.join(dir, 'docs');
  fs.mkdirSync(docs);
  fs.writeFileSync(
    path.join(docs, 'handbook.md'),
    '---\nupdated: 2023-04-01\n---\n# Handbook\n\nThe office library lends each member up to 4 books at a time for three weeks.\n',
  );
  fs.writeFileSync(
    path.join(docs, 'wiki.md'),
    '---\nupdated: 2025-09-15\n---\n# Wiki\n\nThe office library lends each member up to 6 books at a time for three weeks.\n',
  );
  fs.writeFileSync(
    path.join(docs, 'parking.md'),
    '# Parking\n\nVisitors park in the north lot and sign in at the front desk before noon.\n',
  );
  const indexPath = path.join(dir, 'index.db');
  store = openSqliteStore({ path: indexPath, embedder: { embedderId: 'hashing:hash-256', dimensions: 256 } });
  traces = openSqliteTraces(indexPath);
  await ingestPath({ store, embedder, chunking: DEFAULT_CHUNKING, inputPath: docs });
});
after(async () => {
  await traces.close();
  await store.close();
});

const question = 'How many books does the office library lend each member?';

test('ask() reports conflicting values and the extractive answer names both with citations', async () => {
  const streamed: string[] = [];
  const result = await ask({
    store,
    embedder,
    answerer: createExtractiveAnswerer({ embedder, abstainThreshold: 0.1 }),
    traceStore: traces,
    question,
    onToken: (delta) => streamed.push(delta),
  });
  assert.equal(result.abstained, false);
  assert.equal(result.conflicts.length, 1);
  const [conflict] = result.conflicts;
  const byValue = Object.fromEntries((conflict?.values ?? []).map((v) => [v.value, v]));
  const four = byValue['4'];
  const six = byValue['6'];
  assert.ok(four && six, JSON.stringify(conflict));
  assert.deepEqual(four.docIds, ['docs/handbook.md']);
  assert.equal(four.date, '2023-04-01');
  assert.deepEqual(six.docIds, ['docs/wiki.md']);
  assert.equal(conflict?.newer?.value, '6');
  // The answer leads with the disagreement, citing both sides, and names the newer one.
  const [lead] = result.answer.split(/(?<=\.)\s/);
  assert.match(lead ?? '', /^The sources disagree/);
  assert.ok(lead?.includes(`[${four.citations[0]}] says 4`), result.answer);
  assert.ok(lead?.includes(`[${six.citations[0]}] says 6`), result.answer);
  assert.match(lead ?? '', /newer: \[\d\], 2025-09-15/);
  const cited = result.citations.map((citation) => citation.docId);
  assert.ok(cited.includes('docs/handbook.md') && cited.includes('docs/wiki.md'));
  // What was streamed is what was returned.
  assert.equal(streamed.join(''), result.answer);
  const trace = await traces.getTrace('default', result.traceId);
  const span = trace?.spans.find((s) => s.name === 'cairn.guard' && s.attributes.check === 'conflicts');
  assert.equal(span?.attributes.count, 1);
  assert.ok(Array.isArray(span?.attributes.conflicts));
});

test('an LLM answerer is told about the conflict, and the result carries it regardless', async () => {
  const model = new MockLanguageModel('The library lends up to 6 books [2].');
  const result = await ask({
    store,
    embedder,
    answerer: createLlmAnswerer({ model }),
    question,
  });
  const prompt = (model.calls[0]?.messages ?? []).map((message) => String(message.content)).join('\n');
  assert.match(prompt, /disagree/i);
  assert.match(prompt, /4/);
  assert.match(prompt, /6/);
  assert.equal(result.conflicts.length, 1);
  assert.match(result.answer, /^The sources disagree/);
});

test('prompt v2 has a disagreements section that lists the conflict', async () => {
  const model = new MockLanguageModel('The sources disagree: [1] says 4 and [2] says 6.');
  const result = await ask({
    store,
    embedder,
    answerer: createLlmAnswerer({ model, promptVersion: 'grounded-answer.v2' }),
    question,
  });
  const user = model.calls[0]?.messages.find((message) => message.role === 'user');
  const section = String(user?.content).split('Disagreements between the passages')[1] ?? '';
  assert.match(section, /\[\d\] says "4" \(dated 2023-04-01\)/);
  assert.match(section, /\[\d\] says "6" \(dated 2025-09-15\)/);
  assert.match(section, /Newer: \[\d\] \(dated 2025-09-15\)/);
  assert.equal(model.calls[0]?.messages.length, 2);
  assert.equal(result.promptVersion, 'grounded-answer.v2');
  assert.equal(result.conflicts.length, 1);
});

test('no conflicts on consistent passages, and detectConflicts: false turns it off', async () => {
  const consistent = await ask({
    store,
    embedder,
    answerer: createExtractiveAnswerer({ embedder, abstainThreshold: 0.1 }),
    question: 'Where do visitors park?',
  });
  assert.deepEqual(consistent.conflicts, []);
  assert.doesNotMatch(consistent.answer, /disagree/);
  const off = await ask({
    store,
    embedder,
    answerer: createExtractiveAnswerer({ embedder, abstainThreshold: 0.1 }),
    question,
    detectConflicts: false,
  });
  assert.deepEqual(off.conflicts, []);
  assert.doesNotMatch(off.answer, /disagree/);
});

test('a contradicting passage ranked below k is found, added to the passages and cited', async () => {
  const answerer = createExtractiveAnswerer({ embedder, abstainThreshold: 0.1 });
  // With k = 1 only one side is among the answer's passages; the other is ranked second.
  const deep = await ask({ store, embedder, answerer, question, retrieval: { k: 1, conflictDepth: 4 } });
  assert.equal(deep.conflicts.length, 1, deep.answer);
  assert.equal(deep.passages.length, 2);
  const citations = deep.conflicts[0]?.values.flatMap((value) => value.citations).sort();
  assert.deepEqual(citations, [1, 2]);
  assert.deepEqual(
    deep.passages.map((passage) => passage.n),
    [1, 2],
  );
  assert.match(deep.answer, /^The sources disagree/);
  assert.deepEqual(
    new Set(deep.citations.map((citation) => citation.docId)),
    new Set(['docs/handbook.md', 'docs/wiki.md']),
  );

  // Searching no deeper than k sees one side only, and the parking note ranked below adds nothing.
  const shallow = await ask({ store, embedder, answerer, question, retrieval: { k: 1, conflictDepth: 0 } });
  assert.equal(shallow.conflicts.length, 0);
  assert.equal(shallow.passages.length, 1);
});
