/**
 * What the RolloutController construct and the rollout controller Lambda agree on: the environment, including where
 * the guardrails' CloudWatch metrics are. Both import this file; it has no runtime dependencies.
 */
import { requiredEnv } from '../shared/contract';

export const ROLLOUT_CONTROLLER_ENV = {
  flagTable: 'FLAG_TABLE',
  analyticsTable: 'ANALYTICS_TABLE',
  alertsTopicArn: 'ALERTS_TOPIC_ARN',
  signals: 'SIGNALS',
  intervalSeconds: 'INTERVAL_SECONDS',
} as const;

export const ROLLOUT_CONTROLLER_DEFAULTS = { intervalSeconds: 60 } as const;

/** One CloudWatch metric, as GetMetricData names it. */
export interface MetricRef {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** A service's load balancer metrics (requests, 5xx answers, response time in seconds). */
export interface ServiceSignalRefs {
  readonly requests: MetricRef;
  readonly errors5xx: MetricRef;
  readonly responseTimeSeconds: MetricRef;
}

/** Where each guardrail's metrics are: services by their config name, and the flag API's counts (summed). */
export interface SignalRefs {
  readonly services: Readonly<Record<string, ServiceSignalRefs>>;
  readonly flagEvaluations: readonly MetricRef[];
  readonly flagErrors: readonly MetricRef[];
}

export interface RolloutControllerSettings {
  readonly flagTable: string;
  readonly analyticsTable: string;
  readonly alertsTopicArn: string;
  readonly signals: SignalRefs;
  /** How often the schedule runs the controller (for the next decision time it reports). */
  readonly intervalSeconds: number;
}

/** The construct's side: settings to the function's environment. */
export function rolloutControllerEnvironment(settings: RolloutControllerSettings): Record<string, string> {
  const env = ROLLOUT_CONTROLLER_ENV;
  return {
    [env.flagTable]: settings.flagTable,
    [env.analyticsTable]: settings.analyticsTable,
    [env.alertsTopicArn]: settings.alertsTopicArn,
    [env.signals]: JSON.stringify(settings.signals),
    [env.intervalSeconds]: String(settings.intervalSeconds),
  };
}

/** The handler's side: the environment back to settings; throws naming the variable when it is missing or bad. */
export function rolloutControllerSettings(environment: Readonly<Record<string, string | undefined>>): RolloutControllerSettings {
  const env = ROLLOUT_CONTROLLER_ENV;
  let signals: SignalRefs;
  try {
    signals = JSON.parse(requiredEnv(environment, env.signals, 'it must hold the guardrail metrics as JSON'));
  } catch (error) {
    throw new Error(`environment variable ${env.signals} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const interval = Number(environment[env.intervalSeconds] ?? ROLLOUT_CONTROLLER_DEFAULTS.intervalSeconds);
  if (!Number.isInteger(interval) || interval < 1)
    throw new Error(`environment variable ${env.intervalSeconds} must be a whole number of seconds`);
  return {
    flagTable: requiredEnv(environment, env.flagTable),
    analyticsTable: requiredEnv(environment, env.analyticsTable),
    alertsTopicArn: requiredEnv(environment, env.alertsTopicArn, 'roll-backs and failed schedules are alerted there'),
    signals,
    intervalSeconds: interval,
  };
}
