import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import type { Passage } from '../spec/index.ts';
import { createExtractiveAnswerer } from './extractive-answerer.ts';

// Where the extractive answerer puts its [n] markers, and which sentences it will not answer with.
const embedder = createHashingEmbedder({ dimensions: 256 });
const answerer = createExtractiveAnswerer({ embedder, abstainThreshold: -1, maxSentences: 4 });

function passage(n: number, text: string): Passage {
  const docId = `doc-${n}`;
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

test('a citation goes after closing brackets and never splits an abbreviation', async () => {
  const draft = await answerer.answer({
    question: 'Where was the wound care conference held and who attended the conference?',
    passages: [
      passage(
        1,
        'The wound care conference was held at the convention centre (Tampa, Fla.) It ran for days.',
      ),
      passage(2, 'Nurses attended the wound care conference from hospitals across the U.S.'),
      passage(3, 'The wound care conference was sponsored by Smith & Sons Co.'),
    ],
  });
  assert.equal(draft.abstained, false);
  assert.match(draft.text, /\(Tampa, Fla\.\) \[1\]/);
  assert.match(draft.text, /across the U\.S\. \[2\]/);
  assert.match(draft.text, /Smith & Sons Co\. \[3\]/);
  assert.doesNotMatch(draft.text, /Fla \[|U\.S \[|Co \[/);
});

test('a question sentence from a passage is not used as the answer', async () => {
  const draft = await answerer.answer({
    question: 'How often should API keys be rotated?',
    passages: [
      passage(
        1,
        'How often should API keys be rotated? Rotate API keys every ninety days to limit exposure. Why do keys leak at all?',
      ),
    ],
  });
  assert.equal(draft.abstained, false);
  assert.match(draft.text, /^Rotate API keys every ninety days to limit exposure \[1\]\./);
  assert.doesNotMatch(draft.text, /\?/);
});
