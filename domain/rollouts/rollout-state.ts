import type { GuardrailReading, RolloutBaseline } from './guardrails';
import type { RolloutPlan } from './rollout-plan';

/**
 * A rollout's state (one item per flag in the flag table) and its transitions, pure: the controller and the CLI
 * both change it through these, so the history reads the same whoever acted.
 */
export type RolloutStatus = 'running' | 'paused' | 'rolled-back' | 'completed' | 'aborted';

export type RolloutEventKind = 'started' | 'advanced' | 'paused' | 'resumed' | 'rolled-back' | 'completed' | 'aborted';

export interface RolloutEvent {
  readonly at: string;
  readonly event: RolloutEventKind;
  readonly percent: number;
  readonly actor: string;
  readonly detail?: string;
}

/** The controller's last look at a running rollout, for `status`. */
export interface RolloutCheck {
  readonly at: string;
  readonly readings: readonly GuardrailReading[];
  readonly usersInStep: number;
  readonly decision: string;
  readonly nextDecisionAt?: string;
}

export interface RolloutState {
  readonly flag: string;
  readonly status: RolloutStatus;
  /** Index of the current step in the plan. */
  readonly step: number;
  readonly percent: number;
  readonly stepStartedAt: string;
  /** Users exposed to the variant when the step began (the step's users are counted from there). */
  readonly usersAtStepStart: number;
  /** The flag version the rollout last wrote: any other version means someone edited the flag. */
  readonly flagVersion: number;
  /** Why it is paused, rolled back or aborted. */
  readonly reason?: string;
  readonly history: readonly RolloutEvent[];
  readonly lastCheck?: RolloutCheck;
  /** Taken by the controller's first run after the start. @default - not yet taken */
  readonly baseline?: RolloutBaseline;
}

/** The actor of the controller's edits, in the flag audit trail and the history. */
export const CONTROLLER_ACTOR = 'rollout-controller';

/** Weights of the flag's fractional rule at a step: the variant at `percent`, the safe variant the rest. */
export function weightsAt(plan: RolloutPlan, percent: number): Array<[string, number]> {
  return percent >= 100
    ? [
        [plan.variant, 100],
        [plan.safeVariant, 0],
      ]
    : [
        [plan.variant, percent],
        [plan.safeVariant, 100 - percent],
      ];
}

/** Everyone on the safe variant. */
export const safeWeights = (plan: RolloutPlan): Array<[string, number]> => [
  [plan.safeVariant, 100],
  [plan.variant, 0],
];

const event = (at: Date, kind: RolloutEventKind, percent: number, actor: string, detail?: string): RolloutEvent => ({
  at: at.toISOString(),
  event: kind,
  percent,
  actor,
  ...(detail ? { detail } : {}),
});

/** A new rollout at its first step (the flag was written at `flagVersion` with `weightsAt(plan, steps[0])`). */
export function startedState(plan: RolloutPlan, flagVersion: number, variantUsers: number, now: Date, actor: string): RolloutState {
  const percent = plan.steps[0].percent;
  return {
    flag: plan.flag,
    status: 'running',
    step: 0,
    percent,
    stepStartedAt: now.toISOString(),
    usersAtStepStart: variantUsers,
    flagVersion,
    history: [event(now, 'started', percent, actor)],
  };
}

export function advancedState(state: RolloutState, plan: RolloutPlan, flagVersion: number, variantUsers: number, now: Date): RolloutState {
  const step = state.step + 1;
  const percent = plan.steps[step].percent;
  return {
    ...state,
    step,
    percent,
    stepStartedAt: now.toISOString(),
    usersAtStepStart: variantUsers,
    flagVersion,
    history: [...state.history, event(now, 'advanced', percent, CONTROLLER_ACTOR)],
  };
}

/** Ends the rollout (rolled back, completed, aborted); `flagVersion` is the last version it wrote. */
export function endedState(
  state: RolloutState,
  status: 'rolled-back' | 'completed' | 'aborted',
  flagVersion: number,
  now: Date,
  actor: string,
  reason?: string,
): RolloutState {
  const kind: RolloutEventKind = status;
  const percent = status === 'completed' ? state.percent : 0;
  return { ...state, status, percent, flagVersion, reason, history: [...state.history, event(now, kind, percent, actor, reason)] };
}

export function pausedState(state: RolloutState, now: Date, actor: string, reason: string): RolloutState {
  return { ...state, status: 'paused', reason, history: [...state.history, event(now, 'paused', state.percent, actor, reason)] };
}

/**
 * Running again from the flag as it now is (a manual edit is accepted): the step starts over, so its minimum time
 * and users count from now.
 */
export function resumedState(state: RolloutState, flagVersion: number, variantUsers: number, now: Date, actor: string): RolloutState {
  return {
    ...state,
    status: 'running',
    reason: undefined,
    flagVersion,
    stepStartedAt: now.toISOString(),
    usersAtStepStart: variantUsers,
    history: [...state.history, event(now, 'resumed', state.percent, actor)],
  };
}

export const isActive = (state: RolloutState | undefined): boolean => state?.status === 'running' || state?.status === 'paused';
