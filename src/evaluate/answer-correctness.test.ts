import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyFactRecall, keyFacts, matchTokens, tokenF1 } from './answer-correctness.ts';

test('key facts are the numbers, code spans, quoted values, identifiers and names of the reference', () => {
  const facts = keyFacts(
    'The default is `5_000` ms in Node.js; set "testTimeout" to 0 with --test-timeout. Vitest reads it from vitest.config.ts like Jest does.',
  ).map((fact) => `${fact.kind}:${fact.text}`);
  assert.deepEqual(facts, [
    'code:5_000',
    'quoted:testTimeout',
    'identifier:Node.js',
    'identifier:--test-timeout',
    'identifier:vitest.config.ts',
    'number:0',
    'entity:Jest',
  ]);
});

test('a capitalised word that only starts a sentence is not a named entity', () => {
  assert.deepEqual(
    keyFacts('Hooks time out after 10 seconds.').map((fact) => fact.text),
    ['10'],
  );
});

test('number formats, case and punctuation are normalised before matching', () => {
  assert.deepEqual(matchTokens('The limit is 5,000 MS'), ['the', 'limit', 'is', '5000', 'ms']);
  assert.deepEqual(matchTokens('`5_000`ms'), ['5000', 'ms']);
  assert.deepEqual(matchTokens('1.50 and 2.0 and three'), ['1.5', 'and', '2', 'and', '3']);
  assert.deepEqual(matchTokens('vi.resetAllMocks() [2]'), ['vi', 'resetallmocks']);
});

test('key-fact recall: found facts / facts, whatever their formatting in the answer', () => {
  const reference = 'Set `retry` to 3 and failed tests are retried 3 times; the default is `0`.';
  const right = keyFactRecall('Use retry: three. The default value is 0 [1].', reference);
  assert.equal(right.recall, 1);
  const half = keyFactRecall('Set retry to 5 [1].', reference);
  assert.deepEqual(half.missing, ['0', '3']);
  assert.equal(half.recall, 1 / 3);
});

test('key-fact recall is unmeasured when the reference states no key fact', () => {
  assert.equal(keyFactRecall('anything', 'It runs the tests again.').recall, null);
});

test('a multi-token fact must appear contiguously, not as scattered words', () => {
  const reference = 'Call `vi.runAllTimers()` after faking timers.';
  assert.equal(keyFactRecall('Call vi.runAllTimers() to flush them.', reference).recall, 1);
  assert.equal(keyFactRecall('With vi you can run all timers.', reference).recall, 0);
});

test('token F1 (SQuAD-style) ignores stop words on both sides but keeps negations', () => {
  // reference content tokens: default, pool, forks; answer: pool, forks, default, value
  assert.equal(
    tokenF1('The pool is forks by default value.', "The default pool is 'forks'."),
    (2 * 1 * 0.75) / 1.75,
  );
  assert.equal(tokenF1('Isolation is not on.', 'Isolation is on.'), (2 * (1 / 2) * 1) / (1 / 2 + 1));
  assert.equal(tokenF1('Nothing shared here.', 'The default pool is forks.'), 0);
  assert.equal(tokenF1('anything', ''), null);
});
