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
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

/**
 * The day the tests synthesize on: the guardrails' Lambda runtime calendar is checked against it, so a stack that
 * is valid today stays valid in the suite on any later date (the calendar's own tests move the clock).
 */
export const SYNTH_DAY = (): Date => new Date('2026-11-29T12:00:00Z');
