import type { CompiledFlagSet } from '../../domain/flags/evaluator';
import { systemClock, type Clock } from '../shared/clock';

/**
 * Keeps the compiled flag set in memory and refreshes it from the store so that an edit (a kill switch)
 * reaches every warm instance within a few seconds:
 * - younger than `refreshAfterMs`: served as is;
 * - older: served as is while a refresh runs in the background (not awaited on the hot path);
 * - older than `maxAgeMs` (e.g. after the instance sat frozen): the request waits for a fresh load.
 * When the store is unreachable the last good set keeps being served, reported as stale.
 * Age is counted from when the load *started*, the conservative measure of what it can have missed.
 */
export interface FlagSetSnapshot {
  readonly set: CompiledFlagSet;
  /** The last refresh failed; `set` is the last good one. */
  readonly stale: boolean;
  readonly ageSeconds: number;
}

export type FlagSetSource = () => Promise<FlagSetSnapshot>;

export interface FlagCacheOptions {
  readonly load: () => Promise<CompiledFlagSet>;
  /** @default 2000 */
  readonly refreshAfterMs?: number;
  /** @default 4000 - stays under the 5 s promise even for an instance that was idle */
  readonly maxAgeMs?: number;
  readonly now?: Clock;
  readonly onRefreshError?: (error: unknown) => void;
}

export class FlagStoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`flag store unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'FlagStoreUnavailableError';
  }
}

export interface FlagCache {
  get: FlagSetSource;
  /** Resolves when no refresh is running (tests and graceful shutdown). */
  settled(): Promise<void>;
}

export function createFlagCache(options: FlagCacheOptions): FlagCache {
  const now = options.now ?? systemClock;
  const refreshAfterMs = options.refreshAfterMs ?? 2000;
  const maxAgeMs = Math.max(options.maxAgeMs ?? 4000, refreshAfterMs);
  let current: { set: CompiledFlagSet; loadStartedMs: number } | undefined;
  let stale = false;
  let lastFailureMs: number | undefined;
  let inFlight: { promise: Promise<void>; startedMs: number } | undefined;

  function refresh(): Promise<void> {
    const startedMs = now();
    const promise = options.load().then(
      (set) => {
        if (!current || startedMs >= current.loadStartedMs) current = { set, loadStartedMs: startedMs };
        stale = false;
        lastFailureMs = undefined;
      },
      (error: unknown) => {
        stale = true;
        lastFailureMs = now();
        options.onRefreshError?.(error);
        if (!current) throw new FlagStoreUnavailableError(error);
      },
    );
    const entry = {
      promise: promise.finally(() => {
        if (inFlight === entry) inFlight = undefined;
      }),
      startedMs,
    };
    inFlight = entry;
    return entry.promise;
  }

  /** A refresh that started recently enough to count as fresh; a new one otherwise. */
  function freshRefresh(): Promise<void> {
    return inFlight && now() - inFlight.startedMs < maxAgeMs ? inFlight.promise : refresh();
  }

  return {
    async get() {
      const ageMs = current ? now() - current.loadStartedMs : Infinity;
      // While the store is failing, try at most every refreshAfterMs instead of making every request wait.
      const failedRecently = lastFailureMs !== undefined && now() - lastFailureMs < refreshAfterMs;
      if (!current || (ageMs >= maxAgeMs && !failedRecently)) {
        await freshRefresh();
      } else if (ageMs >= refreshAfterMs && !inFlight && !failedRecently) {
        refresh().catch(() => undefined); // failure already recorded as staleness
      }
      if (!current) throw new FlagStoreUnavailableError('no flag set loaded');
      return { set: current.set, stale, ageSeconds: Math.max(0, now() - current.loadStartedMs) / 1000 };
    },
    async settled() {
      while (inFlight) await inFlight.promise.catch(() => undefined);
    },
  };
}
