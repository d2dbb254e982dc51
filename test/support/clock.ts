import type { Clock } from '../../lambdas/shared/clock';

/** A clock a test moves by hand, so nothing depends on the date the suite runs. */
export interface ManualClock {
  readonly now: Clock;
  set(ms: number): void;
  advance(ms: number): void;
}

export function manualClock(startMs: number): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    set: (ms) => { current = ms; },
    advance: (ms) => { current += ms; },
  };
}
