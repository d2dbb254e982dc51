/**
 * Per-caller token buckets, one set per warm instance (no shared store: a Lambda fleet multiplies the
 * limit by its concurrency, which is acceptable for abuse protection and costs no extra round trip).
 * Hand-written: the npm limiters are either timer-driven or tied to a store; this is a few lines.
 */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface RateLimiter {
  take(callerKey: string, nowMs: number): RateDecision;
}

export interface TokenBucketOptions {
  /** Sustained requests per second per caller. */
  readonly ratePerSecond: number;
  /** Requests a caller may make at once after being idle. @default 2 x ratePerSecond */
  readonly burst?: number;
  /** Callers tracked at once; the least recently seen are forgotten first. @default 10000 */
  readonly maxCallers?: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export function tokenBucketLimiter(options: TokenBucketOptions): RateLimiter {
  if (!(options.ratePerSecond > 0)) throw new Error(`ratePerSecond must be a positive number, got ${options.ratePerSecond}`);
  const rate = options.ratePerSecond;
  const burst = Math.max(1, options.burst ?? rate * 2);
  const maxCallers = options.maxCallers ?? 10_000;
  // A Map iterates in insertion order; re-inserting on use makes the first entry the least recently seen.
  const buckets = new Map<string, Bucket>();
  return {
    take(callerKey, nowMs) {
      const bucket = buckets.get(callerKey) ?? { tokens: burst, updatedMs: nowMs };
      buckets.delete(callerKey);
      bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, nowMs - bucket.updatedMs) / 1000) * rate);
      bucket.updatedMs = nowMs;
      buckets.set(callerKey, bucket);
      if (buckets.size > maxCallers) buckets.delete(buckets.keys().next().value as string);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true };
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / rate)) };
    },
  };
}

/** No limit: for the local flag server. */
export const unlimited: RateLimiter = { take: () => ({ allowed: true }) };
