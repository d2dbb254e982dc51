import type { Journey } from '../../domain/journeys/journey-schema';

/**
 * One user's run through one journey, and the pure step function that advances it. No AWS here.
 * Time is the event's (clock-corrected) timestamp in epoch milliseconds, not arrival time.
 */
export interface JourneyProgress {
  /** Index of the last step reached (0 = first step). */
  readonly stepIndex: number;
  /** When the first step happened: the conversion window and time to convert count from here. */
  readonly startedAtMs: number;
  /** When the last step reached happened; an event older than this arrived late. */
  readonly lastStepAtMs: number;
}

export type FunnelOutcome =
  | { readonly kind: 'started' }
  | { readonly kind: 'step'; readonly step: string; readonly stepIndex: number }
  | { readonly kind: 'completed'; readonly secondsToConvert: number };

export interface FunnelResult {
  /** undefined = no run in progress (never started, broken, expired or just completed). */
  readonly progress: JourneyProgress | undefined;
  readonly outcomes: readonly FunnelOutcome[];
}

const expired = (progress: JourneyProgress, journey: Journey, atMs: number): boolean =>
  atMs - progress.startedAtMs > journey.conversionWindowSeconds * 1000;

function startRun(journey: Journey, atMs: number): FunnelResult {
  return {
    progress: { stepIndex: 0, startedAtMs: atMs, lastStepAtMs: atMs },
    outcomes: [{ kind: 'started' }, { kind: 'step', step: journey.steps[0], stepIndex: 0 }],
  };
}

function reachStep(journey: Journey, progress: JourneyProgress, stepIndex: number, atMs: number): FunnelResult {
  const step: FunnelOutcome = { kind: 'step', step: journey.steps[stepIndex], stepIndex };
  if (stepIndex === journey.steps.length - 1) {
    // Completed: the run ends so the next first step starts a new one.
    const secondsToConvert = (atMs - progress.startedAtMs) / 1000;
    return { progress: undefined, outcomes: [step, { kind: 'completed', secondsToConvert }] };
  }
  return { progress: { ...progress, stepIndex, lastStepAtMs: atMs }, outcomes: [step] };
}

/**
 * Advances `current` by an event named `event` at `atMs`. Rules (both orders):
 * - events that are not steps of the journey change nothing;
 * - a run older than the window is dropped first, so the event may start a new one;
 * - an event older than the last step reached (late arrival) is ignored: it cannot be placed
 *   without the user's history, and in `sequential` it is a step reached before its predecessor.
 */
export function advanceJourney(journey: Journey, current: JourneyProgress | undefined, event: string, atMs: number): FunnelResult {
  const stepIndex = journey.steps.indexOf(event);
  if (stepIndex < 0) return { progress: current, outcomes: [] };

  const progress = current && !expired(current, journey, atMs) ? current : undefined;
  if (!progress) {
    return stepIndex === 0 ? startRun(journey, atMs) : { progress: undefined, outcomes: [] };
  }
  if (atMs < progress.lastStepAtMs) return { progress, outcomes: [] };
  if (stepIndex === progress.stepIndex + 1) return reachStep(journey, progress, stepIndex, atMs);

  if (journey.order === 'sequential' || stepIndex === progress.stepIndex) {
    // sequential: repeats and steps ahead of their predecessor do not count. strict: a repeat of the
    // step just reached is tolerated.
    return { progress, outcomes: [] };
  }
  // strict: any other step of the journey breaks the run; the first step starts a new one.
  return stepIndex === 0 ? startRun(journey, atMs) : { progress: undefined, outcomes: [] };
}
