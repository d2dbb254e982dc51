/**
 * What the FlagStore construct and the flag Lambda agree on: the environment, the routes and the metrics.
 * Both import this file; it has no runtime dependencies, so constructs never load handler code.
 */
import { API_KEYS_ENV, listFromEnv, listToEnv, requiredEnv } from '../shared/contract';

/** OFREP's bulk and single-flag evaluation. `ANY`, so preflights (OPTIONS) and wrong methods reach the handler, which answers CORS and 405s itself. */
export const OFREP_BASE_PATH = '/ofrep/v1/evaluate/flags';
export const FLAG_ROUTES = [`ANY ${OFREP_BASE_PATH}`, `ANY ${OFREP_BASE_PATH}/{key}`] as const;

/** Embedded-metric-format metrics, per `Route` (`single` or `bulk`); never a dimension carrying user data. */
export const FLAG_METRICS = {
  namespace: 'Monoenv/Flags',
  routeDimension: 'Route',
  routes: ['single', 'bulk'],
  evaluations: 'Evaluations',
  evaluationErrors: 'EvaluationErrors',
  /** 1 when the last refresh from the flag table failed and an older flag set is served. */
  flagStoreStale: 'FlagStoreStale',
  flagSetAgeSeconds: 'FlagSetAgeSeconds',
  exposureFailures: 'ExposureFailures',
} as const;

export const FLAG_EVALUATION_ENV = {
  flagsTable: 'FLAGS_TABLE',
  apiKeysSecretArn: API_KEYS_ENV.secretArn,
  corsAllowOrigins: 'CORS_ALLOW_ORIGINS',
  rateLimitPerSecond: 'RATE_LIMIT_PER_SECOND',
  metricsNamespace: 'METRICS_NAMESPACE',
  eventStreamName: 'EVENT_STREAM_NAME',
} as const;

export const FLAG_EVALUATION_DEFAULTS = { rateLimitPerSecond: 100, metricsNamespace: FLAG_METRICS.namespace } as const;

export interface FlagEvaluationSettings {
  readonly flagsTable: string;
  /** The Secrets Manager secret `{"server": [...], "client": [...]}` (locally `API_KEYS_JSON` instead). */
  readonly apiKeysSecretArn?: string;
  /** Origins allowed from browsers (`*` for any). */
  readonly corsAllowOrigins: readonly string[];
  /** Per API key, per instance. */
  readonly rateLimitPerSecond: number;
  readonly metricsNamespace: string;
  /** Kinesis stream for experiment exposures; none are recorded without it. */
  readonly eventStreamName?: string;
}

/** The construct's side: settings to the function's environment. */
export function flagEvaluationEnvironment(settings: FlagEvaluationSettings): Record<string, string> {
  const env = FLAG_EVALUATION_ENV;
  return {
    [env.flagsTable]: settings.flagsTable,
    ...(settings.apiKeysSecretArn !== undefined ? { [env.apiKeysSecretArn]: settings.apiKeysSecretArn } : {}),
    [env.corsAllowOrigins]: listToEnv(settings.corsAllowOrigins),
    [env.rateLimitPerSecond]: String(settings.rateLimitPerSecond),
    [env.metricsNamespace]: settings.metricsNamespace,
    ...(settings.eventStreamName !== undefined ? { [env.eventStreamName]: settings.eventStreamName } : {}),
  };
}

/** The handler's side: the environment back to settings; throws naming the variable when it is unusable. */
export function flagEvaluationSettings(environment: Readonly<Record<string, string | undefined>>): FlagEvaluationSettings {
  const env = FLAG_EVALUATION_ENV;
  const rate = environment[env.rateLimitPerSecond];
  const rateLimitPerSecond = rate === undefined || rate === '' ? FLAG_EVALUATION_DEFAULTS.rateLimitPerSecond : Number(rate);
  if (!(rateLimitPerSecond > 0)) throw new Error(`${env.rateLimitPerSecond} must be a positive number, got '${rate}'`);
  return {
    flagsTable: requiredEnv(environment, env.flagsTable),
    apiKeysSecretArn: environment[env.apiKeysSecretArn] || undefined,
    corsAllowOrigins: listFromEnv(environment[env.corsAllowOrigins]),
    rateLimitPerSecond,
    metricsNamespace: environment[env.metricsNamespace] || FLAG_EVALUATION_DEFAULTS.metricsNamespace,
    eventStreamName: environment[env.eventStreamName] || undefined,
  };
}
