/**
 * flagd's `fractional` operator as flagd ships it (`@fractional-v2`):
 *   {"fractional": [bucketKey?, [variant, weight?], ...]}
 * hash = MurmurHash3 x86 32-bit, seed 0, over the UTF-8 bytes of the bucket key (default: flag key +
 * targeting key); bucket = (hash * totalWeight) >> 32; the first variant whose cumulative weight exceeds
 * the bucket wins. Weights are integers (a missing weight is 1, negative ones count as 0), so 1 in 1000
 * (0.1%) rollouts are exact. Bad input yields null: the flag's default variant.
 */

import { murmur3x86Hash32 } from './murmur3';

export type BucketVariant = string | number | boolean | null;

export interface BucketList {
  readonly variants: readonly BucketVariant[];
  /** Cumulative weights: cumulative[i] = weights[0] + ... + weights[i]. */
  readonly cumulative: readonly number[];
  readonly totalWeight: number;
}

/** flagd caps the weight sum at int32 max. */
const MAX_TOTAL_WEIGHT = 2147483647;
const TWO_POW_32 = 4294967296;

const encoder = new TextEncoder();
let scratch = new Uint8Array(256);

/** MurmurHash3 x86 32-bit (seed 0) of the UTF-8 bytes of `key`, as an unsigned 32-bit integer. */
export function hashBucketKey(key: string): number {
  if (key.length * 3 > scratch.length) scratch = new Uint8Array(key.length * 3); // UTF-8 needs <= 3 bytes per UTF-16 unit
  const { written } = encoder.encodeInto(key, scratch);
  return murmur3x86Hash32(scratch, written, 0);
}

/** (hash * totalWeight) >> 32, exact: doubles are exact below 2^53, BigInt beyond. */
export function bucketOf(hash: number, totalWeight: number): number {
  const product = hash * totalWeight;
  if (product <= Number.MAX_SAFE_INTEGER) return Math.floor(product / TWO_POW_32);
  return Number((BigInt(hash) * BigInt(totalWeight)) >> 32n);
}

/** Parses evaluated bucket entries like flagd: null when any entry is malformed or the sum is too large. */
export function toBucketList(entries: readonly unknown[]): BucketList | null {
  const variants: BucketVariant[] = [];
  const cumulative: number[] = [];
  let totalWeight = 0;
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length === 0 || entry.length > 2) return null;
    const [variant, rawWeight] = entry as unknown[];
    if (variant !== null && variant !== undefined && !['string', 'number', 'boolean'].includes(typeof variant)) return null;
    let weight = 1;
    if (entry.length === 2) {
      if (typeof rawWeight !== 'number' || !Number.isInteger(rawWeight)) return null;
      weight = Math.max(0, rawWeight); // negative weights come from rollout arithmetic: flagd clamps them
    }
    totalWeight += weight;
    variants.push((variant ?? null) as BucketVariant);
    cumulative.push(totalWeight);
  }
  return totalWeight > MAX_TOTAL_WEIGHT ? null : { variants, cumulative, totalWeight };
}

/** The variant for a bucket key, or null when all weights are zero. */
export function pickBucket(list: BucketList, bucketKey: string): BucketVariant {
  const bucket = bucketOf(hashBucketKey(bucketKey), list.totalWeight);
  const { cumulative } = list;
  for (let i = 0; i < cumulative.length; i++) {
    if (cumulative[i] > bucket) return list.variants[i];
  }
  return null;
}

/** The operator over evaluated arguments; the bucket key must be given (see withDefaultBucketKey). */
export function fractional(args: unknown): BucketVariant {
  if (!Array.isArray(args) || typeof args[0] !== 'string') return null;
  const list = toBucketList(args.slice(1));
  return list ? pickBucket(list, args[0]) : null;
}

/** The default bucket key: flag key + targeting key, or null without a targeting key (flagd's rule). */
export function defaultBucketKey(flagKey: string, context: unknown): string | null {
  const targetingKey = (context as { targetingKey?: unknown } | null | undefined)?.targetingKey;
  return targetingKey ? `${flagKey}${String(targetingKey)}` : null;
}

/**
 * Buckets whose variants and weights are literals (the usual case) are parsed once at compile time.
 * Returns undefined when any entry is an expression, or null when the literal list is invalid.
 */
export function literalBucketList(entries: readonly unknown[]): BucketList | null | undefined {
  const isLiteral = (value: unknown) => value === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof value);
  const allLiteral = entries.every((entry) => Array.isArray(entry) && entry.every(isLiteral));
  return allLiteral ? toBucketList(entries) : undefined;
}
