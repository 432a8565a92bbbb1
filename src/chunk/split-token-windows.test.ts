import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CairnError } from '../spec/index.ts';
import { createRandom, randomDocument } from './__fixtures__/documents.ts';
import { countTokens } from './count-tokens.ts';
import { splitTokenWindows } from './split-token-windows.ts';

// Words that are exactly one token with their leading space, so window sizes are exact.
const ONE_TOKEN_WORDS = 'cat dog sun map red car box hat pen cup'.split(' ');

function oneTokenText(wordCount: number): string {
  return Array.from({ length: wordCount }, (_, i) => ONE_TOKEN_WORDS[(i * 7) % ONE_TOKEN_WORDS.length]).join(
    ' ',
  );
}

describe('splitTokenWindows', () => {
  test('the fixture words are one token each', () => {
    for (const word of ONE_TOKEN_WORDS) assert.equal(countTokens(` ${word}`), 1);
    assert.equal(countTokens(oneTokenText(100)), 100);
  });

  test('starts each window maxTokens - overlapTokens tokens after the previous, overlapping exactly', () => {
    const text = oneTokenText(100);
    const windows = splitTokenWindows(text, { maxTokens: 20, overlapTokens: 5 });
    for (const [i, window] of windows.entries()) {
      if (i < windows.length - 1) assert.equal(window.tokenCount, 20);
      const next = windows[i + 1];
      if (next === undefined) continue;
      const shared = text.slice(next.start, window.end);
      assert.equal(countTokens(shared), 5);
      assert.ok(window.text.endsWith(shared) && next.text.startsWith(shared));
    }
    assert.equal(windows.length, 7);
    assert.equal(windows.at(-1)?.end, text.length);
  });

  test('without overlap, windows tile the text', () => {
    const text = oneTokenText(95);
    const windows = splitTokenWindows(text, { maxTokens: 10 });
    assert.equal(windows.map((window) => window.text).join(' '), text);
    assert.deepEqual(
      windows.map((window) => window.tokenCount),
      [10, 10, 10, 10, 10, 10, 10, 10, 10, 5],
    );
  });

  test('moves a window end back to whitespace rather than cut a word', () => {
    const text = `${oneTokenText(18)} supercalifragilisticexpialidocious ${oneTokenText(10)}`;
    const windows = splitTokenWindows(text, { maxTokens: 20 });
    assert.equal(windows[0]?.text, oneTokenText(18));
    assert.ok(windows[1]?.text.startsWith('supercalifragilisticexpialidocious'));
  });

  test('cuts long unbroken runs (CJK, base64) to fit', () => {
    const text = `intro ${'你好世界今天天气很好'.repeat(40)} outro ${'QUJDRA=='.repeat(60)}`;
    const windows = splitTokenWindows(text, { maxTokens: 16, overlapTokens: 4 });
    assert.ok(windows.length > 10);
    for (const window of windows) {
      assert.ok(window.tokenCount <= 16);
      assert.equal(window.tokenCount, countTokens(window.text));
      assert.ok(!window.text.includes('\ufffd'));
    }
  });

  test('keeps windows within maxTokens with overlap as configured up to the word snap, on random text', () => {
    const random = createRandom(11);
    for (let d = 0; d < 48; d++) {
      // Odd words (URLs, CJK runs) make words many tokens long; the overlap bound is checked on prose.
      const plain = d % 2 === 0;
      const text = randomDocument(random, `d${d}`, { plain }).text;
      const maxTokens = [8, 24, 64, 200][(d >> 1) % 4]!;
      const overlapTokens = Math.floor(maxTokens / [2, 4, 8, 16][(d >> 1) % 4]!);
      const snap = Math.min(8, Math.ceil(maxTokens / 8));
      const windows = splitTokenWindows(text, { maxTokens, overlapTokens });
      let covered = 0;
      for (const [i, window] of windows.entries()) {
        assert.equal(text.slice(window.start, window.end), window.text);
        assert.equal(window.text, window.text.trim());
        assert.ok(window.tokenCount <= maxTokens, `${window.tokenCount} > ${maxTokens}`);
        assert.equal(window.tokenCount, countTokens(window.text));
        assert.equal(text.slice(covered, window.start).trim(), '', 'no text is skipped');
        covered = Math.max(covered, window.end);
        const next = windows[i + 1];
        if (next === undefined || overlapTokens === 0) continue;
        assert.ok(next.start > window.start, 'windows advance');
        const shared = text.slice(next.start, window.end).trim();
        assert.ok(window.text.endsWith(shared) && next.text.startsWith(shared));
        if (!plain) continue;
        // Snapping adds at most `snap` tokens. Trimming shifts the count a little either way: a
        // blank line dropped loses a token, a first word without its leading space (' significantly'
        // is 1 token, 'significantly' 3) gains two.
        const tokens = countTokens(shared);
        assert.ok(tokens >= overlapTokens - 2, `overlap ${tokens} < ${overlapTokens}`);
        assert.ok(tokens <= overlapTokens + snap + 2, `overlap ${tokens} > ${overlapTokens} + ${snap} + 2`);
      }
      assert.equal(text.slice(covered).trim(), '');
    }
  });

  test('keeps even 3-token characters within the smallest limit, cutting only between characters', () => {
    const text = 'ab 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 你好 é';
    assert.equal(countTokens('𝔘'), 3);
    const windows = splitTokenWindows(text, { maxTokens: 4 });
    for (const window of windows) assert.ok(window.tokenCount <= 4, window.text);
    assert.equal(
      windows
        .map((window) => window.text)
        .join('')
        .replace(/\s/g, ''),
      text.replace(/\s/g, ''),
    );
  });

  test('rejects a maxTokens below 4, the most tokens one character can take', () => {
    assert.throws(
      () => splitTokenWindows('text', { maxTokens: 3 }),
      (error) =>
        CairnError.is(error, 'invalid_option') &&
        error.message === 'maxTokens must be an integer of at least 4 (got 3)',
    );
  });

  test('returns nothing for blank text', () => {
    assert.deepEqual(splitTokenWindows('   \n ', { maxTokens: 10 }), []);
  });

  test('rejects an overlap that is not smaller than maxTokens, naming the option', () => {
    assert.throws(
      () => splitTokenWindows('text', { maxTokens: 10, overlapTokens: 10 }),
      (error) => CairnError.is(error, 'invalid_option') && /overlapTokens/.test(error.message),
    );
  });
});
