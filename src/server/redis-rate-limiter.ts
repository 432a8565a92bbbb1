import { connectRedis } from './connect-redis.ts';
import type { RateDecision, RateLimiter, RateLimits } from './token-bucket.ts';

// One token bucket per key as a Redis hash, read, refilled and taken from in one script, so two
// API nodes taking at the same moment cannot both spend the last token. The clock is Redis's own
// (TIME), so nodes whose clocks disagree still share one refill rate. Idle buckets expire once
// they would be full again, so rotating keys cannot fill Redis.
const TAKE_SCRIPT = `
local capacity = tonumber(ARGV[1])
local refill = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) / 1000 * refill)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / refill * 1000) + 1000)
return { allowed, tostring(tokens) }
`;

/** Options of {@link openRedisRateLimiter}. */
export interface RedisRateLimiterOptions extends RateLimits {
  /** `redis://host:port/db`. */
  url: string;
  /** Prefix of the bucket keys, so several deployments can share one Redis. @default 'cairn:rate:' */
  prefix?: string;
  /**
   * Called when Redis cannot be reached mid-flight. The request is then let through (the limiter
   * fails open): a Redis outage must not take every API node down with it.
   */
  onError?: (error: unknown) => void;
}

/**
 * A rate limiter shared by every API node that points at the same Redis: the per-key limit holds
 * across nodes. Connects before returning, so a wrong URL fails at start-up with the URL named.
 */
export async function openRedisRateLimiter(options: RedisRateLimiterOptions): Promise<RateLimiter> {
  const prefix = options.prefix ?? 'cairn:rate:';
  // Fails fast while Redis is away, so a request waits for no reconnect (the limiter fails open).
  const redis = await connectRedis(options.url, 'the rate limit', {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  redis.defineCommand('cairnTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  const take = (redis as unknown as Record<string, (...args: unknown[]) => Promise<[number, string]>>)
    .cairnTakeToken as (key: string, capacity: number, refill: number) => Promise<[number, string]>;
  return {
    async take(key): Promise<RateDecision> {
      try {
        const [allowed, tokens] = await take.call(
          redis,
          `${prefix}${key}`,
          options.capacity,
          options.refillPerSecond,
        );
        if (allowed === 1) return { allowed: true };
        return {
          allowed: false,
          retryAfterSeconds: Math.ceil((1 - Number(tokens)) / options.refillPerSecond),
        };
      } catch (error) {
        options.onError?.(error);
        return { allowed: true };
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
