import type { Fact } from '../../../lambdas/journey-processor/facts';
import type { Journey } from '../../../domain/journeys/journey-schema';
import { processEvent } from '../../../lambdas/journey-processor/process-event';
import { emptyUserState, type UserState } from '../../../lambdas/journey-processor/user-state';
import type { EventRecord } from '../../../domain/events/event-record';
import { checkout, exposure, onboarding, T0, track } from '../../support/journey-fixtures';

const journeys = [checkout, onboarding];

function feed(records: EventRecord[], start: UserState = emptyUserState()) {
  let state = start;
  const facts: Fact[] = [];
  for (const record of records) {
    const out = processEvent(state, record, journeys);
    state = out.state;
    facts.push(...out.facts);
  }
  return { state, facts };
}

const ofKind = <K extends Fact['kind']>(facts: Fact[], kind: K) => facts.filter((f): f is Extract<Fact, { kind: K }> => f.kind === kind);
const completeCheckout = (from: number) => checkout.steps.map((step, i) => track(step, from + i * 10));

describe('processEvent', () => {
  it('counts every track event as a feature used, and exposures not', () => {
    const { facts } = feed([track('search', 0), track('cart_viewed', 1), exposure('new-checkout', 'treatment', 2)]);
    expect(ofKind(facts, 'FeatureUsed').map((f) => f.feature)).toEqual(['search', 'cart_viewed']);
  });

  it('reports journey facts with variant none for users outside experiments', () => {
    const { facts } = feed(completeCheckout(0));
    expect(ofKind(facts, 'JourneyStarted')).toEqual([{ kind: 'JourneyStarted', journey: 'checkout', variant: 'none' }]);
    expect(ofKind(facts, 'StepReached').map((f) => [f.step, f.variant])).toEqual(checkout.steps.map((s) => [s, 'none']));
    expect(ofKind(facts, 'JourneyCompleted')).toEqual([
      { kind: 'JourneyCompleted', journey: 'checkout', variant: 'none', secondsToConvert: 30 },
    ]);
    expect(ofKind(facts, 'ExperimentConversion')).toEqual([]);
  });

  it('counts only the first exposure of a user to a flag, keeping its variant', () => {
    const { facts, state } = feed([
      exposure('new-checkout', 'treatment', 0),
      exposure('new-checkout', 'control', 5),
      exposure('new-checkout', 'treatment', 6),
    ]);
    expect(ofKind(facts, 'ExperimentExposure')).toEqual([{ kind: 'ExperimentExposure', flag: 'new-checkout', variant: 'treatment' }]);
    expect(state.exposures.get('new-checkout')).toEqual({ variant: 'treatment', exposedAtMs: T0, convertedJourneys: [] });
  });

  it('attributes a conversion to the first-exposure variant, once per user and journey', () => {
    const { facts } = feed([
      exposure('new-checkout', 'treatment', 0),
      exposure('new-checkout', 'control', 1),
      ...completeCheckout(10),
      ...completeCheckout(100),
    ]);
    expect(ofKind(facts, 'JourneyCompleted').map((f) => f.variant)).toEqual(['treatment', 'treatment']);
    expect(ofKind(facts, 'ExperimentConversion')).toEqual([
      { kind: 'ExperimentConversion', flag: 'new-checkout', variant: 'treatment', journey: 'checkout', secondsToConvert: 30 },
    ]);
  });

  it('does not attribute a conversion to an exposure that happened after it', () => {
    const { facts } = feed([...completeCheckout(0), exposure('new-checkout', 'treatment', 100)]);
    expect(ofKind(facts, 'ExperimentConversion')).toEqual([]);
    const late = feed([exposure('new-checkout', 'treatment', 500), ...completeCheckout(0)]);
    expect(ofKind(late.facts, 'ExperimentConversion')).toEqual([]);
    expect(ofKind(late.facts, 'JourneyCompleted')[0].variant).toBe('none');
  });

  it('converts for every experiment the user was in', () => {
    const { facts } = feed([exposure('a', 'on', 0), exposure('b', 'off', 1), ...completeCheckout(10)]);
    expect(ofKind(facts, 'ExperimentConversion').map((f) => `${f.flag}:${f.variant}`)).toEqual(['a:on', 'b:off']);
    // Journey facts take the earliest experiment's variant.
    expect(ofKind(facts, 'JourneyCompleted')[0].variant).toBe('on');
  });

  it("uses the journey's own experiment flag for its Variant when it names one", () => {
    const pinned = { ...checkout, experiment: 'b' };
    let state = emptyUserState();
    const facts: Fact[] = [];
    for (const record of [exposure('a', 'on', 0), exposure('b', 'off', 1), ...completeCheckout(10)]) {
      const out = processEvent(state, record, [pinned]);
      state = out.state;
      facts.push(...out.facts);
    }
    expect(ofKind(facts, 'JourneyCompleted')[0].variant).toBe('off');
  });

  it('advances several journeys from the same events independently', () => {
    const { state } = feed([track('cart_viewed', 0), track('signed_up', 1), track('checkout_started', 2)]);
    expect([...state.journeys.keys()].sort()).toEqual(['checkout', 'onboarding']);
    expect(state.journeys.get('checkout')?.stepIndex).toBe(1);
    expect(state.journeys.get('onboarding')?.stepIndex).toBe(0);
  });

  it('marks every journey step an exposed user sends as seen for the flag, even a step that does not advance the journey', () => {
    // checkout is sequential: order_completed before cart_viewed advances nothing, but it did arrive.
    const { facts } = feed([
      track('order_completed', 0),
      exposure('new-checkout', 'treatment', 5),
      track('order_completed', 10),
      track('search', 11),
    ]);
    expect(ofKind(facts, 'ExperimentStepSeen')).toEqual([
      { kind: 'ExperimentStepSeen', flag: 'new-checkout', journey: 'checkout', step: 'order_completed' },
    ]);
    expect(ofKind(facts, 'StepReached')).toEqual([]);
  });

  it('does not mutate the state it was given', () => {
    const { state } = feed([exposure('a', 'on', 0), track('cart_viewed', 1)]);
    const snapshot = (s: UserState) => JSON.stringify(s, (_, value) => (value instanceof Map ? [...value] : value));
    const frozen = snapshot(state);
    expect(frozen).toContain('"checkout"'); // the snapshot sees inside the Maps
    feed([...completeCheckout(2)], state);
    expect(snapshot(state)).toBe(frozen);
  });
});

