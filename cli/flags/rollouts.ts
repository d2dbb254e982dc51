import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ConcurrentModificationError, readFlag } from '../../domain/flags/flag-table';
import { fractionalWeights, parseWeights, setFractionalWeights } from '../../domain/flags/flag-edits';
import type { GuardrailReading } from '../../domain/rollouts/guardrails';
import { changeIssues } from '../../domain/rollouts/rollout-files';
import { describeChange } from '../../domain/rollouts/apply-change';
import { changeSchema, type FlagChange, type RolloutPlan } from '../../domain/rollouts/rollout-plan';
import {
  endedState,
  isActive,
  pausedState,
  resumedState,
  safeWeights,
  startedState,
  weightsAt,
  type RolloutEvent,
  type RolloutState,
  type RolloutStatus,
} from '../../domain/rollouts/rollout-state';
import {
  RolloutStateConflictError,
  addSchedule,
  editFlagForRollout,
  putState,
  readRollout,
  readSchedules,
  type StoredSchedule,
} from '../../domain/rollouts/rollout-table';
import { UsageError } from '../command-line';

/**
 * `monoenv flags rollout start|status|pause|resume|abort <key>` and `monoenv flags schedule <key> [<change> --at <time>]`:
 * the CLI's side of guarded rollouts (plans deployed from rollouts/*.json, run by the rollout controller) and of
 * scheduled changes. Every edit goes through the domain's transitions (rollout-state.ts) and conditional writes
 * (rollout-table.ts), so a concurrent controller tick or editor makes the command fail with nothing half-written.
 *
 * `--json` shapes (stable):
 *   rollout start|pause|resume|abort   RolloutActionResult
 *   rollout status                     RolloutStatusView
 *   schedule <key> <change> --at ...   ScheduleResult
 *   schedule <key>                     StoredSchedule[] (all of the flag's schedules, in time order)
 *   any refused command (stderr)       { "error": { "code": "<code>", "message": "..." } }
 */

/** A refusal with a machine-readable code (exit code 1), e.g. `no-plan`, `already-active`, `conflict`. */
export class RolloutCommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RolloutCommandError';
  }
}

export interface RolloutContext {
  readonly client: DynamoDBDocumentClient;
  readonly table: string;
  readonly actor: () => string;
  readonly now: () => Date;
}

export interface RolloutActionResult {
  readonly flag: string;
  readonly action: 'start' | 'pause' | 'resume' | 'abort';
  readonly status: RolloutStatus;
  readonly state: RolloutState;
  /** The state item's version after the write. */
  readonly stateVersion: number;
  /** The flag's version now (the one the rollout wrote, for start and abort). */
  readonly flagVersion: number;
  /** The split the command wrote, for start and abort; null when the flag was not edited. */
  readonly weights: Array<[string, number]> | null;
}

export interface RolloutStatusView {
  readonly flag: string;
  readonly plan: RolloutPlan | null;
  /** null when the rollout was never started. */
  readonly state: RolloutState | null;
  readonly stateVersion: number;
  /** The flag as stored now. */
  readonly current: {
    readonly version: number;
    readonly state: string;
    readonly weights: Array<[string, number]> | null;
    /** A running rollout whose flag someone else edited: the controller pauses it on its next run. */
    readonly editedOutsideRollout: boolean;
  };
  readonly step: {
    readonly index: number;
    readonly of: number;
    readonly percent: number;
    readonly minMinutes: number;
    readonly minUsers: number;
    readonly startedAt: string;
  } | null;
  /** From the controller's last check in this step; null before it. */
  readonly exposures: { readonly usersInStep: number; readonly minUsers: number; readonly at: string } | null;
  readonly lastCheck: { readonly at: string; readonly decision: string } | null;
  readonly readings: readonly GuardrailReading[];
  /** null when nothing is due (not running) or the controller has not checked yet. */
  readonly nextDecisionAt: string | null;
  readonly history: readonly RolloutEvent[];
  /** The flag's pending scheduled changes, in time order. */
  readonly schedules: readonly StoredSchedule[];
}

export interface ScheduleResult {
  readonly schedule: StoredSchedule;
  /** What will happen, in words (describeChange). */
  readonly description: string;
  readonly warnings: readonly string[];
}

const conflict = (error: unknown): never => {
  if (error instanceof RolloutStateConflictError || error instanceof ConcurrentModificationError) {
    throw new RolloutCommandError('conflict', error.message);
  }
  throw error;
};

async function readPlanned(context: RolloutContext, key: string) {
  const stored = await readRollout(context.client, context.table, key);
  if (!stored.plan) throw new RolloutCommandError('no-plan', `no rollout plan for '${key}': add it to rollouts/*.json and deploy`);
  return { ...stored, plan: stored.plan };
}

const stepLabel = (state: RolloutState, plan: RolloutPlan | undefined) =>
  `step ${state.step + 1} of ${plan?.steps.length ?? '?'} at ${state.percent}%`;

/** Whether the last check counted the current step's users (a check that advanced counted the step before). */
const checkedInStep = (state: RolloutState): boolean => state.lastCheck !== undefined && state.lastCheck.at > state.stepStartedAt;

