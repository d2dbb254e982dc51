/**
 * Layout of the analytics table (`ANALYTICS_TABLE`): keys `pk` (S) + `sk` (S), TTL attribute `expiresAt`
 * (epoch seconds). Every item kind, in one place:
 *
 * | pk                | sk                                | attributes                                        |
 * |-------------------|-----------------------------------|---------------------------------------------------|
 * | msg#<messageId>   | msg                               | expiresAt (dedupe marker)                         |
 * | user#<userKey>    | journey#<journey>                 | stepIndex, startedAtMs, lastStepAtMs, version, expiresAt |
 * | user#<userKey>    | exposure#<flag>                   | variant, exposedAtMs, convertedJourneys, version, expiresAt |
 * | exp#<flag>        | variant#<variant>                 | users, flag, variant                              |
 * | exp#<flag>        | variant#<variant>#metric#<metric> | n, sum, sumSquares, kind, flag, variant, metric   |
 * | exp#<flag>        | seen#<journey>#<step>             | flag, journey, step, firstSeenAtMs                |
 */
export const messageKey = (messageId: string) => ({ pk: `msg#${messageId}`, sk: 'msg' });
export const userPk = (userKey: string) => `user#${userKey}`;
export const JOURNEY_SK_PREFIX = 'journey#';
export const EXPOSURE_SK_PREFIX = 'exposure#';
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

/** Replays come from the stream, whose retention is at most 7 days by default; one day of slack on top. */
export const DEDUPE_TTL_SECONDS = 8 * 24 * 3600;
/** Exposures outlive any experiment we expect to run; after this a returning user counts as newly exposed. */
export const EXPOSURE_TTL_SECONDS = 400 * 24 * 3600;
/** Progress is useless after its window; one day of slack for late events. */
export const PROGRESS_TTL_SLACK_SECONDS = 24 * 3600;
