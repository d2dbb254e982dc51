import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Fact } from './facts';
import type { JourneyProgress } from './funnel';
import type { Journey } from './journey-schema';
import {
  conversionMetric, DEDUPE_TTL_SECONDS, experimentPk, EXPOSURE_SK_PREFIX, EXPOSURE_TTL_SECONDS, JOURNEY_SK_PREFIX,
  legacyMessageKey, messageKey, metricSk, PROGRESS_TTL_SLACK_SECONDS, secondsToConvertMetric, userPk, variantSk, type MetricKind,
} from './table-keys';
import type { Exposure, UserState } from './user-state';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A user's state as read, with the `version` of each item by sort key (for optimistic locking). */
export interface LoadedUser {
  readonly state: UserState;
  readonly versions: ReadonlyMap<string, number>;
}

export interface UserChange {
  readonly messageId: string;
  readonly userKey: string;
  readonly before: LoadedUser;
  readonly after: UserState;
  readonly facts: readonly Fact[];
}

/** DynamoDB's limit on items per transaction. */
export const MAX_TRANSACT_ITEMS = 100;

const epochSeconds = (ms: number) => Math.floor(ms / 1000);

/**
 * Writes `put` if the item is still at the version we read (or still absent), so two writers that
 * read the same state cannot both win; the loser gets `conflict` and re-reads.
 */
function versionedPut(table: string, item: Record<string, unknown>, readVersion: number | undefined): TransactItem {
  return {
    Put: {
      TableName: table,
      Item: { ...item, version: (readVersion ?? 0) + 1 },
      ...(readVersion === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'version = :read', ExpressionAttributeValues: { ':read': readVersion } }),
    },
  };
}

function userItemWrites(table: string, change: UserChange, windowByJourney: ReadonlyMap<string, number>): TransactItem[] {
  const pk = userPk(change.userKey);
  const { before, after } = change;
  const writes: TransactItem[] = [];
  const journeys = new Set([...before.state.journeys.keys(), ...after.journeys.keys()]);
  for (const journey of journeys) {
    const old = before.state.journeys.get(journey);
    const next: JourneyProgress | undefined = after.journeys.get(journey);
    if (old === next) continue;
    const sk = `${JOURNEY_SK_PREFIX}${journey}`;
    const readVersion = before.versions.get(sk);
    if (next) {
      const windowSeconds = windowByJourney.get(journey) ?? 0;
      const expiresAt = epochSeconds(next.startedAtMs) + windowSeconds + PROGRESS_TTL_SLACK_SECONDS;
      writes.push(versionedPut(table, { pk, sk, ...next, expiresAt }, readVersion));
    } else if (readVersion !== undefined) {
      writes.push({ Delete: { TableName: table, Key: { pk, sk }, ConditionExpression: 'version = :read', ExpressionAttributeValues: { ':read': readVersion } } });
    }
  }
  for (const [flag, next] of after.exposures) {
    const old: Exposure | undefined = before.state.exposures.get(flag);
    if (old === next) continue;
    const sk = `${EXPOSURE_SK_PREFIX}${flag}`;
    const expiresAt = epochSeconds(next.exposedAtMs) + EXPOSURE_TTL_SECONDS;
    writes.push(versionedPut(table, { pk, sk, ...next, convertedJourneys: [...next.convertedJourneys], expiresAt }, before.versions.get(sk)));
  }
  return writes;
}

function addUsers(table: string, flag: string, variant: string): TransactItem {
  return {
    Update: {
      TableName: table,
      Key: { pk: experimentPk(flag), sk: variantSk(variant) },
      UpdateExpression: 'SET flag = :flag, variant = :variant ADD #users :one',
      ExpressionAttributeNames: { '#users': 'users' },
      ExpressionAttributeValues: { ':flag': flag, ':variant': variant, ':one': 1 },
    },
  };
}

function addMetric(table: string, flag: string, variant: string, metric: string, kind: MetricKind, value: number): TransactItem {
  return {
    Update: {
      TableName: table,
      Key: { pk: experimentPk(flag), sk: metricSk(variant, metric) },
      UpdateExpression: 'SET flag = :flag, variant = :variant, metric = :metric, kind = :kind ADD n :one, #sum :value, sumSquares :square',
      ExpressionAttributeNames: { '#sum': 'sum' },
      ExpressionAttributeValues: {
        ':flag': flag, ':variant': variant, ':metric': metric, ':kind': kind, ':one': 1, ':value': value, ':square': value * value,
      },
    },
  };
}

function aggregateWrites(table: string, facts: readonly Fact[]): TransactItem[] {
  const writes: TransactItem[] = [];
  for (const fact of facts) {
    if (fact.kind === 'ExperimentExposure') writes.push(addUsers(table, fact.flag, fact.variant));
    if (fact.kind === 'ExperimentConversion') {
      writes.push(addMetric(table, fact.flag, fact.variant, conversionMetric(fact.journey), 'conversion', 1));
      writes.push(addMetric(table, fact.flag, fact.variant, secondsToConvertMetric(fact.journey), 'mean', fact.secondsToConvert));
    }
  }
  return writes;
}

/** Where a failed condition means the event was already processed: the marker and the legacy marker check. */
export const DEDUPE_ITEMS = 2;

/**
 * One transaction per event: the dedupe marker first and the legacy marker check second (either condition
 * failing = duplicate), then the user's changed items under version conditions, then the experiment
 * aggregate ADDs. All or nothing, so a retry after any failure cannot count twice.
 */
export function planTransaction(table: string, change: UserChange, nowMs: number, journeys: readonly Journey[]): TransactItem[] {
  const windowByJourney = new Map(journeys.map((j) => [j.name, j.conversionWindowSeconds]));
  const marker: TransactItem = {
    Put: {
      TableName: table,
      Item: { ...messageKey(change.userKey, change.messageId), expiresAt: epochSeconds(nowMs) + DEDUPE_TTL_SECONDS },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
  // TTL deletes lazily (up to days late), so an expired legacy marker still in the table does not count.
  const legacyMarker: TransactItem = {
    ConditionCheck: {
      TableName: table,
      Key: legacyMessageKey(change.messageId),
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
      ExpressionAttributeValues: { ':now': epochSeconds(nowMs) },
    },
  };
  const items = [marker, legacyMarker, ...userItemWrites(table, change, windowByJourney), ...aggregateWrites(table, change.facts)];
  if (items.length > MAX_TRANSACT_ITEMS) {
    throw new Error(`event ${change.messageId} needs ${items.length} writes; a DynamoDB transaction holds at most ${MAX_TRANSACT_ITEMS}`);
  }
  return items;
}
