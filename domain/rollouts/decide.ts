import type { GuardrailReading } from './guardrails';
import type { RolloutPlan } from './rollout-plan';
import type { RolloutState } from './rollout-state';

/**
 * What the controller does with a running rollout on one tick (pure). In order: a flag edited by someone else
 * pauses the rollout; a regressed guardrail rolls it back; a step that has had its time and its users moves on
 * (or completes the rollout at the last step); otherwise it holds.
 */
export type Decision =
  | { readonly action: 'pause'; readonly reason: string }
  | { readonly action: 'roll-back'; readonly reason: string; readonly regressed: readonly GuardrailReading[] }
  | { readonly action: 'advance'; readonly step: number; readonly percent: number }
  | { readonly action: 'complete' }
  | { readonly action: 'hold'; readonly waitingFor: string; readonly nextDecisionAt: string };

export interface DecisionInput {
  readonly plan: RolloutPlan;
  readonly state: RolloutState;
  /** The flag as it is now. */
  readonly flag: { readonly version: number; readonly updatedBy?: string };
  readonly readings: readonly GuardrailReading[];
  /** Users exposed to the variant so far (the journey processor's count). */
  readonly variantUsers: number;
  readonly now: Date;
  /** How often the controller runs, for the next decision time. */
  readonly intervalMs: number;
}

const MINUTE_MS = 60_000;

/** One regressed reading in words, for the reason and the alert. */
export function describeReading(reading: GuardrailReading): string {
  const value = (v: number) =>
    reading.unit === 'ms' ? `${Math.round(v)} ms` : reading.unit === 'rate' ? `${(v * 100).toFixed(2)}%` : `${(v * 100).toFixed(1)}%`;
  const interval = reading.interval ? ` [${value(reading.interval[0])}, ${value(reading.interval[1])}]` : '';
  const estimate = reading.estimate === undefined ? 'no data' : `${value(reading.estimate)}${interval}`;
  return `${reading.name}: ${estimate}, limit ${value(reading.limit)} (${reading.basis})`;
}

export function decide(input: DecisionInput): Decision {
  const { plan, state, flag, readings, now } = input;
  if (flag.version !== state.flagVersion) {
    return {
      action: 'pause',
      reason: `flag edited outside the rollout (version ${flag.version}${flag.updatedBy ? ` by ${flag.updatedBy}` : ''}, the rollout wrote ${state.flagVersion})`,
    };
  }
  const regressed = readings.filter((reading) => reading.status === 'regressed');
  if (regressed.length > 0) {
    return { action: 'roll-back', reason: `guardrail regressed: ${regressed.map(describeReading).join('; ')}`, regressed };
  }

  const step = plan.steps[state.step];
  const readyAt = Date.parse(state.stepStartedAt) + step.minMinutes * MINUTE_MS;
  const usersInStep = Math.max(0, input.variantUsers - state.usersAtStepStart);
  const waiting: string[] = [];
  if (now.getTime() < readyAt) waiting.push(`minimum time (until ${new Date(readyAt).toISOString()})`);
  if (usersInStep < step.minUsers) waiting.push(`${step.minUsers - usersInStep} more exposed users (${usersInStep} of ${step.minUsers})`);
  if (waiting.length === 0) {
    if (state.step + 1 >= plan.steps.length) return { action: 'complete' };
    return { action: 'advance', step: state.step + 1, percent: plan.steps[state.step + 1].percent };
  }
  const next = Math.max(now.getTime() + input.intervalMs, now.getTime() < readyAt ? readyAt : 0);
  return { action: 'hold', waitingFor: waiting.join(' and '), nextDecisionAt: new Date(next).toISOString() };
}

/** The audit action recorded on the flag for a decision that edits it. */
export const auditAction = (decision: Decision): string => `rollout-${decision.action}`;