// Names the journey and flag rules allow that are also properties every plain object inherits.
describe.each(['constructor', 'toString', 'valueOf', '__proto__'])('a journey or flag named %s', (name) => {
  const run = (records: EventRecord[], withJourneys: readonly Journey[]) => {
    let state = emptyUserState();
    const facts: Fact[] = [];
    for (const record of records) {
      const out = processEvent(state, record, withJourneys);
      state = out.state;
      facts.push(...out.facts);
    }
    return facts;
  };

  it('is tracked as a journey', () => {
    const journey: Journey = { ...checkout, name };
    const facts = run([exposure('f', 'on', 0), ...completeCheckout(10)], [journey]);
    expect(ofKind(facts, 'JourneyStarted')).toEqual([{ kind: 'JourneyStarted', journey: name, variant: 'on' }]);
    expect(ofKind(facts, 'StepReached').map((f) => f.step)).toEqual(checkout.steps);
    expect(ofKind(facts, 'JourneyCompleted')).toEqual([{ kind: 'JourneyCompleted', journey: name, variant: 'on', secondsToConvert: 30 }]);
    expect(ofKind(facts, 'ExperimentConversion')).toEqual([
      { kind: 'ExperimentConversion', flag: 'f', variant: 'on', journey: name, secondsToConvert: 30 },
    ]);
  });

  it('is tracked as a flag, first exposure winning', () => {
    const facts = run(
      [exposure(name, 'on', 0), exposure(name, 'off', 1), ...completeCheckout(10), ...completeCheckout(100)],
      [{ ...checkout, experiment: name }],
    );
    expect(ofKind(facts, 'ExperimentExposure')).toEqual([{ kind: 'ExperimentExposure', flag: name, variant: 'on' }]);
    expect(ofKind(facts, 'JourneyCompleted').map((f) => f.variant)).toEqual(['on', 'on']);
    expect(ofKind(facts, 'ExperimentConversion')).toEqual([
      { kind: 'ExperimentConversion', flag: name, variant: 'on', journey: 'checkout', secondsToConvert: 30 },
    ]);
  });
});
