/** Per-key token buckets: `capacity` requests in a burst, refilled at `refillPerSecond`. */
export interface RateLimiter {
  /** Takes one token; when none is left, says how long until one is. */
  take(key: string, now?: number): { allowed: true } | { allowed: false; retryAfterSeconds: number };
}

/** Creates an in-memory rate limiter. */
export function createRateLimiter(options: { capacity: number; refillPerSecond: number }): RateLimiter {
  const buckets = new Map<string, { tokens: number; updatedAt: number }>();
  return {
    take(key, now = performance.now()) {
      const bucket = buckets.get(key) ?? { tokens: options.capacity, updatedAt: now };
      bucket.tokens = Math.min(
        options.capacity,
        bucket.tokens + ((now - bucket.updatedAt) / 1000) * options.refillPerSecond,
      );
      bucket.updatedAt = now;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true };
      }
      return { allowed: false, retryAfterSeconds: Math.ceil((1 - bucket.tokens) / options.refillPerSecond) };
    },
  };
}
