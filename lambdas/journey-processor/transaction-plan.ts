import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Fact } from './facts';
import { PermanentRecordError } from './failures';
import type { JourneyProgress } from './funnel';
import type { Journey } from '../../domain/journeys/journey-schema';
import {
  conversionMetric,
  CONVERTED_SK_PREFIX,
  convertedEntry,
  DEDUPE_TTL_SECONDS,
  experimentPk,
  EXPOSURE_SK_PREFIX,
  EXPOSURE_TTL_SECONDS,
  JOURNEY_SK_PREFIX,
  legacyMessageKey,
  messageKey,
  metricSk,
  outboxSk,
  PROGRESS_TTL_SLACK_SECONDS,
  secondsToConvertMetric,
  userPk,
  variantSk,
  type MetricKind,
} from './table-keys';
import type { UserState } from './user-state';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * How one event is written, exactly once, however many writes it needs.
 *
 * The event's transaction holds the dedupe marker, the user's changed items (under version conditions) and
 * the experiment aggregate ADDs. When that is more than DynamoDB's 100 items (a user in many experiments
 * completing a journey adds 2 ADDs per experiment), the ADDs leave it for the user's outbox: the transaction
 * writes the marker, the user's items and outbox items of at most 99 ADDs each; then each outbox item is
 * applied in a transaction of its own that deletes it, on condition that it still exists, with its ADDs.
 *
 * Why each ADD lands exactly once, whatever fails or dies in between:
 * 1. The event's transaction is all or nothing. Until it commits nothing of the event exists, and a retry
 *    starts over; once it has, its marker makes every retry and replay a duplicate, so the user's items and
 *    the outbox are written once.
 * 2. An outbox item's ADDs are applied in the same transaction that deletes it, on condition that it
 *    exists. It is created once (1.) and has no TTL, so that condition holds for one application only: at
 *    most once, also when two processors race.
 * 3. Outbox items are applied right after the event's transaction; those left by a failure or a crash stay
 *    in the user's partition, which every load reads, and each load (the record's retry or replay, or the
 *    user's next event) applies what it finds before going on: at least once.
 * The ADDs are sums, so their order does not matter; until the last outbox item is applied, a report may
 * see the event's exposures and conversions in part.
 */

/** A user's state as read: `version` of each item by sort key (optimistic locking) and outbox items not yet applied. */
export interface LoadedUser {
  readonly state: UserState;
  readonly versions: ReadonlyMap<string, number>;
  readonly outbox: readonly OutboxChunk[];
}

export interface UserChange {
  readonly messageId: string;
  readonly userKey: string;
  readonly before: LoadedUser;
  readonly after: UserState;
  readonly facts: readonly Fact[];
}

/** One experiment aggregate ADD: a user exposed, or a metric value of a converted user. */
export type AggregateIncrement =
  | { readonly kind: 'users'; readonly flag: string; readonly variant: string }
  | {
      readonly kind: 'metric';
      readonly flag: string;
      readonly variant: string;
      readonly metric: string;
      readonly metricKind: MetricKind;
      readonly value: number;
    };

/** An outbox item: ADDs of one event still to apply, under the user's key. */
export interface OutboxChunk {
  readonly userKey: string;
  readonly sk: string;
  readonly increments: readonly AggregateIncrement[];
}

export interface CommitPlan {
  /** The event's transaction. */
  readonly items: TransactItem[];
  /** The outbox items it writes, to apply once it has committed. */
  readonly outbox: readonly OutboxChunk[];
}

/** DynamoDB's limit on items per transaction. */
export const MAX_TRANSACT_ITEMS = 100;
/** An outbox item is applied with its own deletion: 99 ADDs and one Delete. */
export const MAX_INCREMENTS_PER_CHUNK = MAX_TRANSACT_ITEMS - 1;
/** Where a failed condition means the event was already processed: the marker and the legacy marker check. */
export const DEDUPE_ITEMS = 2;

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

/** `<exposedAtMs>#<flag>` of every exposure in `state` that converted in `journey`, sorted. */
function convertedEntries(state: UserState, journey: string): string[] {
  const entries: string[] = [];
  for (const [flag, exposure] of state.exposures) {
    if (exposure.convertedJourneys.includes(journey)) entries.push(convertedEntry(flag, exposure.exposedAtMs));
  }
  return entries.sort();
}

/**
 * The user's changed items. Conversions are kept per journey (`converted#<journey>`), not on each exposure,
 * so a completed journey is one item however many experiments the user is in.
 */
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
      writes.push({
        Delete: {
          TableName: table,
          Key: { pk, sk },
          ConditionExpression: 'version = :read',
          ExpressionAttributeValues: { ':read': readVersion },
        },
      });
    }
  }
  const convertedIn = new Set<string>();
  for (const [flag, next] of after.exposures) {
    const old = before.state.exposures.get(flag);
    for (const journey of next.convertedJourneys) {
      if (!old || old.exposedAtMs !== next.exposedAtMs || !old.convertedJourneys.includes(journey)) convertedIn.add(journey);
    }
    if (old && old.variant === next.variant && old.exposedAtMs === next.exposedAtMs) continue;
    const sk = `${EXPOSURE_SK_PREFIX}${flag}`;
    const expiresAt = epochSeconds(next.exposedAtMs) + EXPOSURE_TTL_SECONDS;
    writes.push(versionedPut(table, { pk, sk, variant: next.variant, exposedAtMs: next.exposedAtMs, expiresAt }, before.versions.get(sk)));
  }
  for (const journey of convertedIn) {
    const sk = `${CONVERTED_SK_PREFIX}${journey}`;
    const exposedAt = [...after.exposures.values()].filter((e) => e.convertedJourneys.includes(journey)).map((e) => e.exposedAtMs);
    const expiresAt = epochSeconds(Math.max(...exposedAt)) + EXPOSURE_TTL_SECONDS;
    writes.push(versionedPut(table, { pk, sk, exposures: convertedEntries(after, journey), expiresAt }, before.versions.get(sk)));
  }
  return writes;
}

