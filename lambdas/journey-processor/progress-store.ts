import { QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Fact } from './facts';
import { PermanentRecordError } from './failures';
import type { JourneyProgress } from './funnel';
import type { Journey } from '../../domain/journeys/journey-schema';
import {
  CONVERTED_SK_PREFIX,
  experimentPk,
  EXPOSURE_SK_PREFIX,
  JOURNEY_SK_PREFIX,
  OUTBOX_SK_PREFIX,
  stepSeenSk,
  userPk,
} from './table-keys';
import {
  DEDUPE_ITEMS,
  parseOutboxIncrements,
  planCommit,
  planOutboxChunk,
  type LoadedUser,
  type OutboxChunk,
  type UserChange,
} from './transaction-plan';
import type { Exposure } from './user-state';
import { systemClock, type Clock } from '../shared/clock';

export type { LoadedUser, OutboxChunk, UserChange } from './transaction-plan';

/**
 * `committed`, with the outbox items the event's transaction wrote (to apply next); `duplicate`: the user
 * sent this messageId before; `conflict`: another writer changed the user first; re-read.
 */
export type CommitResult =
  { readonly status: 'committed'; readonly outbox: readonly OutboxChunk[] } | { readonly status: 'duplicate' | 'conflict' };

/** What the processor needs from storage; the bench and unit tests use an in-memory one. */
export interface UserStore {
  load(userKey: string): Promise<LoadedUser>;
  /** Throws PermanentRecordError when the event can never be written; any other error is transient. */
  commit(change: UserChange): Promise<CommitResult>;
  /** Applies outbox items; each one's ADDs land once however often it is called (transaction-plan.ts). */
  applyOutbox(chunks: readonly OutboxChunk[]): Promise<void>;
}

interface CancellationReason {
  readonly Code?: string;
  readonly Message?: string;
}

function cancellationReasons(err: unknown): readonly CancellationReason[] | undefined {
  if (!(err instanceof Error) || err.name !== 'TransactionCanceledException') return undefined;
  return (err as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
}

/** DynamoDB calls the request itself invalid: sending it again gets the same answer (failures.ts). */
function rejection(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  if (err.name === 'ValidationException') return err.message;
  const invalid = cancellationReasons(err)?.find((r) => r.Code === 'ValidationError');
  return invalid ? (invalid.Message ?? err.message) : undefined;
}

/** A user's items as read back: progress, exposures with their conversions, outbox items. */
function readUser(userKey: string, items: readonly Record<string, unknown>[]): LoadedUser {
  const journeys = new Map<string, JourneyProgress>();
  const exposures = new Map<string, Exposure>();
  const versions = new Map<string, number>();
  const converted = new Map<string, readonly string[]>();
  const outbox: OutboxChunk[] = [];
  for (const item of items) {
    const sk = String(item.sk);
    if (sk.startsWith(OUTBOX_SK_PREFIX)) {
      // Only this code writes outbox items; one in another form is left in the table rather than block the user.
      const increments = parseOutboxIncrements(item.increments);
      if (increments) outbox.push({ userKey, sk, increments });
      continue;
    }
    versions.set(sk, Number(item.version));
    if (sk.startsWith(JOURNEY_SK_PREFIX)) {
      journeys.set(sk.slice(JOURNEY_SK_PREFIX.length), {
        stepIndex: Number(item.stepIndex),
        startedAtMs: Number(item.startedAtMs),
        lastStepAtMs: Number(item.lastStepAtMs),
      });
    } else if (sk.startsWith(EXPOSURE_SK_PREFIX)) {
      exposures.set(sk.slice(EXPOSURE_SK_PREFIX.length), {
        // convertedJourneys on the exposure: written by releases before converted# items.
        variant: String(item.variant),
        exposedAtMs: Number(item.exposedAtMs),
        convertedJourneys: (item.convertedJourneys as string[] | undefined) ?? [],
      });
    } else if (sk.startsWith(CONVERTED_SK_PREFIX)) {
      converted.set(sk.slice(CONVERTED_SK_PREFIX.length), (item.exposures as string[] | undefined) ?? []);
    }
  }
  for (const [journey, entries] of converted) {
    for (const entry of entries) {
      const split = entry.indexOf('#');
      const flag = entry.slice(split + 1);
      const exposure = exposures.get(flag);
      // An entry of an earlier exposure to the flag (expired, then exposed again) is not this one's conversion.
      if (!exposure || exposure.exposedAtMs !== Number(entry.slice(0, split)) || exposure.convertedJourneys.includes(journey)) continue;
      exposures.set(flag, { ...exposure, convertedJourneys: [...exposure.convertedJourneys, journey] });
    }
  }
  return { state: { journeys, exposures }, versions, outbox };
}

/** The analytics table through the DynamoDB document client: one Query to read a user, one transaction to write. */
export class DynamoUserStore implements UserStore {
  /** Steps already marked as seen by this instance: at most one write per flag, journey and step. */
  private readonly stepsMarked = new Set<string>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly journeys: readonly Journey[],
    private readonly now: Clock = systemClock,
  ) {}

  async load(userKey: string): Promise<LoadedUser> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': userPk(userKey) },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return readUser(userKey, items);
  }

  async commit(change: UserChange): Promise<CommitResult> {
    const plan = planCommit(this.tableName, change, this.now(), this.journeys);
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: plan.items }));
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (reasons?.slice(0, DEDUPE_ITEMS).some((r) => r.Code === 'ConditionalCheckFailed')) return { status: 'duplicate' };
      if (reasons?.some((r) => r.Code === 'ConditionalCheckFailed')) return { status: 'conflict' };
      const rejected = rejection(err);
      if (rejected !== undefined)
        throw new PermanentRecordError('REJECTED_BY_DYNAMODB', `DynamoDB refused the writes of event ${change.messageId}: ${rejected}`);
      throw err;
    }
    await this.markStepsSeen(change.facts);
    return { status: 'committed', outbox: plan.outbox };
  }

  async applyOutbox(chunks: readonly OutboxChunk[]): Promise<void> {
    for (const chunk of chunks) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: planOutboxChunk(this.tableName, chunk) }));
      } catch (err) {
        // The deletion's condition failed: applied before (a retry, or another processor got there first).
        if (cancellationReasons(err)?.[0]?.Code === 'ConditionalCheckFailed') continue;
        throw err;
      }
    }
  }

  /**
   * Outside the event's transaction: an idempotent first-seen marker that a report reads to explain missing
   * conversions. Best effort: a failed write is tried again with the next event of that step.
   */
  private async markStepsSeen(facts: readonly Fact[]): Promise<void> {
    for (const fact of facts) {
      if (fact.kind !== 'ExperimentStepSeen') continue;
      const key = JSON.stringify([fact.flag, fact.journey, fact.step]);
      if (this.stepsMarked.has(key)) continue;
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: experimentPk(fact.flag), sk: stepSeenSk(fact.journey, fact.step) },
            UpdateExpression: 'SET flag = :flag, journey = :journey, step = :step, firstSeenAtMs = if_not_exists(firstSeenAtMs, :now)',
            ExpressionAttributeValues: { ':flag': fact.flag, ':journey': fact.journey, ':step': fact.step, ':now': this.now() },
          }),
        );
        this.stepsMarked.add(key);
      } catch {
        return;
      }
    }
  }
}
