/** Per-key token buckets: `capacity` requests in a burst, refilled at `refillPerSecond`. */
export interface RateLimiter {
  /**
   * Takes one token; when none is left, says how long until one is. Async because a limiter
   * shared by several API nodes lives in Redis.
   */
  take(key: string): Promise<RateDecision>;
  close?(): Promise<void>;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Burst size and refill rate of a {@link RateLimiter}. */
export interface RateLimits {
  capacity: number;
  refillPerSecond: number;
}

/** One bucket's arithmetic, shared by the in-memory limiter and mirrored by the Redis script. */
export function takeFromBucket(
  bucket: { tokens: number; updatedAt: number },
  limits: RateLimits,
  now: number,
): RateDecision {
  bucket.tokens = Math.min(
    limits.capacity,
    bucket.tokens + (Math.max(0, now - bucket.updatedAt) / 1000) * limits.refillPerSecond,
  );
  bucket.updatedAt = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return { allowed: true };
  }
  return { allowed: false, retryAfterSeconds: Math.ceil((1 - bucket.tokens) / limits.refillPerSecond) };
}

/** An in-memory rate limiter: one process, one set of buckets. `now` is injectable for tests. */
export function createRateLimiter(
  limits: RateLimits,
  clock: () => number = () => performance.now(),
): RateLimiter {
  const buckets = new Map<string, { tokens: number; updatedAt: number }>();
  return {
    async take(key) {
      const now = clock();
      const bucket = buckets.get(key) ?? { tokens: limits.capacity, updatedAt: now };
      buckets.set(key, bucket);
      return takeFromBucket(bucket, limits, now);
    },
  };
}
