import { Queue } from 'bullmq';
import { connectQueueRedis, INGEST_QUEUE, QUEUE_PREFIX, type TenantTurn } from './ingest-queue.ts';

/** Tells `cairn worker` processes that a tenant has upload jobs waiting. */
export interface IngestNotifier {
  notify(tenant: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Queue entries are turns, one per tenant at a time (BullMQ deduplication by tenant, held until
 * the turn completes): workers take turns first come, first served, so a tenant with a hundred
 * jobs waiting holds one place in line, not a hundred, and its jobs run one at a time.
 */
export async function openIngestNotifier(redisUrl: string, prefix = QUEUE_PREFIX): Promise<IngestNotifier> {
  const connection = await connectQueueRedis(redisUrl, 'the ingest queue');
  const queue = new Queue<TenantTurn>(INGEST_QUEUE, { connection, prefix });
  queue.on('error', () => {});
  return {
    async notify(tenant) {
      await queue.add(
        'turn',
        { tenant },
        { deduplication: { id: tenant }, removeOnComplete: true, removeOnFail: true },
      );
    },
    async close() {
      await queue.close();
      connection.disconnect();
    },
  };
}
