import { z } from 'zod';

/**
 * Rollout plans and scheduled changes as code: the `rollouts/*.json` files beside `flags/`. A plan rolls one
 * variant of a flag out in steps, each held for a minimum time and a minimum of exposed users, while guardrails
 * watch it; a scheduled change edits a flag once, at a given time. Validated at synth (rollout-files.ts adds
 * the checks against the flags, journeys and services), written to the flag table, run by the rollout controller.
 */
const percent = z.number().int('a step is a whole per cent').min(1, 'a step is at least 1 %').max(100, 'a step is at most 100 %');

export const rolloutStepSchema = z.union([
  percent,
  z.strictObject({
    percent,
    /** @default - the plan's minStepMinutes */
    minMinutes: z.number().int().nonnegative().optional(),
    /** @default - the plan's minStepUsers */
    minUsers: z.number().int().nonnegative().optional(),
  }),
]);

export const journeyGuardrailSchema = z.strictObject({
  /**
   * The largest relative drop of the journey's conversion (variant against the safe variant) tolerated: the rollout
   * rolls back once the always-valid interval of the relative change lies wholly below -maxRelativeDrop.
   */
  maxRelativeDrop: z.number().min(0).max(1).default(0.05),
});

export const serviceGuardrailSchema = z.strictObject({
  /** A service of the config (`services[].name`): the one that evaluates the flag. */
  name: z.string().min(1),
  /** Highest share of the service's requests answered 5xx (load balancer metrics). @default 0.01 */
  max5xxRate: z.number().gt(0).max(1).default(0.01),
  /** Highest p99 response time of the service over the step, in ms. @default - not watched */
  maxP99LatencyMs: z.number().int().positive().optional(),
});

export const rolloutPlanSchema = z
  .strictObject({
    /** The variant rolled out. */
    variant: z.string().min(1),
    /** The variant everyone else gets, and everyone after a roll-back. */
    safeVariant: z.string().min(1),
    /** Share of users (per cent) given the variant at each step, increasing; the last is usually 100. */
    steps: z.array(rolloutStepSchema).min(1),
    /** Minimum time at each step before the next. */
    minStepMinutes: z.number().int().nonnegative().default(60),
    /** Minimum users exposed to the variant during each step before the next. */
    minStepUsers: z.number().int().nonnegative().default(100),
    guardrails: z
      .strictObject({
        /** Journey conversion per variant, from the journey processor, by journey name. */
        journeys: z.record(z.string().min(1), journeyGuardrailSchema).default({}),
        service: serviceGuardrailSchema.optional(),
        /** Highest share of the flag API's evaluations that fail. @default 0.01 */
        maxFlagErrorRate: z.number().gt(0).max(1).default(0.01),
      })
      .default({ journeys: {}, maxFlagErrorRate: 0.01 }),
    /** False alarm rate of each guardrail over the whole rollout (always-valid, however often it is checked). */
    alpha: z.number().gt(0).max(0.5).default(0.05),
  })
  .superRefine((plan, ctx) => {
    if (plan.variant === plan.safeVariant) ctx.addIssue({ code: 'custom', path: ['safeVariant'], message: 'must differ from variant' });
    const percents = plan.steps.map((step) => (typeof step === 'number' ? step : step.percent));
    percents.forEach((value, index) => {
      if (index > 0 && value <= percents[index - 1])
        ctx.addIssue({ code: 'custom', path: ['steps', index], message: `steps must increase (${value} after ${percents[index - 1]})` });
    });
  });

export const changeSchema = z.discriminatedUnion('change', [
  z.strictObject({ change: z.literal('enable') }),
  z.strictObject({ change: z.literal('disable') }),
  z.strictObject({ change: z.literal('set-default'), variant: z.string().min(1) }),
  z.strictObject({
    change: z.literal('set-weights'),
    /** Whole, non-negative weights by variant, as `monoenv flags set-weights` takes them. */
    weights: z.record(z.string().min(1), z.number().int().nonnegative()),
  }),
]);

export const scheduledChangeSchema = z.intersection(
  z.object({
    flag: z.string().min(1),
    /** When, with a time zone offset (e.g. `2026-12-24T06:00:00Z`). */
    at: z.iso.datetime({ offset: true }),
  }),
  changeSchema,
);

export const rolloutFileSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Plans by flag key (one plan per flag across all files). */
  rollouts: z.record(z.string().min(1), rolloutPlanSchema).default({}),
  schedules: z.array(scheduledChangeSchema).default([]),
});

export type RolloutPlanInput = z.input<typeof rolloutPlanSchema>;
export type FlagChange = z.output<typeof changeSchema>;
export type ScheduledChangeInput = z.input<typeof scheduledChangeSchema>;

export interface RolloutStep {
  readonly percent: number;
  readonly minMinutes: number;
  readonly minUsers: number;
}

/** A validated plan, steps resolved: what the table holds and the controller runs. */
export interface RolloutPlan {
  readonly flag: string;
  readonly variant: string;
  readonly safeVariant: string;
  readonly steps: readonly RolloutStep[];
  readonly guardrails: {
    readonly journeys: Readonly<Record<string, { readonly maxRelativeDrop: number }>>;
    readonly service?: { readonly name: string; readonly max5xxRate: number; readonly maxP99LatencyMs?: number };
    readonly maxFlagErrorRate: number;
  };
  readonly alpha: number;
}

export interface ScheduledChange {
  readonly flag: string;
  /** ISO 8601 in UTC. */
  readonly at: string;
  readonly change: FlagChange;
}

/** Resolves each step's minimums from the plan's. */
export function resolvePlan(flag: string, parsed: z.output<typeof rolloutPlanSchema>): RolloutPlan {
  return {
    flag,
    variant: parsed.variant,
    safeVariant: parsed.safeVariant,
    steps: parsed.steps.map((step) =>
      typeof step === 'number'
        ? { percent: step, minMinutes: parsed.minStepMinutes, minUsers: parsed.minStepUsers }
        : { percent: step.percent, minMinutes: step.minMinutes ?? parsed.minStepMinutes, minUsers: step.minUsers ?? parsed.minStepUsers },
    ),
    guardrails: parsed.guardrails,
    alpha: parsed.alpha,
  };
}

/** A scheduled change in the stored form: the time in UTC, the change apart. */
export function resolveSchedule(parsed: z.output<typeof scheduledChangeSchema>): ScheduledChange {
  const { flag, at, ...change } = parsed;
  return { flag, at: new Date(at).toISOString(), change: change as FlagChange };
}
