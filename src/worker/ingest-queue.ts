import type { Redis } from 'ioredis';
import { connectRedis } from '../server/connect-redis.ts';

/** The BullMQ queue upload jobs go through. */
export const INGEST_QUEUE = 'ingest';

/** Prefix of the queue's Redis keys, so it shares a Redis with other applications. */
export const QUEUE_PREFIX = 'cairn:queue';

/** What a queue entry carries: a tenant with jobs waiting; the jobs themselves are in the job store. */
export interface TenantTurn {
  tenant: string;
}

/** A Redis connection for BullMQ: workers block on Redis, so commands retry without limit (its rule). */
export function connectQueueRedis(url: string, purpose: string): Promise<Redis> {
  return connectRedis(url, purpose, { maxRetriesPerRequest: null });
}
