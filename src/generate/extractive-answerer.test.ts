import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import type { Passage } from '../spec/index.ts';
import { citationNumbers } from './citations.ts';
import { ABSTENTION_TEXT, createExtractiveAnswerer } from './extractive-answerer.ts';

const embedder = createHashingEmbedder({ dimensions: 256 });

function passage(n: number, text: string, docId = `doc-${n}`): Passage {
  return {
    n,
    chunkId: `${docId}#0`,
    docId,
    source: `${docId}.md`,
    title: docId,
    text,
    score: 1 / n,
    metadata: {},
  };
}

const passages = [
  passage(
    1,
    'Reciprocal rank fusion combines ranked lists without calibrating scores. It adds one over k plus the rank for every list a document appears in. The constant k is usually 60.',
  ),
  passage(
    2,
    'Sparse retrieval beats dense retrieval on exact identifiers such as error codes and part numbers. Dense retrieval wins on paraphrases.',
  ),
  passage(3, 'Our office plants are watered on Mondays by whoever arrives first in the morning.'),
];

test('answers with sentences from the passages, each ending in a valid citation', async () => {
  const answerer = createExtractiveAnswerer({ embedder, abstainThreshold: 0.4 });
  const draft = await answerer.answer({
    question: 'When does sparse retrieval beat dense retrieval?',
    passages,
  });
  assert.equal(draft.abstained, false);
  assert.match(draft.text, /exact identifiers such as error codes and part numbers \[2\]\./);
  const sentences = draft.text.split(/(?<=\]\.)\s+/);
  for (const sentence of sentences) assert.match(sentence, /\[\d\]\.$/, sentence);
  assert.ok(citationNumbers(draft.text).every((n) => n >= 1 && n <= passages.length));
  assert.doesNotMatch(draft.text, /office plants/);
  assert.equal(draft.usage.inputTokens, 0);
  assert.equal(draft.modelId, 'extractive');
});

test('abstains when the best evidence is below the threshold', async () => {
  const answerer = createExtractiveAnswerer({ embedder, abstainThreshold: 0.4 });
  const draft = await answerer.answer({ question: 'What is the capital of Mongolia?', passages });
  assert.equal(draft.abstained, true);
  assert.equal(draft.text, ABSTENTION_TEXT);
  assert.equal(draft.abstainReason, 'weak_evidence');
  assert.ok((draft.evidenceScore ?? 1) < 0.4);
});

test('never repeats the same sentence and keeps source order within a passage', async () => {
  const repeated = [
    passage(
      1,
      'The constant k in RRF is usually 60. The constant k in RRF is usually 60. Larger k flattens the contribution of top ranks.',
    ),
  ];
  const answerer = createExtractiveAnswerer({ embedder, abstainThreshold: 0.1 });
  const draft = await answerer.answer({
    question: 'What value does the RRF constant k usually take?',
    passages: repeated,
  });
  assert.equal(draft.text.split('The constant k in RRF is usually 60').length, 2);
});

test('with no passages it abstains instead of inventing an answer', async () => {
  const draft = await createExtractiveAnswerer({ embedder }).answer({ question: 'anything', passages: [] });
  assert.equal(draft.abstained, true);
  assert.equal(draft.abstainReason, 'no_passages');
});

test('a superseded document does not supply the answer; the answer cites the current one and notes the conflict', async () => {
  const old: Passage = {
    ...passage(1, 'Prompt and answer logs are kept for 90 days before deletion.', 'retention-2023'),
    title: 'Retention policy (2023)',
    documentMetadata: { superseded_by: 'retention-2025', updated: '2023-02-01' },
  };
  const current: Passage = {
    ...passage(2, 'Prompt and answer logs are kept for 30 days before deletion.', 'retention-2025'),
    title: 'Retention policy (2025)',
    documentMetadata: { updated: '2025-06-01' },
  };
  const draft = await createExtractiveAnswerer({ embedder, abstainThreshold: 0.3 }).answer({
    question: 'How long are prompt and answer logs kept?',
    passages: [old, current],
  });
  assert.match(draft.text, /30 days before deletion \[2\]\./);
  assert.doesNotMatch(draft.text, /90 days/);
  assert.match(
    draft.text,
    /older document "Retention policy \(2023\)" \[1\] says otherwise; it is superseded by "Retention policy \(2025\)"/,
  );
});
