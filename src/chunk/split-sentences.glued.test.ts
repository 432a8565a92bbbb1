import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitSentences } from './split-sentences.ts';

// Scraped and extracted text (abstracts, PDFs) often loses the space after a full stop:
// "pancreatitis.GOALS: ...". Those are boundaries; dotted tokens that are not sentences are kept.
const sentences = (text: string): string[] => splitSentences(text).map((sentence) => sentence.text);

test('a full stop glued to a capitalised word ends the sentence', () => {
  assert.deepEqual(
    sentences('Outcomes were worse in acute pancreatits.GOALS: To compare two scoring systems.'),
    ['Outcomes were worse in acute pancreatits.', 'GOALS: To compare two scoring systems.'],
  );
  assert.deepEqual(sentences('It was first seen in 2019.The trial ran for a year.'), [
    'It was first seen in 2019.',
    'The trial ran for a year.',
  ]);
  const text = 'Mice were treated daily.Results were clear.';
  for (const span of splitSentences(text)) assert.equal(text.slice(span.start, span.end), span.text);
});

test('abbreviations, decimals, versions, domains, file names and code stay whole', () => {
  for (const text of [
    'Use a mild solvent, e.g.Ethanol works well for this.',
    'Pi is about 3.14 and e is about 2.72 in this note.',
    'Upgrade to v1.2.3 before Friday to get the fix.',
    'The site example.com is down and so is www.example.Org today.',
    'Open index.ts and report.PDF to see the change.',
    'He moved to the U.S.Army base in the spring of that year.',
    'Call `console.Log(x)` or config.Load() before you start.',
    'The class lives in com.example.Parser for now.',
    'Send it to ana.Lopez@example.org when it is done.',
  ]) {
    assert.deepEqual(sentences(text), [text], text);
  }
});

test('a reference marker after the full stop stays with its sentence', () => {
  assert.deepEqual(
    sentences('Nurses came from across the U.S. [2] The conference was sponsored by Smith & Sons Co. [3]'),
    ['Nurses came from across the U.S. [2]', 'The conference was sponsored by Smith & Sons Co. [3]'],
  );
  assert.deepEqual(sentences('It was held in Tampa (Tampa, Fla.) [1] Nurses attended it.'), [
    'It was held in Tampa (Tampa, Fla.) [1]',
    'Nurses attended it.',
  ]);
});
