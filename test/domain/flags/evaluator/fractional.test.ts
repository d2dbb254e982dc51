import { FlagdCore } from '@openfeature/flagd-core';
import { bucketOf, compileFlagSet, evaluateFlag, hashBucketKey } from '../../../../domain/flags/evaluator';

// An independent MurmurHash3 (flagd-core's): fed one char per UTF-8 byte, it hashes the same bytes.

const IMurmurHash = require('imurmurhash') as new (key: string) => { result(): number };
const referenceUtf8Hash = (key: string) => new IMurmurHash(Buffer.from(key, 'utf8').toString('latin1')).result() >>> 0;

describe('hashBucketKey (MurmurHash3 x86 32-bit, seed 0, UTF-8)', () => {
  it('matches published vectors', () => {
    expect(hashBucketKey('')).toBe(0);
    expect(hashBucketKey('hello')).toBe(0x248bfa47);
    expect(hashBucketKey('The quick brown fox jumps over the lazy dog')).toBe(0x2e4ff723);
  });

  it.each(['é', 'user-ü', '日本語のユーザー', '👩‍💻 dev', 'mixed-ascii-ñ-and-emoji-🎉'])('hashes the UTF-8 bytes of %s', (key) => {
    expect(hashBucketKey(key)).toBe(referenceUtf8Hash(key));
  });

  it('differs from hashing UTF-16 code units for non-ASCII keys (why TextEncoder is used)', () => {
    expect(hashBucketKey('日本')).not.toBe(new IMurmurHash('日本').result() >>> 0);
  });

  it('handles keys longer than the scratch buffer', () => {
    const key = 'ü'.repeat(1000);
    expect(hashBucketKey(key)).toBe(referenceUtf8Hash(key));
  });
});

describe('bucketOf = (hash * totalWeight) >> 32', () => {
  it('maps the hash range onto [0, totalWeight)', () => {
    expect(bucketOf(0, 100)).toBe(0);
    expect(bucketOf(0xffffffff, 100)).toBe(99);
    expect(bucketOf(0x80000000, 100)).toBe(50);
    expect(bucketOf(0x7fffffff, 100)).toBe(49);
  });

  it('is exact when the product exceeds 2^53', () => {
    // (2^32 - 1)(2^31 - 1) = 2^63 - 2^32 - 2^31 + 1, shifted right by 32 -> 2^31 - 2
    expect(bucketOf(0xffffffff, 2147483647)).toBe(2147483646);
    expect(bucketOf(0xffffffff, 2 ** 22)).toBe(2 ** 22 - 1);
  });
});

const splitDoc = (buckets: unknown[]) => ({
  flags: {
    rollout: {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { fractional: buckets },
    },
  },
});

describe('fractional rollouts', () => {
  it('gives a 0.1% rollout (weights 1 and 999) about 0.1% of users', () => {
    const set = compileFlagSet(
      splitDoc([
        ['on', 1],
        ['off', 999],
      ]),
    );
    let on = 0;
    for (let i = 0; i < 200_000; i++) if (evaluateFlag(set, 'rollout', { targetingKey: `user-${i}` }).value === true) on++;
    expect(on).toBeGreaterThan(140); // expected 200, sd ~14
    expect(on).toBeLessThan(260);
  });

  it('is sticky: the same user always lands in the same bucket', () => {
    const set = compileFlagSet(
      splitDoc([
        ['on', 50],
        ['off', 50],
      ]),
    );
    const first = evaluateFlag(set, 'rollout', { targetingKey: 'sticky-user' }).variant;
    for (let i = 0; i < 10; i++) expect(evaluateFlag(set, 'rollout', { targetingKey: 'sticky-user' }).variant).toBe(first);
  });

  it('treats a bucket without weight as weight 1', () => {
    const withImplicit = compileFlagSet(splitDoc([['on'], ['off', 3]]));
    const withExplicit = compileFlagSet(
      splitDoc([
        ['on', 1],
        ['off', 3],
      ]),
    );
    for (let i = 0; i < 200; i++) {
      const context = { targetingKey: `k${i}` };
      expect(evaluateFlag(withImplicit, 'rollout', context).variant).toBe(evaluateFlag(withExplicit, 'rollout', context).variant);
    }
  });

  it('falls back to the default variant without a targeting key', () => {
    const result = evaluateFlag(
      compileFlagSet(
        splitDoc([
          ['on', 1],
          ['off', 1],
        ]),
      ),
      'rollout',
      {},
    );
    expect(result).toMatchObject({ variant: 'off', reason: 'DEFAULT' });
  });

  it('buckets like flagd-core for ASCII keys, with literal and computed buckets', () => {
    const doc = {
      flags: {
        literal: {
          state: 'ENABLED',
          variants: { a: 'a', b: 'b', c: 'c' },
          defaultVariant: 'a',
          targeting: {
            fractional: [
              ['a', 10],
              ['b', 30],
              ['c', 60],
            ],
          },
        },
        computed: {
          state: 'ENABLED',
          variants: { a: 'a', b: 'b', c: 'c' },
          defaultVariant: 'a',
          targeting: {
            fractional: [{ cat: [{ var: '$flagd.flagKey' }, { var: 'email' }] }, ['a', { if: [{ var: 'beta' }, 90, 10] }], ['b', 5], ['c']],
          },
        },
      },
    };
    const ours = compileFlagSet(doc);
    const reference = new FlagdCore();
    reference.setConfigurations(JSON.stringify(doc));
    for (let i = 0; i < 500; i++) {
      const context = { targetingKey: `user-${i}@example.com`, email: `u${i}@example.com`, beta: i % 3 === 0 };
      for (const key of ['literal', 'computed']) {
        expect(evaluateFlag(ours, key, context).value).toBe(reference.resolveStringEvaluation(key, 'x', context).value);
      }
    }
  });
});
