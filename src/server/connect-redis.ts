import { Redis, type RedisOptions } from 'ioredis';
import { CairnError } from '../spec/index.ts';

/**
 * A Redis connection, connected before returning so that a wrong URL fails at start-up naming
 * the URL (password masked), what it was for and the fix.
 */
export async function connectRedis(url: string, purpose: string, options: RedisOptions): Promise<Redis> {
  const redis = new Redis(url, { connectTimeout: 2000, ...options, lazyConnect: true });
  // ioredis also reports connection trouble as events; without a listener Node prints each one.
  redis.on('error', () => {});
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new CairnError(
      'invalid_option',
      `cannot reach Redis at ${url.replace(/\/\/[^@/]*@/, '//***@')} for ${purpose}: ${(error as Error).message}; ` +
        'start Redis or fix server.redisUrl',
      { cause: error },
    );
  }
  return redis;
}
