import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasValue, questionIntent, sentenceRole } from './sentence-roles.ts';

test('value questions, how-to questions and questions about aims are told apart', () => {
  assert.deepEqual(questionIntent('What is the default value of the `origin` option?'), {
    value: true,
    howTo: false,
    aim: false,
  });
  assert.equal(questionIntent('How many retries does the uploader make?').value, true);
  assert.equal(questionIntent('Which version added streaming?').value, true);
  assert.equal(questionIntent('How do I update the snapshots?').howTo, true);
  assert.equal(questionIntent('What was the aim of the trial?').aim, true);
  assert.deepEqual(questionIntent('Daily walking lowers blood pressure.'), {
    value: false,
    howTo: false,
    aim: false,
  });
});

test('a value is a number, a version or a literal in code, not a name in code', () => {
  for (const sentence of [
    'The default is `*`.',
    "Default: `'v8'`",
    'It makes 5 retries.',
    'Added in v2.3.0.',
    'Default: `false`',
  ])
    assert.equal(hasValue(sentence), true, sentence);
  for (const sentence of [
    'It runs after all other `afterEach` hooks.',
    'Edit `vitest.config.ts` first.',
    'An mp3 file.',
  ])
    assert.equal(hasValue(sentence), false, sentence);
});

test('aims, background, methods and findings are read from cue phrases and abstract labels', () => {
  assert.equal(sentenceRole('The purpose of this study was to determine whether walking helps.'), 'aim');
  assert.equal(sentenceRole('We investigated whether walking lowers blood pressure.'), 'aim');
  assert.equal(sentenceRole('Whether walking lowers blood pressure is unknown.'), 'background');
  assert.equal(sentenceRole('We enrolled 212 adults aged 65 to 80 years.'), 'method');
  assert.equal(sentenceRole('Walking was associated with lower systolic pressure.'), 'finding');
  assert.equal(sentenceRole('RESULTS: Pressure fell by 7 mmHg.'), 'finding');
  assert.equal(sentenceRole('OBJECTIVE: To compare two doses.'), 'aim');
  assert.equal(sentenceRole('Rotate API keys every ninety days.'), 'other');
});
