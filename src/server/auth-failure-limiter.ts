/**
 * Failed authentications per client address, as token buckets: `capacity` failures in a burst,
 * then `refillPerSecond`. Only failures take a token, so a client with a good key is never slowed.
 */
export interface AuthFailureLimiter {
  /** When the address has no failures left, how long until it has one; otherwise undefined. */
  blocked(address: string, now?: number): { retryAfterSeconds: number } | undefined;
  /** Counts one failed authentication against the address. */
  fail(address: string, now?: number): void;
}

/** Settings of {@link createAuthFailureLimiter}. */
export interface AuthFailureLimits {
  /** @default 10 */
  capacity: number;
  /** @default 1 */
  refillPerSecond: number;
}

/** How many addresses are remembered before fully refilled buckets are forgotten. */
const MAX_TRACKED = 10_000;

/** Creates an in-memory limiter of failed authentications. */
export function createAuthFailureLimiter(
  limits: AuthFailureLimits = { capacity: 10, refillPerSecond: 1 },
): AuthFailureLimiter {
  const buckets = new Map<string, { tokens: number; updatedAt: number }>();
  const refill = (address: string, now: number) => {
    const bucket = buckets.get(address);
    if (!bucket) return limits.capacity;
    bucket.tokens = Math.min(
      limits.capacity,
      bucket.tokens + ((now - bucket.updatedAt) / 1000) * limits.refillPerSecond,
    );
    bucket.updatedAt = now;
    return bucket.tokens;
  };
  // Rotating addresses must not grow the map without bound: full buckets carry no information.
  const forget = (now: number) => {
    for (const address of buckets.keys())
      if (refill(address, now) >= limits.capacity) buckets.delete(address);
    for (const address of buckets.keys()) {
      if (buckets.size < MAX_TRACKED) break;
      buckets.delete(address);
    }
  };
  return {
    blocked(address, now = performance.now()) {
      const key = addressKey(address);
      const tokens = refill(key, now);
      if (tokens >= 1) return undefined;
      return { retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / limits.refillPerSecond)) };
    },
    fail(address, now = performance.now()) {
      const key = addressKey(address);
      const tokens = refill(key, now);
      if (!buckets.has(key) && buckets.size >= MAX_TRACKED) forget(now);
      buckets.set(key, { tokens: Math.max(0, tokens - 1), updatedAt: now });
    },
  };
}

/**
 * The bucket an address counts against: IPv4 (also IPv4-mapped IPv6) as is, IPv6 by its /64
 * prefix, since one host usually holds a whole /64 and could otherwise rotate through it.
 */
export function addressKey(address: string): string {
  const plain = address.trim().toLowerCase().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(plain);
  if (mapped?.[1]) return mapped[1];
  if (!plain.includes(':')) return plain;
  const [head = '', tail] = plain.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array.from({ length: missing }, () => '0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
