import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressKey, createAuthFailureLimiter } from './auth-failure-limiter.ts';

test('ten failures in a burst, then one a second; the block lifts as the bucket refills', () => {
  const limiter = createAuthFailureLimiter({ capacity: 10, refillPerSecond: 1 });
  for (let i = 0; i < 10; i++) {
    assert.equal(limiter.blocked('203.0.113.5', 0), undefined);
    limiter.fail('203.0.113.5', 0);
  }
  assert.deepEqual(limiter.blocked('203.0.113.5', 0), { retryAfterSeconds: 1 });
  assert.equal(limiter.blocked('203.0.113.6', 0), undefined, 'addresses are separate');
  assert.equal(limiter.blocked('203.0.113.5', 1000), undefined);
  limiter.fail('203.0.113.5', 1000);
  assert.ok(limiter.blocked('203.0.113.5', 1500));
  assert.equal(limiter.blocked('203.0.113.5', 60_000), undefined);
});

test('IPv6 addresses count per /64, IPv4-mapped ones as IPv4', () => {
  assert.equal(addressKey('2001:db8:0:1:aaaa::1'), '2001:db8:0:1::/64');
  assert.equal(addressKey('2001:0db8:0000:0001:ffff:1:2:3'), '2001:db8:0:1::/64');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  const limiter = createAuthFailureLimiter({ capacity: 2, refillPerSecond: 1 });
  limiter.fail('2001:db8::1', 0);
  limiter.fail('2001:db8::2', 0);
  assert.ok(limiter.blocked('2001:db8::3', 0), 'one host cannot rotate through its /64');
});
