import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentTerms, stem } from './content-terms.ts';

test('inflections of one word share a stem', () => {
  assert.equal(stem('retrieving'), stem('retrieved'));
  assert.equal(stem('retrieves'), stem('retrieve'));
  assert.equal(stem('queries'), 'query');
  assert.equal(stem('stopping'), 'stop');
  assert.equal(stem('class'), 'class');
});

test('content terms drop stop words and keep numbers', () => {
  assert.deepEqual(contentTerms('How do I rotate the API keys every 90 days?'), [
    'rotat',
    'api',
    'key',
    'every',
    '90',
    'day',
  ]);
});
