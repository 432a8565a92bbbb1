import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactPii } from './redact-pii.ts';
import { createRedactingStream } from './redact-stream.ts';

const RAW = [
  'billing-desk@example.org',
  '+44 20 7946 0958',
  '4111 1111 1111 1111',
  'sk-proj-Q3vX9pLm2RtY7wZkA4bN8cD1eF6gH0jK',
];
const TEXT =
  'Contact the billing team at billing-desk@example.org or call +44 20 7946 0958 on weekdays. ' +
  'The test card is 4111 1111 1111 1111 and the deploy key is sk-proj-Q3vX9pLm2RtY7wZkA4bN8cD1eF6gH0jK, ' +
  'rotated every ninety days by the platform team.';

function streamed(deltas: string[]): string[] {
  const sent: string[] = [];
  const stream = createRedactingStream((text) => sent.push(text));
  for (const delta of deltas) stream.write(delta);
  stream.end();
  return sent;
}

test('streamed text leaves redacted, however the deltas split the values', () => {
  const splits = {
    'one character at a time': [...TEXT],
    'word by word': TEXT.split(/(?=\s)/),
    'three characters at a time': TEXT.match(/[\s\S]{1,3}/g) ?? [],
  };
  for (const [name, deltas] of Object.entries(splits)) {
    const sent = streamed(deltas);
    assert.ok(sent.length > 1, `${name}: sent before the end, not all at once`);
    assert.equal(sent.join(''), redactPii(TEXT).text, name);
    for (const piece of sent)
      for (const value of RAW)
        for (const part of [value, value.slice(0, 12), value.slice(-10)])
          assert.ok(!piece.includes(part), `${name}: "${piece}" carries part of ${value}`);
  }
});

test('a discarded draft sends nothing more, and the next text starts clean', () => {
  const sent: string[] = [];
  const stream = createRedactingStream((text) => sent.push(text));
  stream.write('Mail ana.lopez@exam');
  stream.discard();
  stream.write('Ask the desk.');
  stream.end();
  assert.deepEqual(sent, ['Ask the desk.']);
});

test('a private-key block is held from its BEGIN line until its END line arrives', () => {
  const body = Array.from({ length: 12 }, (_, i) => `MIIEvQIBADANBgkqhkiG9w0BAQEFAASC${i}xyz`).join('\n');
  const opened = `The key is\n-----BEGIN PRIVATE KEY-----\n${body}\n`;
  const text = `${opened}-----END PRIVATE KEY-----\nkeep it safe.`;
  const sent: string[] = [];
  const stream = createRedactingStream((piece) => sent.push(piece));
  for (const delta of opened.split(/(?=\s)/)) stream.write(delta);
  assert.equal(sent.join(''), 'The key is\n', 'nothing after the BEGIN line leaves before the block ends');
  for (const delta of text.slice(opened.length).split(/(?=\s)/)) stream.write(delta);
  stream.end();
  assert.equal(sent.join(''), redactPii(text).text);
});
