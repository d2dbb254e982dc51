/**
 * One run of the rollout controller, over ports (no AWS here: handler.ts adapts the SDK to them). For each
 * running rollout: read the flag, the journey processor's summary and the service signals since the step began,
 * decide (domain/rollouts/decide.ts), and act through the flag table's optimistic-concurrency edits, so the
 * flag, the rollout's state and the audit entry change together or not at all. Then fire the due schedules.
 * A rollout another controller (or a person) changed meanwhile is left for the next run.
 */
import type { ExperimentSummary } from '../../domain/experiments/experiment-summary';
import type { FlagDefinition } from '../../domain/flags/evaluator';
import { setFractionalWeights } from '../../domain/flags/flag-edits';
import { applyChange, describeChange } from '../../domain/rollouts/apply-change';
import { auditAction, decide, describeReading, type Decision } from '../../domain/rollouts/decide';
import { baselineOf, readGuardrails, sinceBaseline, type ServiceSignals } from '../../domain/rollouts/guardrails';
import type { RolloutPlan } from '../../domain/rollouts/rollout-plan';
import {
  CONTROLLER_ACTOR,
  advancedState,
  endedState,
  pausedState,
  safeWeights,
  weightsAt,
  type RolloutState,
} from '../../domain/rollouts/rollout-state';
import type { FireOutcome, StoredRollout, StoredSchedule } from '../../domain/rollouts/rollout-table';

export interface ControllerFlag {
  readonly version: number;
  readonly updatedBy?: string;
  readonly definition: FlagDefinition;
}

export interface ControllerPorts {
  readRollouts(): Promise<StoredRollout[]>;
  readFlag(key: string): Promise<ControllerFlag>;
  /** The journey processor's per-variant summary of the flag; undefined while fewer than two variants have exposures. */
  readSummary(flag: string): Promise<ExperimentSummary | undefined>;
  readSignals(plan: RolloutPlan, since: Date, until: Date): Promise<ServiceSignals>;
  /** Edits the flag (only at `flagVersion`) and writes `nextState(newVersion)` (only at `readVersion`), in one transaction. */
  editFlag(edit: {
    readonly plan: RolloutPlan;
    readonly flagVersion: number;
    readonly readVersion: number;
    readonly mutate: (flag: FlagDefinition) => FlagDefinition;
    readonly nextState: (newFlagVersion: number) => RolloutState;
    readonly action: string;
  }): Promise<void>;
  /** Writes the state alone, only at `readVersion`. */
  putState(state: RolloutState, readVersion: number): Promise<void>;
  dueSchedules(now: Date): Promise<StoredSchedule[]>;
  fireSchedule(schedule: StoredSchedule, mutate: (flag: FlagDefinition) => FlagDefinition): Promise<FireOutcome>;
  failSchedule(schedule: StoredSchedule, reason: string): Promise<boolean>;
  alert(subject: string, message: string): Promise<void>;
  log(line: string): void;
}

export interface ControllerOptions {
  readonly now: () => Date;
  readonly intervalMs: number;
}

export interface RolloutOutcome {
  readonly flag: string;
  readonly decision: Decision['action'] | 'skipped';
  readonly detail?: string;
}

export interface ScheduleOutcome {
  readonly id: string;
  readonly flag: string;
  readonly outcome: 'fired' | 'already-done' | 'failed';
  readonly detail?: string;
}

export interface ControllerRun {
  readonly rollouts: readonly RolloutOutcome[];
  readonly schedules: readonly ScheduleOutcome[];
}

/** The name the journey processor counts exposures under: the variant's users. */
const usersOf = (summary: ExperimentSummary | undefined, variant: string): number =>
  summary?.variants.find((v) => v.name === variant)?.users ?? 0;

/** Errors that say the change itself cannot be made (not that AWS failed this once). */
const CANNOT_BE_MADE = ['FlagEditError', 'FlagValidationError', 'FlagNotFoundError'];

/** Conflicts mean someone else acted first: the next run sees their result. */
const isConflict = (error: unknown): boolean =>
  ['ConcurrentModificationError', 'RolloutStateConflictError'].includes((error as Error)?.name);

