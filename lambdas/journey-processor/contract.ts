/**
 * What the EventStream construct and the journey processor agree on: the environment, the analytics table's keys
 * and the product metrics the dashboards chart. Both import this file; it has no runtime dependencies.
 */
import { requiredEnv } from '../shared/contract';

/** The analytics table's key schema and TTL attribute; the item kinds are in table-keys.ts. */
export const ANALYTICS_TABLE = { hashKey: 'pk', rangeKey: 'sk', ttlAttribute: 'expiresAt' } as const;

/** Product metrics (embedded metric format). Dimensions come only from these fixed sets, never from user ids. */
export const PRODUCT_METRICS = {
  namespace: 'Monoenv/Product',
  featureUsed: { name: 'FeatureUsed', dimensions: ['Feature'] },
  journeyStarted: { name: 'JourneyStarted', dimensions: ['Journey', 'Variant'] },
  stepReached: { name: 'StepReached', dimensions: ['Journey', 'Step', 'Variant'] },
  journeyCompleted: { name: 'JourneyCompleted', dimensions: ['Journey', 'Variant'] },
  timeToConvert: { name: 'TimeToConvert', dimensions: ['Journey', 'Variant'] },
  experimentExposure: { name: 'ExperimentExposure', dimensions: ['Flag', 'Variant'] },
  experimentConversion: { name: 'ExperimentConversion', dimensions: ['Flag', 'Journey', 'Variant'] },
} as const;

export const JOURNEY_PROCESSOR_ENV = {
  analyticsTable: 'ANALYTICS_TABLE',
  journeys: 'JOURNEYS',
  metricsNamespace: 'METRICS_NAMESPACE',
  failureQueueUrl: 'FAILURE_QUEUE_URL',
} as const;

export const JOURNEY_PROCESSOR_DEFAULTS = { metricsNamespace: PRODUCT_METRICS.namespace } as const;

export interface JourneyProcessorSettings {
  readonly analyticsTable: string;
  /** The journeys as a JSON array (`serializeJourneys`); parsed by the handler. */
  readonly journeysJson: string;
  readonly metricsNamespace: string;
  /** Where records that can never succeed are recorded before they are skipped. */
  readonly failureQueueUrl: string;
}

/** The construct's side: settings to the function's environment. */
export function journeyProcessorEnvironment(settings: JourneyProcessorSettings): Record<string, string> {
  const env = JOURNEY_PROCESSOR_ENV;
  return {
    [env.analyticsTable]: settings.analyticsTable,
    [env.journeys]: settings.journeysJson,
    [env.metricsNamespace]: settings.metricsNamespace,
    [env.failureQueueUrl]: settings.failureQueueUrl,
  };
}

/** The handler's side: the environment back to settings; throws naming the variable when it is missing. */
export function journeyProcessorSettings(environment: Readonly<Record<string, string | undefined>>): JourneyProcessorSettings {
  const env = JOURNEY_PROCESSOR_ENV;
  return {
    analyticsTable: requiredEnv(environment, env.analyticsTable),
    journeysJson: requiredEnv(environment, env.journeys, 'it must hold the journeys as a JSON array'),
    metricsNamespace: environment[env.metricsNamespace] || JOURNEY_PROCESSOR_DEFAULTS.metricsNamespace,
    failureQueueUrl: requiredEnv(
      environment,
      env.failureQueueUrl,
      'records that can never succeed are recorded there before they are skipped',
    ),
  };
}
