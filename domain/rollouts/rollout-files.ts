import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlagDefinition, FlagDocument } from '../flags/evaluator';
import { fractionalWeights } from '../flags/flag-edits';
import { resolvePlan, resolveSchedule, rolloutFileSchema, type FlagChange, type RolloutPlan, type ScheduledChange } from './rollout-plan';

/**
 * The `rollouts/` folder: every `*.json` in it, validated on its own (rollout-plan.ts) and against what it names:
 * the flags (and their variants), the journeys and the services. A missing folder means no plans.
 */
export interface RolloutDir {
  readonly plans: readonly RolloutPlan[];
  readonly schedules: readonly ScheduledChange[];
}

/** What plans may name, from the rest of the environment. */
export interface RolloutContext {
  readonly flags: FlagDocument;
  readonly journeys: readonly string[];
  readonly services: readonly string[];
}

export class RolloutDirError extends Error {
  constructor(
    readonly dir: string,
    readonly issues: readonly string[],
  ) {
    super(`rollout files in ${dir} are invalid (${issues.length} issue${issues.length === 1 ? '' : 's'}):\n  ${issues.join('\n  ')}`);
    this.name = 'RolloutDirError';
  }
}

const has = (record: object, key: string) => Object.prototype.hasOwnProperty.call(record, key);

/** Issues of one change to one flag ('' when it can be made), as `monoenv flags` would refuse them. */
export function changeIssues(flag: FlagDefinition | undefined, key: string, change: FlagChange): string[] {
  if (!flag) return [`flag '${key}' is not defined in the flag files`];
  const variants = Object.keys(flag.variants);
  const unknown = (variant: string) => `'${variant}' is not a variant of flag '${key}' (${variants.join(', ')})`;
  if (change.change === 'set-default' && !has(flag.variants, change.variant)) return [unknown(change.variant)];
  if (change.change === 'set-weights') {
    const issues = Object.keys(change.weights)
      .filter((variant) => !has(flag.variants, variant))
      .map(unknown);
    if (!fractionalWeights(flag)) issues.push(`flag '${key}' has no fractional rule in its targeting to set weights on`);
    if (Object.values(change.weights).every((weight) => weight === 0)) issues.push('at least one weight must be above 0');
    return issues;
  }
  return [];
}

function planIssues(plan: RolloutPlan, context: RolloutContext): string[] {
  const flag = has(context.flags.flags, plan.flag) ? (context.flags.flags[plan.flag] as FlagDefinition) : undefined;
  if (!flag) return ['flag: not defined in the flag files'];
  const issues: string[] = [];
  for (const field of ['variant', 'safeVariant'] as const) {
    if (!has(flag.variants, plan[field]))
      issues.push(`${field}: '${plan[field]}' is not a variant of the flag (${Object.keys(flag.variants).join(', ')})`);
  }
  if (!fractionalWeights(flag)) issues.push('flag: has no fractional rule in its targeting for the rollout to set weights on');
  for (const journey of Object.keys(plan.guardrails.journeys)) {
    if (!context.journeys.includes(journey))
      issues.push(`guardrails.journeys.${journey}: no such journey (${context.journeys.join(', ') || 'none'})`);
  }
  const service = plan.guardrails.service?.name;
  if (service !== undefined && !context.services.includes(service)) {
    issues.push(`guardrails.service.name: no service '${service}' in the config (${context.services.join(', ')})`);
  }
  return issues;
}

/** Reads and checks every `*.json` in `dir`; throws RolloutDirError listing every issue with file and field. */
export function loadRolloutDir(dir: string, context: RolloutContext): RolloutDir {
  if (!existsSync(dir)) return { plans: [], schedules: [] };
  const issues: string[] = [];
  const plans: RolloutPlan[] = [];
  const schedules: ScheduledChange[] = [];
  const fileOfPlan = new Map<string, string>();
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (error) {
      issues.push(`${file}: not valid JSON: ${(error as Error).message}`);
      continue;
    }
    const parsed = rolloutFileSchema.safeParse(raw);
    if (!parsed.success) {
      issues.push(...parsed.error.issues.map((issue) => `${file} ${issue.path.join('.') || '(file)'}: ${issue.message}`));
      continue;
    }
    for (const [flag, input] of Object.entries(parsed.data.rollouts)) {
      const where = `${file} rollouts.${flag}`;
      const first = fileOfPlan.get(flag);
      if (first) {
        issues.push(`${where}: flag '${flag}' already has a plan in ${first}`);
        continue;
      }
      fileOfPlan.set(flag, file);
      const plan = resolvePlan(flag, input);
      const found = planIssues(plan, context);
      if (found.length > 0) issues.push(...found.map((issue) => `${where}.${issue}`));
      else plans.push(plan);
    }
    parsed.data.schedules.forEach((input, index) => {
      const schedule = resolveSchedule(input);
      const flag = has(context.flags.flags, schedule.flag) ? (context.flags.flags[schedule.flag] as FlagDefinition) : undefined;
      const found = changeIssues(flag, schedule.flag, schedule.change);
      if (found.length > 0) issues.push(...found.map((issue) => `${file} schedules.${index}: ${issue}`));
      else schedules.push(schedule);
    });
  }
  if (issues.length > 0) throw new RolloutDirError(dir, issues);
  return { plans, schedules };
}
