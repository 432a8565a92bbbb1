import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiCallError, CairnError, InvalidInputError } from './index.ts';

test('InvalidInputError names the path and the reason in its message', () => {
  const error = new InvalidInputError('docs/a.pdf', 'not a PDF (no %PDF header)');
  assert.equal(error.message, 'docs/a.pdf: not a PDF (no %PDF header)');
  assert.ok(CairnError.is(error, 'invalid_input'));
});

test('ApiCallError marks 429 and 5xx retryable, 400 not', () => {
  assert.equal(new ApiCallError({ message: 'x', url: 'u', status: 429 }).isRetryable, true);
  assert.equal(new ApiCallError({ message: 'x', url: 'u', status: 503 }).isRetryable, true);
  assert.equal(new ApiCallError({ message: 'x', url: 'u', status: 400 }).isRetryable, false);
});