function rollBackAlert(plan: RolloutPlan, state: RolloutState, decision: Extract<Decision, { action: 'roll-back' }>, readings: string[]) {
  const subject = `monoenv: rollout of ${plan.flag} rolled back`;
  const message = [
    `The rollout of flag '${plan.flag}' (variant '${plan.variant}') was rolled back at ${state.percent}% (step ${state.step + 1} of ${plan.steps.length}):`,
    `everyone is on '${plan.safeVariant}' again and the rollout has stopped.`,
    '',
    'Regressed:',
    ...decision.regressed.map((reading) => `  ${describeReading(reading)}`),
    '',
    'All guardrails at the decision:',
    ...readings.map((line) => `  ${line}`),
    '',
    `History and readings: monoenv flags rollout status ${plan.flag}`,
  ];
  return { subject, message: message.join('\n') };
}

async function runRollout(ports: ControllerPorts, options: ControllerOptions, stored: StoredRollout): Promise<RolloutOutcome> {
  const { plan, state } = stored;
  if (!plan || !state || state.status !== 'running')
    return { flag: stored.flag, decision: 'skipped', detail: state?.status ?? 'not started' };
  const now = options.now();
  const flag = await ports.readFlag(plan.flag);
  const summary = await ports.readSummary(plan.flag);
  const variantUsers = usersOf(summary, plan.variant);
  if (!state.baseline) {
    // The first look: guardrails judge only what comes after it, and the step counts its users from here.
    const baseline = baselineOf(summary, plan, now);
    await ports.putState(
      {
        ...state,
        baseline,
        usersAtStepStart: variantUsers,
        lastCheck: { at: now.toISOString(), readings: [], usersInStep: 0, decision: 'baseline taken' },
      },
      stored.stateVersion,
    );
    return { flag: plan.flag, decision: 'hold', detail: 'baseline taken' };
  }
  const signals = await ports.readSignals(plan, new Date(state.stepStartedAt), now);
  const readings = readGuardrails(plan, sinceBaseline(summary, state.baseline), signals);
  const decision = decide({ plan, state, flag, readings, variantUsers, now, intervalMs: options.intervalMs });
  const check = (words: string, nextDecisionAt?: string) => ({
    at: now.toISOString(),
    readings,
    usersInStep: Math.max(0, variantUsers - state.usersAtStepStart),
    decision: words,
    ...(nextDecisionAt ? { nextDecisionAt } : {}),
  });
  const edit = (mutate: (f: FlagDefinition) => FlagDefinition, nextState: (version: number) => RolloutState) =>
    ports.editFlag({
      plan,
      flagVersion: state.flagVersion,
      readVersion: stored.stateVersion,
      mutate,
      nextState,
      action: auditAction(decision),
    });

  switch (decision.action) {
    case 'pause':
      await ports.putState(
        { ...pausedState(state, now, CONTROLLER_ACTOR, decision.reason), lastCheck: check(`paused: ${decision.reason}`) },
        stored.stateVersion,
      );
      ports.log(`${plan.flag}: paused: ${decision.reason}`);
      return { flag: plan.flag, decision: 'pause', detail: decision.reason };
    case 'roll-back': {
      await edit(
        (f) => setFractionalWeights(f, safeWeights(plan)),
        (version) => ({
          ...endedState(state, 'rolled-back', version, now, CONTROLLER_ACTOR, decision.reason),
          lastCheck: check(`rolled back: ${decision.reason}`),
        }),
      );
      const { subject, message } = rollBackAlert(plan, state, decision, readings.map(describeReading));
      ports.log(`${plan.flag}: rolled back: ${decision.reason}`);
      // After the flag is safe: an alert that fails must not keep users on the bad variant.
      await ports.alert(subject, message).catch((error: Error) => ports.log(`${plan.flag}: the roll-back alert failed: ${error.message}`));
      return { flag: plan.flag, decision: 'roll-back', detail: decision.reason };
    }
    case 'advance':
      await edit(
        (f) => setFractionalWeights(f, weightsAt(plan, decision.percent)),
        (version) => ({ ...advancedState(state, plan, version, variantUsers, now), lastCheck: check(`advanced to ${decision.percent}%`) }),
      );
      ports.log(`${plan.flag}: advanced to ${decision.percent}%`);
      return { flag: plan.flag, decision: 'advance', detail: `${decision.percent}%` };
    case 'complete':
      await ports.putState(
        { ...endedState(state, 'completed', state.flagVersion, now, CONTROLLER_ACTOR), lastCheck: check('completed') },
        stored.stateVersion,
      );
      ports.log(`${plan.flag}: rollout completed at ${state.percent}%`);
      return { flag: plan.flag, decision: 'complete' };
    case 'hold':
      await ports.putState(
        { ...state, lastCheck: check(`holding for ${decision.waitingFor}`, decision.nextDecisionAt) },
        stored.stateVersion,
      );
      return { flag: plan.flag, decision: 'hold', detail: decision.waitingFor };
  }
}

