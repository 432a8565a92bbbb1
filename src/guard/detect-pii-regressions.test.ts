import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectPii } from './detect-pii.ts';
import { redactPii } from './redact-pii.ts';

// Each case is a failure reported in issue #12 against the hand-written patterns.
const found = (text: string) => detectPii(text).map((span) => `${span.type}:${span.text}`);

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

test('UK, French, German, Japanese, Indian and E.164 phone numbers are found', () => {
  const cases: [string, string][] = [
    ['Call me on 07497 525655 tonight.', '07497 525655'],
    ['My number is +44 7274 101882.', '+44 7274 101882'],
    ['Bureau +33 1 42 68 53 00', '+33 1 42 68 53 00'],
    ['Portable : +33 6 12 34 56 78', '+33 6 12 34 56 78'],
    ['Telefon: 030 12345678', '030 12345678'],
    ['Handy +49 151 23456789 bitte.', '+49 151 23456789'],
    ['Tokyo office +81-3-1234-5678.', '+81-3-1234-5678'],
    ['Phone +81 3 1234 5678', '+81 3 1234 5678'],
    ['WhatsApp +91 98765 43210', '+91 98765 43210'],
    ['Stored as +14155552671 in the CRM.', '+14155552671'],
  ];
  for (const [text, phone] of cases) assert.deepEqual(found(text), [`phone:${phone}`], text);
});

test('a 00-prefixed international number is a phone, not a card', () => {
  // 00493012345671 passes Luhn, which the old card pattern took for a card number.
  assert.deepEqual(found('Ruf 0049 30 12345671 an.'), ['phone:0049 30 12345671']);
});

test('secrets from the vendor lists and assignment forms are found', () => {
  const cases: [string, string][] = [
    [
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    ],
    [
      'token github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV12345 here',
      'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV12345',
    ],
    ['stripe key sk_test_4eC39HqLyjWDarjtT1zdp7dc', 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'],
    ['webhook secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    [`session ${JWT}`, JWT],
    ['maps key AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe', 'AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe'],
    [
      'post to https://hooks.slack.com/services/T0A1B2C3D/B4E5F6G7H/abcdefGHIJKL0123456789mn',
      'https://hooks.slack.com/services/T0A1B2C3D/B4E5F6G7H/abcdefGHIJKL0123456789mn',
    ],
    [
      '//registry.npmjs.org/:_authToken=npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
      'npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
    ],
    [
      'SENDGRID 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',
      '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',
    ],
    ['Authorization: Bearer 4f9a1c2e8b7d6a5f3e2c1b0a9d8e7f6a', '4f9a1c2e8b7d6a5f3e2c1b0a9d8e7f6a'],
    ['password=Tr0ub4dor&3', 'Tr0ub4dor&3'],
  ];
  for (const [text, secret] of cases) assert.deepEqual(found(text), [`secret:${secret}`], text);
});

test('the password of a database URL is redacted as a secret, not the URL as an e-mail', () => {
  const url = 'DATABASE_URL=postgres://app:s3cretPass@db.example.com:5432/app';
  assert.deepEqual(found(url), ['secret:s3cretPass']);
  assert.equal(redactPii(url).text, 'DATABASE_URL=postgres://app:[SECRET]@db.example.com:5432/app');
});

test('compressed IPv6 addresses are found', () => {
  assert.deepEqual(found('from 2001:db8::1 and ::1'), ['ip_address:2001:db8::1', 'ip_address:::1']);
  assert.deepEqual(found('peer fe80::1ff:fe23:4567:890a'), ['ip_address:fe80::1ff:fe23:4567:890a']);
});

test('lower-case and hyphenated IBANs are found whole, never partly as a card', () => {
  assert.deepEqual(found('IBAN de44 5001 0517 5407 3249 31 bitte'), ['iban:de44 5001 0517 5407 3249 31']);
  assert.deepEqual(found('IBAN DE44-5001-0517-5407-3249-31'), ['iban:DE44-5001-0517-5407-3249-31']);
  assert.equal(redactPii('IBAN de44 5001 0517 5407 3249 31 bitte').text, 'IBAN [IBAN] bitte');
});

test('SSNs without dashes are found when a social-security label says so, and only then', () => {
  assert.deepEqual(found('SSN 219099999 on file'), ['national_id:219099999']);
  assert.deepEqual(found('social security number 219 09 9999'), ['national_id:219 09 9999']);
  assert.deepEqual(found('Reference 219099999 on file'), []);
});

test('cards with dotted groups are found', () => {
  assert.deepEqual(found('card 4111.1111.1111.1111 on file'), ['credit_card:4111.1111.1111.1111']);
});

test('dates, times, versions and order numbers are never redacted', () => {
  const text =
    'At 2024-03-15 14:22:01 (2024-03-15T14:22:01Z, 03/15/2024, 14:22) we shipped 1.24.3 and v2.0.1; ' +
    'version 10.2.1.4, order 4051288731, order no. 40512 88731, invoice INV-2024-000123, build 20240315.1.';
  assert.deepEqual(found(text), []);
  assert.equal(redactPii('logged 2024-03-15 14:22:01').text, 'logged 2024-03-15 14:22:01');
});
