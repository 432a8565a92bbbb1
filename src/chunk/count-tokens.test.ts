import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { countTokens, decodeTokens, encodeTokens, tokenPieces } from './count-tokens.ts';

const SAMPLES = [
  'Hello world.',
  'Mixed: naïve café, 你好世界今天天气很好, emoji 😀👍🏽, tabs\tand\nnewlines\n\n  indented',
  'A long unbroken run: aGVsbG8gd29ybGQgdGhpcyBpcyBhIGxvbmcgYmFzZTY0IHN0cmluZw==',
  'Lone surrogate \ud83d here and a trailing one \ude00',
];

describe('countTokens', () => {
  test('counts o200k_base tokens and zero for the empty string', () => {
    assert.equal(countTokens(''), 0);
    assert.equal(countTokens('hello world'), 2);
  });

  test('treats special-token strings in documents as plain text instead of throwing', () => {
    const text = 'before <|endoftext|> after';
    assert.ok(countTokens(text) > 3);
    assert.equal(encodeTokens(text).length, countTokens(text));
    assert.equal(decodeTokens(encodeTokens(text)), text);
  });

  test('encodeTokens and decodeTokens round-trip and agree with countTokens', () => {
    for (const text of SAMPLES.slice(0, 3)) {
      const tokens = encodeTokens(text);
      assert.equal(tokens.length, countTokens(text));
      assert.equal(decodeTokens(tokens), text);
    }
  });
});

describe('tokenPieces', () => {
  test('tiles the text, and the piece counts sum to the text count', () => {
    for (const text of SAMPLES) {
      const pieces = tokenPieces(text);
      let at = 0;
      for (const piece of pieces) {
        assert.equal(piece.start, at);
        assert.ok(piece.end > piece.start && piece.tokenCount > 0);
        at = piece.end;
      }
      assert.equal(at, text.length);
      assert.equal(
        pieces.reduce((sum, piece) => sum + piece.tokenCount, 0),
        countTokens(text),
      );
    }
  });

  test('returns no pieces for the empty string', () => {
    assert.deepEqual(tokenPieces(''), []);
  });
});