/**
 * Users exposed to the variant so far, as far as the rollout state knows (the analytics summary is not read here):
 * the step's baseline plus the users the controller counted in the step at its last check.
 */
function knownVariantUsers(state: RolloutState): number {
  const counted = checkedInStep(state) ? state.lastCheck!.usersInStep : 0;
  return state.usersAtStepStart + counted;
}

/** Sets the flag's weights and writes the rollout's next state in one transaction (start and abort). */
async function setWeightsWithState(
  context: RolloutContext,
  key: string,
  stored: { readonly stateVersion: number },
  change: {
    readonly action: 'start' | 'abort';
    readonly weights: Array<[string, number]>;
    readonly nextState: (version: number, now: Date, actor: string) => RolloutState;
  },
): Promise<RolloutActionResult> {
  const actor = context.actor();
  const now = context.now();
  const { flag, state } = await editFlagForRollout(context.client, context.table, {
    flag: key,
    mutate: (definition) => setFractionalWeights(definition, change.weights),
    nextState: (version) => change.nextState(version, now, actor),
    readVersion: stored.stateVersion,
    actor,
    action: `rollout-${change.action}`,
    now: () => now,
  }).catch(conflict);
  return {
    flag: key,
    action: change.action,
    status: state.status,
    state,
    stateVersion: stored.stateVersion + 1,
    flagVersion: flag.version,
    weights: change.weights,
  };
}

async function start(context: RolloutContext, key: string): Promise<RolloutActionResult> {
  const stored = await readPlanned(context, key);
  const { plan } = stored;
  if (stored.state && isActive(stored.state)) {
    throw new RolloutCommandError(
      'already-active',
      `the rollout of '${key}' is already ${stored.state.status} (${stepLabel(stored.state, plan)}): see \`monoenv flags rollout status ${key}\``,
    );
  }
  // Variant users at the start: 0 (the CLI does not read the analytics table); the controller's first run takes the baseline.
  return setWeightsWithState(context, key, stored, {
    action: 'start',
    weights: weightsAt(plan, plan.steps[0].percent),
    nextState: (version, now, actor) => startedState(plan, version, 0, now, actor),
  });
}

/** Writes the rollout's next state alone, the flag untouched (pause and resume). */
async function writeState(
  context: RolloutContext,
  key: string,
  stored: { readonly stateVersion: number },
  action: 'pause' | 'resume',
  next: RolloutState,
  flagVersion: number,
): Promise<RolloutActionResult> {
  await putState(context.client, context.table, next, stored.stateVersion).catch(conflict);
  return { flag: key, action, status: next.status, state: next, stateVersion: stored.stateVersion + 1, flagVersion, weights: null };
}

async function pause(context: RolloutContext, key: string): Promise<RolloutActionResult> {
  const stored = await readRollout(context.client, context.table, key);
  const { state } = stored;
  if (state?.status !== 'running') {
    throw new RolloutCommandError(
      'not-running',
      `the rollout of '${key}' is ${state ? state.status : 'not started'}: only a running rollout can be paused`,
    );
  }
  const actor = context.actor();
  const next = pausedState(state, context.now(), actor, `paused by ${actor}`);
  return writeState(context, key, stored, 'pause', next, next.flagVersion);
}

async function resume(context: RolloutContext, key: string): Promise<RolloutActionResult> {
  const stored = await readRollout(context.client, context.table, key);
  const { state } = stored;
  if (state?.status !== 'paused') {
    throw new RolloutCommandError(
      'not-paused',
      `the rollout of '${key}' is ${state ? state.status : 'not started'}: only a paused rollout can be resumed`,
    );
  }
  // The flag as it is now: a manual edit made while paused is accepted, and the controller goes on from it.
  const flag = await readFlag(context.client, context.table, key);
  const next = resumedState(state, flag.version, knownVariantUsers(state), context.now(), context.actor());
  return writeState(context, key, stored, 'resume', next, flag.version);
}

async function abort(context: RolloutContext, key: string): Promise<RolloutActionResult> {
  const stored = await readPlanned(context, key);
  const { plan, state: current } = stored;
  if (!current || !isActive(current)) {
    throw new RolloutCommandError(
      'not-active',
      `the rollout of '${key}' is ${current ? current.status : 'not started'}: there is nothing to abort`,
    );
  }
  return setWeightsWithState(context, key, stored, {
    action: 'abort',
    weights: safeWeights(plan),
    nextState: (version, now, actor) => endedState(current, 'aborted', version, now, actor, `aborted by ${actor}`),
  });
}

