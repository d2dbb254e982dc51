import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FlagDefinition } from '../flags/evaluator';
import { ConcurrentModificationError, updateFlag, type FlagItem, type TransactItem } from '../flags/flag-table';
import { definitionHash } from '../flags/table-layout';
import type { FlagChange, RolloutPlan, ScheduledChange } from './rollout-plan';
import type { RolloutState } from './rollout-state';

/**
 * Rollouts and scheduled changes in the flag table, beside the flags they edit (so an edit, the rollout's state and
 * the audit entry are one transaction):
 *
 *   pk = "rollout",  sk = "plan#<flag>"                 definition (JSON of the RolloutPlan); Terraform writes it
 *   pk = "rollout",  sk = "state#<flag>"                state (JSON of the RolloutState), version (N)
 *   pk = "schedule", sk = "<at ISO>#<flag>#<id>"         flag, at, change (JSON), status pending|fired|failed,
 *                                                        createdBy, firedAt, result
 *
 * The flag Lambda's scan reads only `sk = current` and `pk = set`, so none of these reach it.
 */
export const ROLLOUT_PK = 'rollout';
export const SCHEDULE_PK = 'schedule';
export const planSk = (flag: string): string => `plan#${flag}`;
export const stateSk = (flag: string): string => `state#${flag}`;
export const scheduleSk = (at: string, flag: string, id: string): string => `${at}#${flag}#${id}`;
/** The id of a schedule from code: the hash of what it does, so an edited schedule is a new one. */
export const scheduleId = (schedule: ScheduledChange): string =>
  definitionHash(JSON.stringify([schedule.flag, schedule.at, schedule.change])).slice(0, 12);

export interface StoredRollout {
  readonly flag: string;
  readonly plan?: RolloutPlan;
  readonly state?: RolloutState;
  /** The state item's version (0 when there is none yet). */
  readonly stateVersion: number;
}

export type ScheduleStatus = 'pending' | 'fired' | 'failed';

export interface StoredSchedule extends ScheduledChange {
  readonly id: string;
  readonly status: ScheduleStatus;
  readonly createdBy: string;
  readonly firedAt?: string;
  /** What happened when it fired: the new flag version, or why it could not be made. */
  readonly result?: string;
}

export class RolloutStateConflictError extends Error {
  constructor(readonly flag: string) {
    super(`the rollout of '${flag}' was changed by someone else meanwhile; nothing was written, run the command again`);
    this.name = 'RolloutStateConflictError';
  }
}

const json = (raw: unknown): unknown => (typeof raw === 'string' ? JSON.parse(raw) : undefined);

/** Every plan and state, by flag. */
export async function readRollouts(client: DynamoDBDocumentClient, table: string): Promise<StoredRollout[]> {
  const byFlag = new Map<string, { plan?: RolloutPlan; state?: RolloutState; stateVersion: number }>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': ROLLOUT_PK },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const [kind, ...rest] = String(item.sk).split('#');
      const flag = rest.join('#');
      const entry = byFlag.get(flag) ?? { stateVersion: 0 };
      if (kind === 'plan') entry.plan = json(item.definition) as RolloutPlan;
      if (kind === 'state') {
        entry.state = json(item.state) as RolloutState;
        entry.stateVersion = Number(item.version ?? 0);
      }
      byFlag.set(flag, entry);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return [...byFlag].map(([flag, entry]) => ({ flag, ...entry })).sort((a, b) => a.flag.localeCompare(b.flag));
}

export async function readRollout(client: DynamoDBDocumentClient, table: string, flag: string): Promise<StoredRollout> {
  const get = (sk: string) => client.send(new GetCommand({ TableName: table, Key: { pk: ROLLOUT_PK, sk }, ConsistentRead: true }));
  const [plan, state] = await Promise.all([get(planSk(flag)), get(stateSk(flag))]);
  return {
    flag,
    plan: json(plan.Item?.definition) as RolloutPlan | undefined,
    state: json(state.Item?.state) as RolloutState | undefined,
    stateVersion: Number(state.Item?.version ?? 0),
  };
}

