import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectPii, ibanChecksumOk, luhnOk } from './detect-pii.ts';
import { redactPii } from './redact-pii.ts';

const types = (text: string) => detectPii(text).map((span) => `${span.type}:${span.text}`);

test('worked checksums: Luhn and IBAN mod-97', () => {
  // 4111 1111 1111 1111: doubled digits sum to 22, the others to 8; 30 is divisible by 10.
  assert.equal(luhnOk('4111111111111111'), true);
  assert.equal(luhnOk('4111111111111112'), false);
  assert.equal(ibanChecksumOk('GB82 WEST 1234 5698 7654 32'), true);
  assert.equal(ibanChecksumOk('GB82 WEST 1234 5698 7654 33'), false);
});

test('each type is found with its exact span', () => {
  assert.deepEqual(types('Write to ana.lopez@example.org today.'), ['email:ana.lopez@example.org']);
  assert.deepEqual(types('Call +44 20 7946 0958 or (555) 014-2398.'), [
    'phone:+44 20 7946 0958',
    'phone:(555) 014-2398',
  ]);
  assert.deepEqual(types('Card 4111 1111 1111 1111 on file.'), ['credit_card:4111 1111 1111 1111']);
  assert.deepEqual(types('IBAN GB82 WEST 1234 5698 7654 32 please.'), ['iban:GB82 WEST 1234 5698 7654 32']);
  assert.deepEqual(types('SSN 219-09-9999 was given.'), ['national_id:219-09-9999']);
  assert.deepEqual(types('From 192.168.10.4 and 2001:0db8:85a3:0000:0000:8a2e:0370:7334.'), [
    'ip_address:192.168.10.4',
    'ip_address:2001:0db8:85a3:0000:0000:8a2e:0370:7334',
  ]);
  assert.deepEqual(types('key sk-proj-abcdefghijklmnopqrstuvwx1234 leaked'), [
    'secret:sk-proj-abcdefghijklmnopqrstuvwx1234',
  ]);
  assert.deepEqual(types('api_key = "Zx81Qm20Lp99Kd73Hv55"'), ['secret:Zx81Qm20Lp99Kd73Hv55']);
});

test('look-alikes are left alone', () => {
  assert.deepEqual(types('Order 4111 1111 1111 1112 shipped.'), [], 'fails Luhn');
  assert.deepEqual(types('IBAN GB82 WEST 1234 5698 7654 33'), [], 'fails mod-97');
  assert.deepEqual(types('Version 1.2.30 and build 300.1.2.3.'), []);
  assert.deepEqual(types('Address 999.10.10.10 is not an IP'), []);
  assert.deepEqual(types('SSN-like 000-12-3456 and 666-12-3456 are never issued.'), []);
  assert.deepEqual(types('It took 1500 ms on 2025-06-01 for 12 users.'), []);
  assert.deepEqual(types('The api_key setting is documented below.'), []);
});

test('redaction replaces spans with typed placeholders and counts them', () => {
  const { text, redacted } = redactPii('Mail ana@example.org, card 4111-1111-1111-1111, ip 10.0.0.1.');
  assert.equal(text, 'Mail [EMAIL], card [CARD], ip [IP].');
  assert.deepEqual(redacted, { email: 1, credit_card: 1, ip_address: 1 });
  assert.deepEqual(redactPii('nothing here'), { text: 'nothing here', redacted: {} });
});
