import type { CompiledFlagSet } from '../../../domain/flags/evaluator';
import { FlagStoreUnavailableError, createFlagCache } from '../../../lambdas/flag-evaluation/flag-cache';
import { fixtureDocument, fixtureSet } from '../../support/flag-fixtures';

/** A loader the test resolves by hand, and a clock it moves by hand. */
function harness(options: { refreshAfterMs?: number; maxAgeMs?: number } = {}) {
  let clock = 0;
  const pending: Array<{ resolve(set: CompiledFlagSet): void; reject(error: Error): void }> = [];
  const errors: unknown[] = [];
  const cache = createFlagCache({
    load: () => new Promise((resolve, reject) => pending.push({ resolve, reject })),
    now: () => clock,
    onRefreshError: (e) => errors.push(e),
    ...options,
  });
  const flush = () => new Promise((r) => setImmediate(r));
  return {
    cache,
    pending,
    errors,
    flush,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

const versionOf = (set: CompiledFlagSet) => set.flags.get('number-flag')?.defaultVariant;
function setWithDefault(variant: 'small' | 'big'): CompiledFlagSet {
  const doc = fixtureDocument();
  doc.flags['number-flag'].defaultVariant = variant;
  return fixtureSet(doc);
}

describe('flag cache', () => {
  it('loads once and serves from memory while fresh', async () => {
    const h = harness();
    const first = h.cache.get();
    h.pending[0].resolve(setWithDefault('big'));
    expect(versionOf((await first).set)).toBe('big');
    h.advance(1000);
    await h.cache.get();
    expect(h.pending).toHaveLength(1);
  });

  it('shares one load between concurrent first requests', async () => {
    const h = harness();
    const both = Promise.all([h.cache.get(), h.cache.get()]);
    await h.flush();
    expect(h.pending).toHaveLength(1);
    h.pending[0].resolve(setWithDefault('big'));
    await both;
  });

  it('refreshes in the background once older than refreshAfterMs, without making the request wait', async () => {
    const h = harness({ refreshAfterMs: 2000, maxAgeMs: 4000 });
    const first = h.cache.get();
    h.pending[0].resolve(setWithDefault('big'));
    await first;
    h.advance(2500);
    const during = await h.cache.get(); // resolves although the refresh is still pending
    expect(versionOf(during.set)).toBe('big');
    expect(h.pending).toHaveLength(2);
    h.pending[1].resolve(setWithDefault('small'));
    await h.cache.settled();
    expect(versionOf((await h.cache.get()).set)).toBe('small');
  });

  it('makes the request wait for a fresh load when the set is older than maxAgeMs (an instance that sat idle)', async () => {
    const h = harness({ refreshAfterMs: 2000, maxAgeMs: 4000 });
    const first = h.cache.get();
    h.pending[0].resolve(setWithDefault('big'));
    await first;
    h.advance(60_000);
    const next = h.cache.get();
    await h.flush();
    expect(h.pending).toHaveLength(2);
    h.pending[1].resolve(setWithDefault('small'));
    expect(versionOf((await next).set)).toBe('small');
  });

  it('keeps serving the last good set when the store fails, reported as stale with its age', async () => {
    const h = harness({ refreshAfterMs: 2000, maxAgeMs: 4000 });
    const first = h.cache.get();
    h.pending[0].resolve(setWithDefault('big'));
    await first;
    h.advance(5000);
    const next = h.cache.get();
    await h.flush();
    h.pending[1].reject(new Error('table unreachable'));
    const snapshot = await next;
    expect(versionOf(snapshot.set)).toBe('big');
    expect(snapshot.stale).toBe(true);
    expect(snapshot.ageSeconds).toBe(5);
    expect(h.errors).toHaveLength(1);
  });

  it('while the store is failing, does not make every request wait: retries at most every refreshAfterMs', async () => {
    const h = harness({ refreshAfterMs: 2000, maxAgeMs: 4000 });
    const first = h.cache.get();
    h.pending[0].resolve(setWithDefault('big'));
    await first;
    h.advance(5000);
    const failing = h.cache.get();
    await h.flush();
    h.pending[1].reject(new Error('down'));
    await failing;
    h.advance(500);
    await expect(h.cache.get()).resolves.toMatchObject({ stale: true });
    expect(h.pending).toHaveLength(2);
    h.advance(2000);
    const retry = h.cache.get();
    await h.flush();
    expect(h.pending).toHaveLength(3);
    h.pending[2].resolve(setWithDefault('small'));
    await expect(retry).resolves.toMatchObject({ stale: false });
  });

  it('fails with FlagStoreUnavailableError when the very first load fails, and tries again next time', async () => {
    const h = harness();
    const first = h.cache.get();
    h.pending[0].reject(new Error('no table'));
    await expect(first).rejects.toBeInstanceOf(FlagStoreUnavailableError);
    const second = h.cache.get();
    await h.flush();
    h.pending[1].resolve(setWithDefault('big'));
    await expect(second).resolves.toMatchObject({ stale: false });
  });
});