/** The plan item as a deploy writes it (Terraform in AWS; this for local productions and tests). */
export function planItem(plan: RolloutPlan): Record<string, string> {
  return { pk: ROLLOUT_PK, sk: planSk(plan.flag), flag: plan.flag, definition: JSON.stringify(plan) };
}

export async function writePlan(client: DynamoDBDocumentClient, table: string, plan: RolloutPlan): Promise<void> {
  await client.send(new PutCommand({ TableName: table, Item: planItem(plan) }));
}

/** The state write, only if the state is still at `readVersion` (0: only if there is none). */
export function stateWrite(table: string, state: RolloutState, readVersion: number): TransactItem {
  return {
    Put: {
      TableName: table,
      Item: { pk: ROLLOUT_PK, sk: stateSk(state.flag), state: JSON.stringify(state), version: readVersion + 1 },
      ...(readVersion === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'version = :read', ExpressionAttributeValues: { ':read': readVersion } }),
    },
  };
}

/** Writes the state alone (pause, resume, the controller's checks); RolloutStateConflictError when it moved. */
export async function putState(client: DynamoDBDocumentClient, table: string, state: RolloutState, readVersion: number): Promise<void> {
  const put = stateWrite(table, state, readVersion).Put!;
  try {
    await client.send(new PutCommand(put as ConstructorParameters<typeof PutCommand>[0]));
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') throw new RolloutStateConflictError(state.flag);
    throw error;
  }
}

/**
 * Edits the flag and writes the rollout state in one transaction: only if the flag is still at `flagVersion` and the
 * state at `readVersion`. `nextState` gets the flag's new version. Returns the flag as written.
 */
export async function editFlagForRollout(
  client: DynamoDBDocumentClient,
  table: string,
  edit: {
    readonly flag: string;
    readonly flagVersion?: number;
    readonly mutate: (flag: FlagDefinition) => FlagDefinition;
    readonly nextState: (newFlagVersion: number) => RolloutState;
    readonly readVersion: number;
    readonly actor: string;
    readonly action: string;
    readonly now: () => Date;
  },
): Promise<{ flag: FlagItem; state: RolloutState }> {
  let state: RolloutState | undefined;
  try {
    const flag = await updateFlag(client, table, edit.flag, edit.mutate, edit.actor, {
      action: edit.action,
      now: edit.now,
      expectedVersion: edit.flagVersion,
      transactWith: (version) => [stateWrite(table, (state = edit.nextState(version)), edit.readVersion)],
    });
    return { flag, state: state! };
  } catch (error) {
    // The flag or the state moved: say which, for the caller to re-read.
    if (error instanceof ConcurrentModificationError) {
      const stored = await readRollout(client, table, edit.flag);
      if (stored.stateVersion !== edit.readVersion) throw new RolloutStateConflictError(edit.flag);
    }
    throw error;
  }
}

function toSchedule(item: Record<string, unknown>): StoredSchedule {
  const id = String(item.sk).split('#').pop()!;
  return {
    id,
    flag: String(item.flag),
    at: String(item.at),
    change: json(item.change) as FlagChange,
    status: item.status as ScheduleStatus,
    createdBy: String(item.createdBy ?? 'deploy'),
    ...(typeof item.firedAt === 'string' ? { firedAt: item.firedAt } : {}),
    ...(typeof item.result === 'string' ? { result: item.result } : {}),
  };
}

/** The schedule item as a deploy or the CLI writes it. */
export function scheduleItem(schedule: ScheduledChange, id: string, createdBy: string): Record<string, string> {
  return {
    pk: SCHEDULE_PK,
    sk: scheduleSk(schedule.at, schedule.flag, id),
    flag: schedule.flag,
    at: schedule.at,
    change: JSON.stringify(schedule.change),
    status: 'pending',
    createdBy,
  };
}

