import { advanceJourney, type FunnelOutcome, type JourneyProgress } from '../../../lambdas/journey-processor/funnel';
import type { Journey } from '../../../domain/journeys/journey-schema';
import { checkout, onboarding, T0 } from '../../support/journey-fixtures';

/** Feeds [event, secondsAfterT0] pairs through one journey; returns every outcome and the final progress. */
function run(journey: Journey, events: Array<[string, number]>) {
  let progress: JourneyProgress | undefined;
  const outcomes: FunnelOutcome[] = [];
  for (const [event, seconds] of events) {
    const result = advanceJourney(journey, progress, event, T0 + seconds * 1000);
    progress = result.progress;
    outcomes.push(...result.outcomes);
  }
  return { progress, outcomes };
}

const stepsOf = (outcomes: FunnelOutcome[]) => outcomes.filter((o) => o.kind === 'step').map((o) => (o as { step: string }).step);
const completions = (outcomes: FunnelOutcome[]) =>
  outcomes.filter((o): o is Extract<FunnelOutcome, { kind: 'completed' }> => o.kind === 'completed').map((o) => o.secondsToConvert);
const starts = (outcomes: FunnelOutcome[]) => outcomes.filter((o) => o.kind === 'started').length;

describe('sequential journeys', () => {
  it('completes in order with other events in between and reports seconds from first to last step', () => {
    const { progress, outcomes } = run(checkout, [
      ['cart_viewed', 0],
      ['page_viewed', 5],
      ['checkout_started', 10],
      ['search', 20],
      ['payment_submitted', 30],
      ['order_completed', 100],
    ]);
    expect(starts(outcomes)).toBe(1);
    expect(stepsOf(outcomes)).toEqual(checkout.steps);
    expect(completions(outcomes)).toEqual([100]);
    expect(progress).toBeUndefined();
  });

  it('does not count a step reached before its predecessor, nor repeats', () => {
    const { progress, outcomes } = run(checkout, [
      ['cart_viewed', 0],
      ['payment_submitted', 1],
      ['cart_viewed', 2],
      ['checkout_started', 3],
      ['checkout_started', 4],
    ]);
    expect(stepsOf(outcomes)).toEqual(['cart_viewed', 'checkout_started']);
    expect(starts(outcomes)).toBe(1);
    expect(progress).toEqual({ stepIndex: 1, startedAtMs: T0, lastStepAtMs: T0 + 3000 });
  });

  it('ignores steps when no run is in progress unless it is the first step', () => {
    const { progress, outcomes } = run(checkout, [
      ['checkout_started', 0],
      ['order_completed', 1],
    ]);
    expect(outcomes).toEqual([]);
    expect(progress).toBeUndefined();
  });

  it('ignores an event that arrives late (older than the last step reached)', () => {
    const { progress, outcomes } = run(checkout, [
      ['cart_viewed', 0],
      ['checkout_started', 50],
      ['payment_submitted', 40],
    ]);
    expect(stepsOf(outcomes)).toEqual(['cart_viewed', 'checkout_started']);
    expect(progress?.stepIndex).toBe(1);
  });

  it('restarts a run older than the conversion window', () => {
    const window = checkout.conversionWindowSeconds;
    const { outcomes, progress } = run(checkout, [
      ['cart_viewed', 0],
      ['checkout_started', 10],
      ['payment_submitted', window + 1],
      ['cart_viewed', window + 2],
      ['checkout_started', window + 3],
      ['payment_submitted', window + 4],
      ['order_completed', window + 12],
    ]);
    expect(starts(outcomes)).toBe(2);
    expect(completions(outcomes)).toEqual([10]);
    expect(progress).toBeUndefined();
  });

  it('counts a step exactly at the end of the window', () => {
    const window = checkout.conversionWindowSeconds;
    const { outcomes } = run(checkout, [
      ['cart_viewed', 0],
      ['checkout_started', 1],
      ['payment_submitted', 2],
      ['order_completed', window],
    ]);
    expect(completions(outcomes)).toEqual([window]);
  });

  it('starts a new run after a completion', () => {
    const steps = checkout.steps.map((s, i): [string, number] => [s, i]);
    const { outcomes } = run(checkout, [...steps, ...steps.map(([s, t]): [string, number] => [s, t + 100])]);
    expect(starts(outcomes)).toBe(2);
    expect(completions(outcomes)).toEqual([3, 3]);
  });
});

describe('strict journeys', () => {
  it('completes when steps follow each other, other events in between do not matter', () => {
    const { outcomes } = run(onboarding, [
      ['signed_up', 0],
      ['page_viewed', 1],
      ['profile_completed', 2],
      ['first_project_created', 9],
    ]);
    expect(completions(outcomes)).toEqual([9]);
  });

  it('breaks the run on a skipped-ahead step', () => {
    const { outcomes, progress } = run(onboarding, [
      ['signed_up', 0],
      ['first_project_created', 1],
      ['profile_completed', 2],
    ]);
    expect(stepsOf(outcomes)).toEqual(['signed_up']);
    expect(completions(outcomes)).toEqual([]);
    expect(progress).toBeUndefined();
  });

  it('a first step out of order starts a new run from it', () => {
    const { outcomes, progress } = run(onboarding, [
      ['signed_up', 0],
      ['profile_completed', 1],
      ['signed_up', 5],
    ]);
    expect(starts(outcomes)).toBe(2);
    expect(progress).toEqual({ stepIndex: 0, startedAtMs: T0 + 5000, lastStepAtMs: T0 + 5000 });
  });

  it('tolerates a repeat of the step just reached', () => {
    const { outcomes } = run(onboarding, [
      ['signed_up', 0],
      ['signed_up', 1],
      ['profile_completed', 2],
      ['profile_completed', 3],
      ['first_project_created', 4],
    ]);
    expect(starts(outcomes)).toBe(1);
    expect(completions(outcomes)).toEqual([4]);
  });

  it('ignores late arrivals instead of breaking the run', () => {
    const { outcomes } = run(onboarding, [
      ['signed_up', 10],
      ['profile_completed', 20],
      ['signed_up', 5],
      ['first_project_created', 30],
    ]);
    expect(completions(outcomes)).toEqual([20]);
  });
});
