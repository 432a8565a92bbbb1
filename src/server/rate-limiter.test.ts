import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { CairnError } from '../spec/index.ts';
import { skipWithoutRedis, TEST_REDIS_URL } from '../testing/test-redis.ts';
import { openRedisRateLimiter } from './redis-rate-limiter.ts';
import { createRateLimiter, type RateLimiter, type RateLimits } from './token-bucket.ts';

const REDIS_URL = TEST_REDIS_URL;
const redisSkip = await skipWithoutRedis();

/** Each backend opens limiters whose buckets start empty of history (a fresh key prefix per test). */
const backends: {
  name: string;
  skip: object;
  open: (limits: RateLimits, prefix: string) => Promise<RateLimiter>;
}[] = [
  { name: 'in memory', skip: {}, open: async (limits) => createRateLimiter(limits) },
  {
    name: 'Redis',
    skip: redisSkip,
    open: (limits, prefix) => openRedisRateLimiter({ url: REDIS_URL, prefix, ...limits }),
  },
];

for (const backend of backends) {
  describe(`rate limiter: ${backend.name}`, backend.skip, () => {
    test('a burst of capacity is let through, the next request is refused with the wait until a token', async () => {
      const limiter = await backend.open({ capacity: 3, refillPerSecond: 0.5 }, `test:${randomUUID()}:`);
      try {
        const decisions = [];
        for (let i = 0; i < 4; i++) decisions.push(await limiter.take('key-a'));
        assert.deepEqual(decisions.slice(0, 3), [{ allowed: true }, { allowed: true }, { allowed: true }]);
        // One token at 0.5 per second is 2 s away.
        assert.deepEqual(decisions[3], { allowed: false, retryAfterSeconds: 2 });
        assert.deepEqual(await limiter.take('key-b'), { allowed: true }, 'keys have their own buckets');
      } finally {
        await limiter.close?.();
      }
    });

    test('tokens come back at the refill rate', async () => {
      const limiter = await backend.open({ capacity: 1, refillPerSecond: 20 }, `test:${randomUUID()}:`);
      try {
        assert.equal((await limiter.take('k')).allowed, true);
        assert.equal((await limiter.take('k')).allowed, false);
        await new Promise((resolve) => setTimeout(resolve, 120));
        assert.equal((await limiter.take('k')).allowed, true, 'one token after 50 ms at 20 per second');
      } finally {
        await limiter.close?.();
      }
    });
  });
}

describe('rate limiter shared through Redis', redisSkip, () => {
  test('two API nodes pointing at one Redis share each key’s bucket, even when they take at once', async () => {
    const prefix = `test:${randomUUID()}:`;
    const limits = { capacity: 10, refillPerSecond: 0.01 };
    const nodeA = await openRedisRateLimiter({ url: REDIS_URL, prefix, ...limits });
    const nodeB = await openRedisRateLimiter({ url: REDIS_URL, prefix, ...limits });
    try {
      const decisions = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? nodeA : nodeB).take('shared-key')),
      );
      assert.equal(decisions.filter((decision) => decision.allowed).length, 10);
      // A process-local limiter per node would have let 20 through.
    } finally {
      await nodeA.close?.();
      await nodeB.close?.();
    }
  });

  test('idle buckets expire from Redis once they would be full again', async () => {
    const prefix = `test:${randomUUID()}:`;
    const limiter = await openRedisRateLimiter({ url: REDIS_URL, prefix, capacity: 5, refillPerSecond: 5 });
    const redis = new Redis(REDIS_URL);
    try {
      await limiter.take('expiring');
      const ttl = await redis.pttl(`${prefix}expiring`);
      assert.ok(ttl > 0 && ttl <= 1200, `ttl ${ttl} ms: refill time of one token plus a second`);
    } finally {
      await limiter.close?.();
      redis.disconnect();
    }
  });

  test('a limiter whose Redis goes away lets requests through and reports the error', async () => {
    const errors: unknown[] = [];
    const limiter = await openRedisRateLimiter({
      url: REDIS_URL,
      prefix: `test:${randomUUID()}:`,
      capacity: 1,
      refillPerSecond: 1,
      onError: (error) => errors.push(error),
    });
    await limiter.close?.();
    assert.deepEqual(await limiter.take('k'), { allowed: true });
    assert.equal(errors.length, 1);
  });
});

test('an unreachable Redis URL fails at start-up, naming the URL and the setting', async () => {
  const closed = await new Promise<number>((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
  const url = `redis://127.0.0.1:${closed}`;
  await assert.rejects(
    openRedisRateLimiter({ url, capacity: 1, refillPerSecond: 1 }),
    (error: unknown) =>
      CairnError.is(error, 'invalid_option') &&
      error.message.includes(url) &&
      error.message.includes('server.redisUrl'),
  );
});
