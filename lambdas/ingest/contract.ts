/**
 * What the EventStream construct and the ingest Lambda agree on: the environment, the route and the metrics.
 * Both import this file; it has no runtime dependencies, so constructs never load handler code.
 */
import { API_KEYS_ENV, listFromEnv, listToEnv, requiredEnv } from '../shared/contract';

/** `ANY`: the handler answers CORS preflights and 405s itself. */
export const EVENTS_PATH = '/v1/events';
export const INGEST_ROUTES = [`ANY ${EVENTS_PATH}`] as const;

/** Counts per request, without dimensions, so no user id can ever become one. */
export const INGEST_METRICS = {
  namespace: 'Monoenv/Ingest',
  accepted: 'EventsAccepted',
  rejected: 'EventsRejected',
  failed: 'EventsFailed',
  duplicates: 'EventsDuplicate',
} as const;

export const INGEST_ENV = {
  eventStreamName: 'EVENT_STREAM_NAME',
  apiKeysSecretArn: API_KEYS_ENV.secretArn,
  metricsNamespace: 'METRICS_NAMESPACE',
  corsAllowOrigins: 'CORS_ALLOW_ORIGINS',
} as const;

export const INGEST_DEFAULTS = { metricsNamespace: INGEST_METRICS.namespace } as const;

export interface IngestSettings {
  readonly eventStreamName: string;
  /** Write keys `{"write": ["..."]}` (locally `API_KEYS_JSON` instead). */
  readonly apiKeysSecretArn?: string;
  readonly metricsNamespace: string;
  /** Origins allowed from browsers (`*` for any); none when empty. */
  readonly corsAllowOrigins: readonly string[];
}

/** The construct's side: settings to the function's environment. */
export function ingestEnvironment(settings: IngestSettings): Record<string, string> {
  const env = INGEST_ENV;
  return {
    [env.eventStreamName]: settings.eventStreamName,
    ...(settings.apiKeysSecretArn !== undefined ? { [env.apiKeysSecretArn]: settings.apiKeysSecretArn } : {}),
    [env.metricsNamespace]: settings.metricsNamespace,
    ...(settings.corsAllowOrigins.length > 0 ? { [env.corsAllowOrigins]: listToEnv(settings.corsAllowOrigins) } : {}),
  };
}

/** The handler's side: the environment back to settings; throws naming the variable when it is missing. */
export function ingestSettings(environment: Readonly<Record<string, string | undefined>>): IngestSettings {
  const env = INGEST_ENV;
  return {
    eventStreamName: requiredEnv(environment, env.eventStreamName),
    apiKeysSecretArn: environment[env.apiKeysSecretArn] || undefined,
    metricsNamespace: environment[env.metricsNamespace] || INGEST_DEFAULTS.metricsNamespace,
    corsAllowOrigins: listFromEnv(environment[env.corsAllowOrigins]),
  };
}