async function status(context: RolloutContext, key: string): Promise<RolloutStatusView> {
  const [stored, flag, schedules] = await Promise.all([
    readRollout(context.client, context.table, key),
    readFlag(context.client, context.table, key),
    readSchedules(context.client, context.table, { flag: key }),
  ]);
  const { plan, state } = stored;
  if (!plan && !state) throw new RolloutCommandError('no-plan', `no rollout plan for '${key}': add it to rollouts/*.json and deploy`);
  const planStep = state && plan ? plan.steps[state.step] : undefined;
  const check = state?.lastCheck;
  return {
    flag: key,
    plan: plan ?? null,
    state: state ?? null,
    stateVersion: stored.stateVersion,
    current: {
      version: flag.version,
      state: flag.definition.state,
      weights: fractionalWeights(flag.definition) ?? null,
      editedOutsideRollout: state?.status === 'running' && flag.version !== state.flagVersion,
    },
    step:
      state && plan
        ? {
            index: state.step,
            of: plan.steps.length,
            percent: state.percent,
            minMinutes: planStep?.minMinutes ?? 0,
            minUsers: planStep?.minUsers ?? 0,
            startedAt: state.stepStartedAt,
          }
        : null,
    exposures:
      state && check && checkedInStep(state) ? { usersInStep: check.usersInStep, minUsers: planStep?.minUsers ?? 0, at: check.at } : null,
    lastCheck: check ? { at: check.at, decision: check.decision } : null,
    readings: check?.readings ?? [],
    nextDecisionAt: state?.status === 'running' ? (check?.nextDecisionAt ?? null) : null,
    history: state?.history ?? [],
    schedules: schedules.filter((s) => s.status === 'pending'),
  };
}

export const ROLLOUT_ACTIONS = ['start', 'status', 'pause', 'resume', 'abort'] as const;
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];

export function runRolloutAction(
  context: RolloutContext,
  action: RolloutAction,
  key: string,
): Promise<RolloutActionResult | RolloutStatusView> {
  switch (action) {
    case 'start':
      return start(context, key);
    case 'pause':
      return pause(context, key);
    case 'resume':
      return resume(context, key);
    case 'abort':
      return abort(context, key);
    case 'status':
      return status(context, key);
  }
}

/** The change from the command line: `enable`, `disable`, `set-default <variant>`, `set-weights <v>=<w>...`. */
export function parseChange(args: readonly string[]): FlagChange {
  const [name, ...rest] = args;
  const expect = (count: number, what: string) => {
    if (rest.length !== count)
      throw new UsageError(`schedule ${name} takes ${what}, got ${rest.length === 0 ? 'nothing' : rest.join(' ')}`);
  };
  let raw: unknown;
  if (name === 'enable' || name === 'disable') {
    expect(0, 'no more arguments');
    raw = { change: name };
  } else if (name === 'set-default') {
    expect(1, '<variant>');
    raw = { change: name, variant: rest[0] };
  } else if (name === 'set-weights') {
    raw = { change: name, weights: Object.fromEntries(parseWeights(rest)) };
  } else {
    throw new UsageError(`unknown change '${name}': enable, disable, set-default <variant> or set-weights <variant>=<weight>...`);
  }
  const parsed = changeSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`invalid change: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  return parsed.data;
}

const isoWithOffset = z.iso.datetime({ offset: true });

/** `--at`: ISO 8601 with a time zone offset, in the future; returned in UTC. */
export function parseAt(at: string | undefined, now: Date): string {
  if (at === undefined) throw new UsageError('schedule <key> <change> needs --at <time>, e.g. --at 2026-12-24T06:00:00Z');
  if (!isoWithOffset.safeParse(at).success) {
    throw new UsageError(
      `--at must be ISO 8601 with a time zone offset, e.g. 2026-12-24T06:00:00Z or 2026-12-24T07:00:00+01:00; got '${at}'`,
    );
  }
  const when = new Date(at);
  if (when.getTime() <= now.getTime()) {
    throw new RolloutCommandError('at-in-past', `--at ${at} is not in the future (now ${now.toISOString()})`);
  }
  return when.toISOString();
}

export async function addFlagSchedule(
  context: RolloutContext,
  key: string,
  changeArgs: readonly string[],
  at: string | undefined,
): Promise<ScheduleResult> {
  const change = parseChange(changeArgs);
  const now = context.now();
  const when = parseAt(at, now);
  const [flag, rollout] = await Promise.all([
    readFlag(context.client, context.table, key),
    readRollout(context.client, context.table, key),
  ]);
  const issues = changeIssues(flag.definition, key, change);
  if (issues.length > 0)
    throw new RolloutCommandError('invalid-change', `cannot schedule ${describeChange(change)} on '${key}': ${issues.join('; ')}`);
  const warnings =
    rollout.state && isActive(rollout.state)
      ? [
          `the rollout of '${key}' is ${rollout.state.status}: if it still is when this fires, the change is an edit outside the rollout and the controller pauses it`,
        ]
      : [];
  const schedule = await addSchedule(
    context.client,
    context.table,
    { flag: key, at: when, change },
    randomUUID().slice(0, 8),
    context.actor(),
  );
  return { schedule, description: describeChange(change), warnings };
}

export const listFlagSchedules = async (context: RolloutContext, key: string): Promise<StoredSchedule[]> => {
  await readFlag(context.client, context.table, key); // a clear "not found" rather than an empty list
  return readSchedules(context.client, context.table, { flag: key });
};
