import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { cairnIn } from './__fixtures__/cli-context.ts';

// `cairn ask` prints what the server returns: the answer and everything with it redacted alike,
// in the JSON (passages included) and in the streamed text view.
const EMAIL = 'billing-desk@example.org';
const PHONE = '+44 20 7946 0958';
const API_KEY = 'sk-proj-Q3vX9pLm2RtY7wZkA4bN8cD1eF6gH0jK';
let dir = '';
const env = () => ({ CAIRN_INDEX: path.join(dir, 'index.db'), CAIRN_EMBEDDER: 'hashing' });

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-ask-redaction-'));
  fs.mkdirSync(path.join(dir, 'docs'));
  fs.writeFileSync(
    path.join(dir, 'docs', 'billing.md'),
    `# Billing desk\n\nContact the billing team at ${EMAIL} or call ${PHONE} on weekdays. The sandbox API key is ${API_KEY}.\n`,
  );
  const ingest = await cairnIn(dir, ['ingest', path.join(dir, 'docs')], env());
  assert.equal(ingest.code, 0, ingest.stderr);
});

test('cairn ask --json and the text view carry placeholders, never the raw values', async () => {
  const question = 'How do I contact the billing team?';
  const json = await cairnIn(dir, ['ask', question, '--json', '--passages', '--no-cache'], env());
  const text = await cairnIn(dir, ['ask', question, '--no-cache'], env());
  for (const [view, result] of [
    ['--json', json],
    ['text', text],
  ] as const) {
    assert.equal(result.code, 0, result.stderr);
    for (const raw of [EMAIL, PHONE, API_KEY])
      assert.ok(!result.stdout.includes(raw), `${view} prints ${raw}`);
    assert.match(result.stdout, /\[EMAIL\].*\[PHONE\]/, view);
  }
  const printed = JSON.parse(json.stdout) as { answer: string; passages: { text: string }[] };
  assert.match(printed.passages[0]?.text ?? '', /\[SECRET\]/);
  assert.ok(text.stdout.startsWith(printed.answer), 'the streamed text is the JSON answer');
});
