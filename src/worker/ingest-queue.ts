import { Redis } from 'ioredis';
import { CairnError } from '../spec/index.ts';

/** The BullMQ queue upload jobs go through. */
export const INGEST_QUEUE = 'ingest';

/** Prefix of the queue's Redis keys, so it shares a Redis with other applications. */
export const QUEUE_PREFIX = 'cairn:queue';

/** What a queue entry carries: a tenant with jobs waiting; the jobs themselves are in the job store. */
export interface TenantTurn {
  tenant: string;
}

/**
 * A Redis connection for BullMQ, connected before returning so a wrong URL fails at start-up
 * with the URL named. Workers block on Redis, so commands retry without limit (BullMQ's rule).
 */
export async function connectQueueRedis(url: string, purpose: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null, connectTimeout: 2000 });
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
