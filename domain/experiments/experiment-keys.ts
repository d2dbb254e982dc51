/**
 * The experiment aggregates' keys in the analytics table (the whole layout is in
 * lambdas/journey-processor/table-keys.ts): the journey processor writes them, and the experiment report and the
 * rollout controller read them (experiment-table.ts), so they live below all three.
 */
export const experimentPk = (flag: string) => `exp#${flag}`;
export const variantSk = (variant: string) => `variant#${variant}`;
export const metricSk = (variant: string, metric: string) => `variant#${variant}#metric#${metric}`;
export const STEP_SEEN_SK_PREFIX = 'seen#';
export const stepSeenSk = (journey: string, step: string) => `${STEP_SEEN_SK_PREFIX}${journey}#${step}`;

/** Metric names in experiment aggregates and summaries. */
export const conversionMetric = (journey: string) => journey;
export const secondsToConvertMetric = (journey: string) => `${journey}.seconds_to_convert`;

/** `conversion`: one 0/1 per exposed user (n is filled from `users` on read); `mean`: n counts users with a value. */
export type MetricKind = 'conversion' | 'mean';
