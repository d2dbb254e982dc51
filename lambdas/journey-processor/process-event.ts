import type { EventRecord } from '../../domain/events/event-record';
import { NO_VARIANT, type Fact } from './facts';
import { advanceJourney } from './funnel';
import type { Journey } from '../../domain/journeys/journey-schema';
import type { Exposure, UserState } from './user-state';

/**
 * The pure core: one user's state + one event -> the new state + the facts to record. No AWS, no
 * clock: time is the event's timestamp.
 *
 * - `exposure` records: the first exposure of the user to a flag is remembered (variant, time) and
 *   counted; later ones, even with another variant, change nothing ("first exposure wins").
 * - `track` records: FeatureUsed (feature = event name), then every journey is advanced.
 * - A completed journey is an experiment conversion for every flag the user was exposed to at or
 *   before the completing event, attributed to that first-exposure variant, once per user, flag and
 *   journey. An exposure processed after the completion does not count retroactively.
 * - A journey step sent by a user exposed to a flag is an ExperimentStepSeen for that flag, so a report
 *   with no conversions can say which steps arrived and which never did.
 * - The Variant of journey facts: the variant of the journey's `experiment` flag, else of the user's
 *   earliest exposure, at the event's time; 'none' without one.
 */
export interface ProcessedEvent {
  readonly state: UserState;
  readonly facts: readonly Fact[];
}

function journeyVariant(journey: Journey, exposures: UserState['exposures'], atMs: number): string {
  if (journey.experiment !== undefined) {
    const exposure = exposures.get(journey.experiment);
    return exposure && exposure.exposedAtMs <= atMs ? exposure.variant : NO_VARIANT;
  }
  let earliest: Exposure | undefined;
  for (const exposure of exposures.values()) {
    if (exposure.exposedAtMs <= atMs && (!earliest || exposure.exposedAtMs < earliest.exposedAtMs)) earliest = exposure;
  }
  return earliest?.variant ?? NO_VARIANT;
}

function processExposure(state: UserState, record: EventRecord, atMs: number): ProcessedEvent {
  const exposures = new Map(state.exposures);
  const facts: Fact[] = [];
  for (const seen of record.featureFlags) {
    const flag = seen['feature_flag.key'];
    if (exposures.has(flag)) continue;
    const variant = seen['feature_flag.result.variant'];
    exposures.set(flag, { variant, exposedAtMs: atMs, convertedJourneys: [] });
    facts.push({ kind: 'ExperimentExposure', flag, variant });
  }
  return { state: { ...state, exposures }, facts };
}

function processTrack(state: UserState, record: EventRecord, atMs: number, journeys: readonly Journey[]): ProcessedEvent {
  const facts: Fact[] = [{ kind: 'FeatureUsed', feature: record.event }];
  const progressByJourney = new Map(state.journeys);
  const exposures = new Map(state.exposures);

  for (const journey of journeys) {
    if (journey.steps.includes(record.event)) {
      for (const [flag, exposure] of exposures) {
        if (exposure.exposedAtMs <= atMs) facts.push({ kind: 'ExperimentStepSeen', flag, journey: journey.name, step: record.event });
      }
    }
    const result = advanceJourney(journey, progressByJourney.get(journey.name), record.event, atMs);
    if (result.progress) progressByJourney.set(journey.name, result.progress);
    else progressByJourney.delete(journey.name);
    if (result.outcomes.length === 0) continue;

    const variant = journeyVariant(journey, exposures, atMs);
    for (const outcome of result.outcomes) {
      if (outcome.kind === 'started') facts.push({ kind: 'JourneyStarted', journey: journey.name, variant });
      else if (outcome.kind === 'step') facts.push({ kind: 'StepReached', journey: journey.name, step: outcome.step, variant });
      else {
        const { secondsToConvert } = outcome;
        facts.push({ kind: 'JourneyCompleted', journey: journey.name, variant, secondsToConvert });
        for (const [flag, exposure] of exposures) {
          if (exposure.exposedAtMs > atMs || exposure.convertedJourneys.includes(journey.name)) continue;
          exposures.set(flag, { ...exposure, convertedJourneys: [...exposure.convertedJourneys, journey.name] });
          facts.push({ kind: 'ExperimentConversion', flag, variant: exposure.variant, journey: journey.name, secondsToConvert });
        }
      }
    }
  }
  return { state: { journeys: progressByJourney, exposures }, facts };
}

/** `record.timestamp` must be a valid ISO date (the record decoder checks it). */
export function processEvent(state: UserState, record: EventRecord, journeys: readonly Journey[]): ProcessedEvent {
  const atMs = Date.parse(record.timestamp);
  return record.type === 'exposure' ? processExposure(state, record, atMs) : processTrack(state, record, atMs, journeys);
}
