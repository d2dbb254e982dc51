import type { ExperimentSummary } from '../../../domain/experiments/experiment-summary';
import { decide, type DecisionInput } from '../../../domain/rollouts/decide';
import { journeyReadings, latencyReading, rateReading, readGuardrails, type GuardrailReading } from '../../../domain/rollouts/guardrails';
import type { RolloutPlan } from '../../../domain/rollouts/rollout-plan';
import {
  advancedState,
  endedState,
  pausedState,
  resumedState,
  startedState,
  weightsAt,
  safeWeights,
} from '../../../domain/rollouts/rollout-state';

const T0 = new Date('2030-03-01T10:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

const plan: RolloutPlan = {
  flag: 'new-checkout',
  variant: 'on',
  safeVariant: 'off',
  steps: [
    { percent: 1, minMinutes: 30, minUsers: 50 },
    { percent: 50, minMinutes: 30, minUsers: 50 },
    { percent: 100, minMinutes: 10, minUsers: 0 },
  ],
  guardrails: { journeys: { checkout: { maxRelativeDrop: 0.05 } }, maxFlagErrorRate: 0.01 },
  alpha: 0.05,
};

const summary = (on: [number, number], off: [number, number]): ExperimentSummary => ({
  flag: 'new-checkout',
  variants: [
    { name: 'off', users: off[0], metrics: { checkout: { n: off[0], sum: off[1], sumSquares: off[1] } } },
    { name: 'on', users: on[0], metrics: { checkout: { n: on[0], sum: on[1], sumSquares: on[1] } } },
  ],
});

const ok: GuardrailReading = { name: 'checkout conversion', status: 'ok', limit: -0.05, unit: 'relative change', basis: '' };
const started = startedState(plan, 2, 0, T0, 'alice');
const input = (over: Partial<DecisionInput>): DecisionInput => ({
  plan,
  state: started,
  flag: { version: 2, updatedBy: 'alice' },
  readings: [ok],
  variantUsers: 0,
  now: T0,
  intervalMs: 60_000,
  ...over,
});

describe('decide', () => {
  it('holds a step until both its minimum time and its minimum users are reached, saying for what', () => {
    const early = decide(input({ now: minutes(10), variantUsers: 80 }));
    expect(early).toEqual({
      action: 'hold',
      waitingFor: 'minimum time (until 2030-03-01T10:30:00.000Z)',
      nextDecisionAt: '2030-03-01T10:30:00.000Z',
    });
    const few = decide(input({ now: minutes(31), variantUsers: 20 }));
    expect(few).toEqual({ action: 'hold', waitingFor: '30 more exposed users (20 of 50)', nextDecisionAt: '2030-03-01T10:32:00.000Z' });
    expect(decide(input({ now: minutes(30), variantUsers: 50 }))).toEqual({ action: 'advance', step: 1, percent: 50 });
  });

  it('counts a step’s users from the step’s start', () => {
    const second = advancedState(started, plan, 3, 400, minutes(30));
    expect(decide(input({ state: second, flag: { version: 3 }, now: minutes(61), variantUsers: 420 })).action).toBe('hold');
    expect(decide(input({ state: second, flag: { version: 3 }, now: minutes(61), variantUsers: 450 }))).toEqual({
      action: 'advance',
      step: 2,
      percent: 100,
    });
  });

  it('completes after the last step', () => {
    const last = advancedState(advancedState(started, plan, 3, 100, minutes(30)), plan, 4, 200, minutes(60));
    expect(decide(input({ state: last, flag: { version: 4 }, now: minutes(70), variantUsers: 200 }))).toEqual({ action: 'complete' });
  });

  it('rolls back on any regressed guardrail, before looking at the step, and says which', () => {
    const bad: GuardrailReading = { ...ok, status: 'regressed', estimate: -0.3, interval: [-0.4, -0.2], basis: 'on: 10/100, off: 40/100' };
    const decision = decide(input({ readings: [ok, bad], now: minutes(1) }));
    expect(decision.action).toBe('roll-back');
    expect(decision).toMatchObject({ regressed: [bad] });
    expect((decision as { reason: string }).reason).toBe(
      'guardrail regressed: checkout conversion: -30.0% [-40.0%, -20.0%], limit -5.0% (on: 10/100, off: 40/100)',
    );
  });

  it('pauses when the flag was edited outside the rollout, even with a regression', () => {
    const bad: GuardrailReading = { ...ok, status: 'regressed' };
    expect(decide(input({ flag: { version: 3, updatedBy: 'bob' }, readings: [bad] }))).toEqual({
      action: 'pause',
      reason: 'flag edited outside the rollout (version 3 by bob, the rollout wrote 2)',
    });
  });

  it('insufficient data never rolls back', () => {
    expect(decide(input({ readings: [{ ...ok, status: 'insufficient-data' }], now: minutes(31), variantUsers: 60 })).action).toBe(
      'advance',
    );
  });
});

describe('guardrail readings', () => {
  it('a clear drop in conversion regresses; no difference does not', () => {
    expect(journeyReadings(plan, summary([2000, 600], [2000, 800]))[0]).toMatchObject({
      status: 'regressed',
      estimate: expect.closeTo(-0.25, 10),
    });
    const same = journeyReadings(plan, summary([2000, 800], [2000, 800]))[0];
    expect(same.status).toBe('ok');
    expect(same.interval![0]).toBeLessThan(0);
    expect(same.interval![1]).toBeGreaterThan(0);
  });

  it('a drop within the tolerance does not regress, even when it is certain', () => {
    const lenient: RolloutPlan = { ...plan, guardrails: { ...plan.guardrails, journeys: { checkout: { maxRelativeDrop: 0.5 } } } };
    expect(journeyReadings(lenient, summary([20000, 6000], [20000, 8000]))[0].status).toBe('ok');
  });

  it('few users say little: below 100 users per variant nothing is judged, not even 0 conversions', () => {
    expect(journeyReadings(plan, summary([10, 0], [10, 5]))[0]).toMatchObject({
      status: 'insufficient-data',
      basis: expect.stringContaining('judged from 100 users'),
    });
    expect(journeyReadings(plan, summary([120, 40], [120, 50]))[0].status).toBe('ok');
    // From there, a variant that never converts is rolled back, and its interval reads no lower than -100 %.
    const never = journeyReadings(plan, summary([150, 0], [150, 60]))[0];
    expect(never.status).toBe('regressed');
    expect(never.interval![0]).toBeGreaterThanOrEqual(-1);
  });

  it('reads insufficient data without a summary, or without conversions in the safe variant', () => {
    expect(journeyReadings(plan, undefined)[0].status).toBe('insufficient-data');
    expect(journeyReadings(plan, summary([100, 10], [100, 0]))[0].status).toBe('insufficient-data');
  });

  it('rates regress only when the interval is wholly above the limit, from 30 requests', () => {
    expect(rateReading('web 5xx rate', { events: 5, total: 20 }, 0.01, 0.05).status).toBe('insufficient-data');
    expect(rateReading('web 5xx rate', { events: 50, total: 1000 }, 0.01, 0.05)).toMatchObject({ status: 'regressed', estimate: 0.05 });
    expect(rateReading('web 5xx rate', { events: 12, total: 1000 }, 0.01, 0.05).status).toBe('ok');
    expect(rateReading('web 5xx rate', { events: 0, total: 1000 }, 0.01, 0.05).status).toBe('ok');
  });

  it('latency regresses above its limit', () => {
    expect(latencyReading('web p99 latency', 1600, 100, 1500).status).toBe('regressed');
    expect(latencyReading('web p99 latency', 1400, 100, 1500).status).toBe('ok');
    expect(latencyReading('web p99 latency', undefined, 100, 1500).status).toBe('insufficient-data');
  });

  it('reads every guardrail of a plan', () => {
    const guarded: RolloutPlan = {
      ...plan,
      guardrails: { ...plan.guardrails, service: { name: 'web', max5xxRate: 0.01, maxP99LatencyMs: 900 } },
    };
    expect(readGuardrails(guarded, undefined, {}).map((r) => r.name)).toEqual([
      'checkout conversion',
      'web 5xx rate',
      'web p99 latency',
      'flag evaluation error rate',
    ]);
  });
});

describe('rollout state', () => {
  it('weights put the variant at the step and the safe variant on the rest', () => {
    expect(weightsAt(plan, 5)).toEqual([
      ['on', 5],
      ['off', 95],
    ]);
    expect(weightsAt(plan, 100)).toEqual([
      ['on', 100],
      ['off', 0],
    ]);
    expect(safeWeights(plan)).toEqual([
      ['off', 100],
      ['on', 0],
    ]);
  });

  it('keeps a history of who did what', () => {
    const paused = pausedState(started, minutes(5), 'rollout-controller', 'flag edited');
    const resumed = resumedState(paused, 7, 30, minutes(9), 'bob');
    expect(resumed).toMatchObject({ status: 'running', flagVersion: 7, usersAtStepStart: 30, stepStartedAt: minutes(9).toISOString() });
    const ended = endedState(resumed, 'rolled-back', 8, minutes(12), 'rollout-controller', 'guardrail regressed');
    expect(ended).toMatchObject({ status: 'rolled-back', percent: 0, flagVersion: 8, reason: 'guardrail regressed' });
    expect(ended.history.map((e) => `${e.event} ${e.actor}`)).toEqual([
      'started alice',
      'paused rollout-controller',
      'resumed bob',
      'rolled-back rollout-controller',
    ]);
  });
});