async function runSchedule(ports: ControllerPorts, schedule: StoredSchedule): Promise<ScheduleOutcome> {
  const base = { id: schedule.id, flag: schedule.flag };
  try {
    const outcome = await ports.fireSchedule(schedule, (flag) => applyChange(flag, schedule.change));
    if (!outcome.fired) return { ...base, outcome: 'already-done' };
    ports.log(`${schedule.flag}: scheduled ${describeChange(schedule.change)} made (version ${outcome.flag.version})`);
    return { ...base, outcome: 'fired', detail: `version ${outcome.flag.version}` };
  } catch (error) {
    if (isConflict(error)) return { ...base, outcome: 'already-done', detail: 'the flag kept changing; next run' };
    if (!CANNOT_BE_MADE.includes((error as Error)?.name)) throw error; // e.g. throttled: the next run tries again
    // The change cannot be made (the flag or the variant is gone, the edit is invalid): say so once, never retry forever.
    const reason = (error as Error).message;
    if (await ports.failSchedule(schedule, reason)) {
      await ports
        .alert(
          `monoenv: scheduled change to ${schedule.flag} failed`,
          `The change '${describeChange(schedule.change)}' to flag '${schedule.flag}', due ${schedule.at}, could not be made: ${reason}`,
        )
        .catch((alertError: Error) => ports.log(`${schedule.flag}: the alert failed: ${alertError.message}`));
    }
    return { ...base, outcome: 'failed', detail: reason };
  }
}

export class ControllerRunError extends Error {
  constructor(
    readonly run: ControllerRun,
    readonly failures: readonly Error[],
  ) {
    super(`${failures.length} rollout(s) or schedule(s) failed this run: ${failures.map((f) => f.message).join('; ')}`);
    this.name = 'ControllerRunError';
  }
}

/**
 * One scheduled run: every rollout, then every due schedule. One failing never stops the others; the run then
 * throws ControllerRunError, so the function's error alarm sees it, and the next run tries again.
 */
export async function runController(ports: ControllerPorts, options: ControllerOptions): Promise<ControllerRun> {
  const rollouts: RolloutOutcome[] = [];
  const schedules: ScheduleOutcome[] = [];
  const failures: Error[] = [];
  for (const stored of await ports.readRollouts()) {
    try {
      rollouts.push(await runRollout(ports, options, stored));
    } catch (error) {
      if (!isConflict(error)) {
        failures.push(error as Error);
        ports.log(`${stored.flag}: failed: ${(error as Error).message}`);
        continue;
      }
      ports.log(`${stored.flag}: changed meanwhile by someone else; next run`);
      rollouts.push({ flag: stored.flag, decision: 'skipped', detail: 'changed meanwhile' });
    }
  }
  for (const schedule of await ports.dueSchedules(options.now())) {
    if (schedule.status !== 'pending') continue;
    try {
      schedules.push(await runSchedule(ports, schedule));
    } catch (error) {
      failures.push(error as Error);
      ports.log(`${schedule.flag}: schedule ${schedule.id} failed this run: ${(error as Error).message}`);
    }
  }
  const run = { rollouts, schedules };
  if (failures.length > 0) throw new ControllerRunError(run, failures);
  return run;
}
