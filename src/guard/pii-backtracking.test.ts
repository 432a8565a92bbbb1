import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectPii } from './detect-pii.ts';

// Ingest runs every PII pattern over untrusted documents, so a pattern that backtracks
// exponentially is a denial of service. Each input below is 100,000 characters shaped to make a
// careless pattern retry at every position. The bound is generous on purpose: linear patterns
// finish in well under a second even on a loaded 2-core CI machine (the phone scan took 1.7 s at
// load 11), while a pattern that backtracks quadratically or worse takes minutes on 100,000
// characters, and an exponential one never finishes. Timing otherwise lives in bench/guard-cost.ts.
const LIMIT_MS = 5000;
const LENGTH = 100_000;

const repeat = (unit: string) => unit.repeat(Math.ceil(LENGTH / unit.length)).slice(0, LENGTH);
let seed = 7;
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const randomFrom = (alphabet: string, count: number) =>
  Array.from({ length: count }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
const digits = (count: number) => randomFrom('0123456789', count);
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const ADVERSARIAL: [string, string][] = [
  ['digits with spaces', repeat('1 ')],
  ['digits with dashes', repeat('12-')],
  ['digits with dots', repeat('1.')],
  ['digits in parentheses', repeat('(1)')],
  ['one long digit run', repeat('1234567890')],
  ['"a@" repeated', repeat('a@')],
  ['"a.b@c." repeated', repeat('a.b@c.')],
  ['"+1 " repeated', repeat('+1 ')],
  ['a base64 run', randomFrom(BASE64, LENGTH)],
  ['a JWT prefix and no dots', `eyJ${randomFrom(BASE64, LENGTH)}`],
  ['JWT-like parts', repeat('eyJhbGciOi.')],
  ['vendor prefixes without an end', repeat('sk-ghp_AKIAxoxb-SG.')],
  ['private-key headers', repeat('-----BEGIN RSA PRIVATE KEY-----')],
  ['"password=" repeated', repeat('password=')],
  ['"api_key=" repeated', repeat('api_key=')],
  ['"Bearer " repeated', repeat('Bearer ')],
  ['URL user info without an end', repeat('postgres://a:')],
  ['colons', repeat(':')],
  ['digit colons', repeat('1:')],
  ['hex colons', repeat('ab:')],
  ['dotted quads run together', repeat('1.2.3.4.')],
  ['IBAN groups without an end', `DE89 ${repeat('1234 ')}`],
  ['lower-case IBAN-like groups', `de89-${repeat('ab12-')}`],
  ['card groups without an end', repeat('4111 ')],
  ['SSN label and nine digits', repeat('SSN 123456789 ')],
  ['phone labels with numbers', repeat(`Phone: ${digits(3)} ${digits(3)} ${digits(4)} `)],
  [
    'random phone-shaped numbers',
    Array.from({ length: 6000 }, () => `tel ${digits(4)} ${digits(3)} ${digits(3)} `)
      .join('')
      .slice(0, LENGTH),
  ],
];

test('every PII pattern finishes in bounded time on long adversarial inputs', () => {
  // Loads the phone metadata and compiles the patterns, so the first input is not charged for it.
  detectPii('Call +44 20 7946 0958, card 4111 1111 1111 1111, key sk_test_4eC39HqLyjWDarjtT1zdp7dc.');
  for (const [name, text] of ADVERSARIAL) {
    const started = performance.now();
    detectPii(text);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < LIMIT_MS, `${name}: ${elapsed.toFixed(0)} ms`);
  }
});