export async function addSchedule(
  client: DynamoDBDocumentClient,
  table: string,
  schedule: ScheduledChange,
  id: string,
  createdBy: string,
): Promise<StoredSchedule> {
  const item = scheduleItem(schedule, id, createdBy);
  await client.send(new PutCommand({ TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
  return toSchedule(item);
}

/** Schedules in time order: all, or only those due by `dueBy`; `flag` narrows them to one flag. */
export async function readSchedules(
  client: DynamoDBDocumentClient,
  table: string,
  filter: { readonly dueBy?: Date; readonly flag?: string } = {},
): Promise<StoredSchedule[]> {
  const schedules: StoredSchedule[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: table,
        ConsistentRead: true,
        ...(filter.dueBy
          ? {
              KeyConditionExpression: 'pk = :pk AND sk <= :due',
              // Every sk of a time up to dueBy sorts below "<dueBy>#~" ('~' is above the flag keys' characters).
              ExpressionAttributeValues: { ':pk': SCHEDULE_PK, ':due': `${filter.dueBy.toISOString()}#~` },
            }
          : { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': SCHEDULE_PK } }),
        ExclusiveStartKey: startKey,
      }),
    );
    schedules.push(...(page.Items ?? []).map(toSchedule));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return filter.flag ? schedules.filter((s) => s.flag === filter.flag) : schedules;
}

/** Ends a schedule (fired or failed) only if it is still pending. */
const endPending = (schedule: StoredSchedule, table: string, status: 'fired' | 'failed', at: string, result: string): TransactItem => ({
  Update: {
    TableName: table,
    Key: { pk: SCHEDULE_PK, sk: scheduleSk(schedule.at, schedule.flag, schedule.id) },
    UpdateExpression: 'SET #status = :to, firedAt = :at, #result = :result',
    ConditionExpression: '#status = :pending',
    ExpressionAttributeNames: { '#status': 'status', '#result': 'result' },
    ExpressionAttributeValues: { ':pending': 'pending', ':to': status, ':at': at, ':result': result },
  },
});

export type FireOutcome = { readonly fired: true; readonly flag: FlagItem } | { readonly fired: false; readonly why: 'already-done' };

/**
 * Makes a due change and marks the schedule fired, in one transaction with the flag edit and its audit entry; the
 * condition `status = pending` makes it fire once however many controllers run. A concurrent flag edit is retried.
 */
export async function fireSchedule(
  client: DynamoDBDocumentClient,
  table: string,
  schedule: StoredSchedule,
  mutate: (flag: FlagDefinition) => FlagDefinition,
  actor: string,
  now: () => Date,
): Promise<FireOutcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      const flag = await updateFlag(client, table, schedule.flag, mutate, actor, {
        action: 'scheduled-change',
        now,
        transactWith: (version, at) => [endPending(schedule, table, 'fired', at, `flag version ${version}`)],
      });
      return { fired: true, flag };
    } catch (error) {
      if (!(error instanceof ConcurrentModificationError)) throw error;
      const key = { pk: SCHEDULE_PK, sk: scheduleSk(schedule.at, schedule.flag, schedule.id) };
      const current = await client.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
      if (current.Item?.status !== 'pending') return { fired: false, why: 'already-done' };
      if (attempt >= 2) throw error;
    }
  }
}

/** Marks a schedule that cannot be made (e.g. its variant is gone) failed, with the reason; false if it was no longer pending. */
export async function failSchedule(
  client: DynamoDBDocumentClient,
  table: string,
  schedule: StoredSchedule,
  reason: string,
  now: Date,
): Promise<boolean> {
  const update = endPending(schedule, table, 'failed', now.toISOString(), reason).Update!;
  try {
    await client.send(new UpdateCommand(update as ConstructorParameters<typeof UpdateCommand>[0]));
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
