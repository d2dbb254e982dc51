/**
 * Layout of the analytics table (`ANALYTICS_TABLE`): keys `pk` (S) + `sk` (S), TTL attribute `expiresAt`
 * (epoch seconds). Every item kind, in one place:
 *
 * | pk                | sk                                | attributes                                        |
 * |-------------------|-----------------------------------|---------------------------------------------------|
 * | dedupe#<userKey>  | msg#<messageId>                   | expiresAt (dedupe marker)                         |
 * | user#<userKey>    | journey#<journey>                 | stepIndex, startedAtMs, lastStepAtMs, version, expiresAt |
 * | user#<userKey>    | exposure#<flag>                   | variant, exposedAtMs, version, expiresAt (convertedJourneys: before converted#) |
 * | user#<userKey>    | converted#<journey>               | exposures (`<exposedAtMs>#<flag>` of each exposure that converted), version, expiresAt |
 * | user#<userKey>    | outbox#<messageId>#<n>            | messageId, increments (aggregate ADDs still to apply; no TTL: see transaction-plan.ts) |
 * | exp#<flag>        | variant#<variant>                 | users, flag, variant                              |
 * | exp#<flag>        | variant#<variant>#metric#<metric> | n, sum, sumSquares, kind, flag, variant, metric   |
 * | exp#<flag>        | seen#<journey>#<step>             | flag, journey, step, firstSeenAtMs                |
 *
 * Dedupe scope: one user's messageIds. An event is a duplicate when the same user (userKey) sent the same
 * messageId before, within DEDUPE_TTL_SECONDS; another user's event with the same messageId is counted.
 * User key and messageId are in separate key attributes, so no choice of `#` in either can make two users'
 * keys meet. Sizes: the record decoder bounds userKey to 1024 and messageId to 512 UTF-8 bytes, so the
 * longest partition key here is 1031 bytes (DynamoDB allows 2048) and the longest sort key, an outbox
 * chunk's, about 525 (1024); flag keys and variants (255 characters, 765 bytes) fit the sort keys too.
 */
export const messageKey = (userKey: string, messageId: string) => ({ pk: `dedupe#${userKey}`, sk: `msg#${messageId}` });
/**
 * The marker of releases before dedupe was per user (one messageId for all users). Still checked until every
 * such marker has expired (DEDUPE_TTL_SECONDS after the deploy), so a replay across the deploy is not counted
 * twice; remove it in a later release.
 */
export const legacyMessageKey = (messageId: string) => ({ pk: `msg#${messageId}`, sk: 'msg' });
/** The decoder's limits, in UTF-8 bytes, that keep the keys above within DynamoDB's. */
export const MAX_USER_KEY_BYTES = 1024;
export const MAX_MESSAGE_ID_BYTES = 512;
export const userPk = (userKey: string) => `user#${userKey}`;
export const JOURNEY_SK_PREFIX = 'journey#';
export const EXPOSURE_SK_PREFIX = 'exposure#';
export const CONVERTED_SK_PREFIX = 'converted#';
/** One per exposure that converted: `<exposedAtMs>#<flag>` (the time has no `#`, so the first one splits it). */
export const convertedEntry = (flag: string, exposedAtMs: number) => `${exposedAtMs}#${flag}`;
export const OUTBOX_SK_PREFIX = 'outbox#';
export const outboxSk = (messageId: string, chunk: number) => `${OUTBOX_SK_PREFIX}${messageId}#${chunk}`;
export {
  experimentPk,
  variantSk,
  metricSk,
  STEP_SEEN_SK_PREFIX,
  stepSeenSk,
  conversionMetric,
  secondsToConvertMetric,
  type MetricKind,
} from '../../domain/experiments/experiment-keys';

/** Replays come from the stream, whose retention is at most 7 days by default; one day of slack on top. */
export const DEDUPE_TTL_SECONDS = 8 * 24 * 3600;
/** Exposures outlive any experiment we expect to run; after this a returning user counts as newly exposed. */
export const EXPOSURE_TTL_SECONDS = 400 * 24 * 3600;
/** Progress is useless after its window; one day of slack for late events. */
export const PROGRESS_TTL_SLACK_SECONDS = 24 * 3600;