export function aggregateIncrements(facts: readonly Fact[]): AggregateIncrement[] {
  const increments: AggregateIncrement[] = [];
  for (const fact of facts) {
    if (fact.kind === 'ExperimentExposure') increments.push({ kind: 'users', flag: fact.flag, variant: fact.variant });
    if (fact.kind === 'ExperimentConversion') {
      const { flag, variant } = fact;
      increments.push({ kind: 'metric', flag, variant, metric: conversionMetric(fact.journey), metricKind: 'conversion', value: 1 });
      increments.push({
        kind: 'metric',
        flag,
        variant,
        metric: secondsToConvertMetric(fact.journey),
        metricKind: 'mean',
        value: fact.secondsToConvert,
      });
    }
  }
  return increments;
}

function incrementWrite(table: string, increment: AggregateIncrement): TransactItem {
  if (increment.kind === 'users') {
    return {
      Update: {
        TableName: table,
        Key: { pk: experimentPk(increment.flag), sk: variantSk(increment.variant) },
        UpdateExpression: 'SET flag = :flag, variant = :variant ADD #users :one',
        ExpressionAttributeNames: { '#users': 'users' },
        ExpressionAttributeValues: { ':flag': increment.flag, ':variant': increment.variant, ':one': 1 },
      },
    };
  }
  const { flag, variant, metric, metricKind, value } = increment;
  return {
    Update: {
      TableName: table,
      Key: { pk: experimentPk(flag), sk: metricSk(variant, metric) },
      UpdateExpression: 'SET flag = :flag, variant = :variant, metric = :metric, kind = :kind ADD n :one, #sum :value, sumSquares :square',
      ExpressionAttributeNames: { '#sum': 'sum' },
      ExpressionAttributeValues: {
        ':flag': flag,
        ':variant': variant,
        ':metric': metric,
        ':kind': metricKind,
        ':one': 1,
        ':value': value,
        ':square': value * value,
      },
    },
  };
}

/**
 * The event's transaction: the dedupe marker first and the legacy marker check second (either condition
 * failing = duplicate), the user's changed items, then the ADDs, or the outbox items that hold them (see above).
 * Throws EVENT_TOO_LARGE when even the outbox form exceeds one transaction.
 */
export function planCommit(table: string, change: UserChange, nowMs: number, journeys: readonly Journey[]): CommitPlan {
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
  const user = [marker, legacyMarker, ...userItemWrites(table, change, windowByJourney)];
  const increments = aggregateIncrements(change.facts);
  if (user.length + increments.length <= MAX_TRANSACT_ITEMS) {
    return { items: [...user, ...increments.map((i) => incrementWrite(table, i))], outbox: [] };
  }

  const outbox: OutboxChunk[] = [];
  for (let i = 0; i < increments.length; i += MAX_INCREMENTS_PER_CHUNK) {
    outbox.push({
      userKey: change.userKey,
      sk: outboxSk(change.messageId, outbox.length),
      increments: increments.slice(i, i + MAX_INCREMENTS_PER_CHUNK),
    });
  }
  if (user.length + outbox.length > MAX_TRANSACT_ITEMS) {
    throw new PermanentRecordError(
      'EVENT_TOO_LARGE',
      `event ${change.messageId} changes ${user.length - DEDUPE_ITEMS} of the user's items and ` +
        `${increments.length} aggregates (${outbox.length} outbox items); with its dedupe marker that is more than the ${MAX_TRANSACT_ITEMS} items of a DynamoDB transaction`,
    );
  }
  const pk = userPk(change.userKey);
  // No expiresAt: TTL must never delete ADDs that were not applied.
  const outboxWrites: TransactItem[] = outbox.map((chunk) => ({
    Put: {
      TableName: table,
      Item: { pk, sk: chunk.sk, messageId: change.messageId, increments: chunk.increments.map((i) => ({ ...i })) },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }));
  return { items: [...user, ...outboxWrites], outbox };
}

/** Applies one outbox item: its ADDs, and its deletion on condition that it was not applied before (item 0). */
export function planOutboxChunk(table: string, chunk: OutboxChunk): TransactItem[] {
  return [
    { Delete: { TableName: table, Key: { pk: userPk(chunk.userKey), sk: chunk.sk }, ConditionExpression: 'attribute_exists(pk)' } },
    ...chunk.increments.map((i) => incrementWrite(table, i)),
  ];
}

/** An outbox item as read back (the `increments` attribute), or undefined when it is not one this code wrote. */
export function parseOutboxIncrements(value: unknown): AggregateIncrement[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const increments: AggregateIncrement[] = [];
  for (const raw of value as Array<Record<string, unknown>>) {
    const { kind, flag, variant, metric, metricKind, value: v } = raw ?? {};
    if (typeof flag !== 'string' || typeof variant !== 'string') return undefined;
    if (kind === 'users') increments.push({ kind, flag, variant });
    else if (
      kind === 'metric' &&
      typeof metric === 'string' &&
      (metricKind === 'conversion' || metricKind === 'mean') &&
      typeof v === 'number'
    ) {
      increments.push({ kind, flag, variant, metric, metricKind, value: v });
    } else return undefined;
  }
  return increments;
}
