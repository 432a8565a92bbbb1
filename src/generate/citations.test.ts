import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCitations, citationNumbers } from './citations.ts';

test('finds single, listed and adjacent markers', () => {
  assert.deepEqual(citationNumbers('A [1]. B [2, 3]. C [4][5].'), [1, 2, 3, 4, 5]);
});

test('removes citations to passages that do not exist and reports them', () => {
  const checked = checkCitations(
    'Keys rotate every 90 days [1]. Tokens last an hour [7]. Both apply [2, 9].',
    3,
  );
  assert.equal(checked.text, 'Keys rotate every 90 days [1]. Tokens last an hour. Both apply [2].');
  assert.deepEqual(checked.valid, [1, 2]);
  assert.deepEqual(checked.invalid, [7, 9]);
});

test('[0] and huge numbers are invalid; text without markers has no valid citation', () => {
  assert.deepEqual(checkCitations('See [0] and [999].', 5).invalid, [0, 999]);
  assert.deepEqual(checkCitations('No markers here.', 5).valid, []);
});
