import { QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Fact } from './facts';
import type { JourneyProgress } from './funnel';
import type { Journey } from './journey-schema';
import { experimentPk, EXPOSURE_SK_PREFIX, JOURNEY_SK_PREFIX, stepSeenSk, userPk } from './table-keys';
import { DEDUPE_ITEMS, planTransaction, type LoadedUser, type UserChange } from './transaction-plan';
import type { Exposure } from './user-state';
import { systemClock, type Clock } from '../shared/clock';

export type { LoadedUser, UserChange } from './transaction-plan';

/** `duplicate`: the messageId was already processed. `conflict`: another writer changed the user first; re-read. */
export type CommitResult = 'committed' | 'duplicate' | 'conflict';

/** What the processor needs from storage; the bench and unit tests use an in-memory one. */
export interface UserStore {
  load(userKey: string): Promise<LoadedUser>;
  commit(change: UserChange): Promise<CommitResult>;
}

interface CancellationReason {
  readonly Code?: string;
}

function cancellationReasons(err: unknown): readonly CancellationReason[] | undefined {
  if (!(err instanceof Error) || err.name !== 'TransactionCanceledException') return undefined;
  return (err as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
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
    const journeys = new Map<string, JourneyProgress>();
    const exposures = new Map<string, Exposure>();
    const versions = new Map<string, number>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': userPk(userKey) },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }));
      for (const item of page.Items ?? []) {
        const sk = String(item.sk);
        versions.set(sk, Number(item.version));
        if (sk.startsWith(JOURNEY_SK_PREFIX)) {
          journeys.set(sk.slice(JOURNEY_SK_PREFIX.length), {
            stepIndex: Number(item.stepIndex), startedAtMs: Number(item.startedAtMs), lastStepAtMs: Number(item.lastStepAtMs),
          });
        } else if (sk.startsWith(EXPOSURE_SK_PREFIX)) {
          exposures.set(sk.slice(EXPOSURE_SK_PREFIX.length), {
            variant: String(item.variant), exposedAtMs: Number(item.exposedAtMs), convertedJourneys: (item.convertedJourneys as string[] | undefined) ?? [],
          });
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return { state: { journeys, exposures }, versions };
  }

  async commit(change: UserChange): Promise<CommitResult> {
    const items = planTransaction(this.tableName, change, this.now(), this.journeys);
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      await this.markStepsSeen(change.facts);
      return 'committed';
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (reasons?.slice(0, DEDUPE_ITEMS).some((r) => r.Code === 'ConditionalCheckFailed')) return 'duplicate';
      if (reasons?.some((r) => r.Code === 'ConditionalCheckFailed')) return 'conflict';
      throw err;
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
        await this.client.send(new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: experimentPk(fact.flag), sk: stepSeenSk(fact.journey, fact.step) },
          UpdateExpression: 'SET flag = :flag, journey = :journey, step = :step, firstSeenAtMs = if_not_exists(firstSeenAtMs, :now)',
          ExpressionAttributeValues: { ':flag': fact.flag, ':journey': fact.journey, ':step': fact.step, ':now': this.now() },
        }));
        this.stepsMarked.add(key);
      } catch {
        return;
      }
    }
  }
}
