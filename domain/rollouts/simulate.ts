import type { ExperimentSummary } from '../experiments/experiment-summary';
import { decide } from './decide';
import { readGuardrails } from './guardrails';
import type { RolloutPlan } from './rollout-plan';
import { advancedState, CONTROLLER_ACTOR, endedState, startedState, type RolloutState } from './rollout-state';

/**
 * Simulated rollouts that hold the controller's statistics to account (pure: no I/O, no clock, no AWS). Each
 * simulated minute, users arrive, the flag gives each the variant with the current step's probability, each
 * converts (or not) at once, and then the controller's own code runs on the cumulative counts: `readGuardrails`
 * (journey conversion only; no service signals, which read insufficient-data and never regress) and `decide`,
 * with the flag at the version the rollout last wrote (nobody edits it by hand). Advances, completion and
 * roll-back go through the state functions, as the controller applies them.
 *
 * What it does not model: conversions that lag exposure, users who return, drift of the baseline over the day.
 */

/** The journey the default plan guards (the example checkout's). */
export const SIMULATED_JOURNEY = 'checkout';

/**
 * The plan the simulations run by default: 1, 5, 25, 50 and 100 %, one journey guardrail (`checkout` conversion,
 * no drop tolerated: `maxRelativeDrop` 0, so an A/A rollout tests alpha itself), alpha 0.05. Each step holds for
 * 30 minutes (60 at 25 % and 50 %, where most of the evidence is gathered) and until enough users have had the
 * variant during it: 25 at 1 % (at 50 users a minute it brings one every two minutes), 100 at 5 %, 500 after.
 * An A/A run takes about four hours.
 *
 * The goals (A/A rollouts roll back at most 5 % of the time; a 20 % relative drop of conversion is rolled back
 * before the 50 % step in at least 90 % of runs) are properties of this plan together with the traffic of
 * `SIMULATION_DEFAULTS`: 50 users a minute (Poisson) converting at 40 %. The power against a drop comes from the
 * users seen before 50 %, so less traffic or shorter steps lower it. The false roll-back rate should not depend on
 * them, the interval being always valid, as long as the normal approximation behind it holds: it does not for a
 * variant's first handful of users, which every rollout goes through at 1 %. `npm run bench` prints both rates.
 */
export const DEFAULT_SIMULATION_PLAN: RolloutPlan = {
  flag: 'new-checkout',
  variant: 'new',
  safeVariant: 'current',
  steps: [
    { percent: 1, minMinutes: 30, minUsers: 25 },
    { percent: 5, minMinutes: 30, minUsers: 100 },
    { percent: 25, minMinutes: 60, minUsers: 500 },
    { percent: 50, minMinutes: 60, minUsers: 500 },
    { percent: 100, minMinutes: 30, minUsers: 500 },
  ],
  guardrails: { journeys: { [SIMULATED_JOURNEY]: { maxRelativeDrop: 0 } }, maxFlagErrorRate: 0.01 },
  alpha: 0.05,
};

/** The traffic the default plan is judged against: the example checkout converts about 41 % of its users. */
export const SIMULATION_DEFAULTS = {
  plan: DEFAULT_SIMULATION_PLAN,
  baselineConversion: 0.4,
  usersPerMinute: 50,
  /** A week: far beyond the plan's minimums, so a run that has not ended by then is stuck. */
  maxMinutes: 7 * 24 * 60,
} as const;

export interface SimulationOptions {
  readonly plan: RolloutPlan;
  /** Conversion of the safe variant, 0 to 1. */
  readonly baselineConversion: number;
  /** The variant converts at baselineConversion * (1 + relativeEffect): 0 is an A/A rollout, -0.2 a 20 % drop. */
  readonly relativeEffect: number;
  /** Mean arrivals a minute (Poisson). */
  readonly usersPerMinute: number;
  /** Any 32-bit integer: the same seed gives the same run. */
  readonly seed: number;
  /** @default SIMULATION_DEFAULTS.maxMinutes */
  readonly maxMinutes?: number;
}

export interface SimulationResult {
  /** `unfinished` when maxMinutes passed before the rollout completed or rolled back. */
  readonly outcome: 'rolled-back' | 'completed' | 'unfinished';
  /** The step's share when the rollout ended (for a roll-back, the share it was rolled back from, not 0). */
  readonly percentAtEnd: number;
  readonly stepIndexAtEnd: number;
  /** Minutes from the start to the decision that ended it. */
  readonly minutes: number;
  /** Users given the variant over the whole run. */
  readonly usersExposed: number;
  /** The controller's reason for a roll-back (the regressed reading, in words). */
  readonly reason?: string;
}

/**
 * A seeded generator, uniform in [0, 1): sfc32 (the Small Fast Chaotic generator of PractRand), its 128-bit state
 * filled from the one 32-bit seed by splitmix32. Not Math.random, so that a run, a test and a bench figure are
 * reproducible from their seed; not mulberry32 either, whose one cycle of 2^32 numbers lets a thousand runs of
 * some 40,000 draws each overlap now and then. Only additions, shifts and xors per draw, so it is as fast under
 * jest's vm context as in node (Math.imul, which mulberry32 needs, was 30 times slower there).
 */
export function seededRandom(seed: number): () => number {
  let s = seed | 0;
  const splitmix32 = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let t = s ^ (s >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return t ^ (t >>> 15);
  };
  let a = splitmix32();
  let b = splitmix32();
  let c = splitmix32();
  let d = splitmix32();
  const random = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i += 1) random();
  return random;
}

/** Poisson draws of a given mean (Knuth), in chunks of mean at most 30 so exp(-mean) never underflows. */
function poissonSampler(mean: number, random: () => number): () => number {
  const chunks: number[] = [];
  for (let left = mean; left > 0; left -= 30) chunks.push(Math.exp(-Math.min(left, 30)));
  return () => {
    let count = 0;
    for (const limit of chunks) {
      let product = random();
      while (product > limit) {
        count += 1;
        product *= random();
      }
    }
    return count;
  };
}

const MINUTE_MS = 60_000;
const START = Date.parse('2026-01-05T09:00:00Z');
const ACTOR = 'simulation';

interface Counts {
  users: number;
  converted: number;
}

function summaryOf(plan: RolloutPlan, variant: Counts, safe: Counts): ExperimentSummary {
  const variantSummary = (name: string, counts: Counts) => ({
    name,
    users: counts.users,
    // A conversion: each user contributes 0 or 1, so sum = sumSquares = converters.
    metrics: Object.fromEntries(
      Object.keys(plan.guardrails.journeys).map((journey) => [
        journey,
        { n: counts.users, sum: counts.converted, sumSquares: counts.converted },
      ]),
    ),
  });
  return { flag: plan.flag, variants: [variantSummary(plan.variant, variant), variantSummary(plan.safeVariant, safe)] };
}

/** One rollout, minute by minute, until it completes, rolls back or runs out of time. */
export function simulateRollout(options: SimulationOptions): SimulationResult {
  const { plan, baselineConversion, relativeEffect, usersPerMinute } = options;
  const maxMinutes = options.maxMinutes ?? SIMULATION_DEFAULTS.maxMinutes;
  const variantConversion = baselineConversion * (1 + relativeEffect);
  if (!(baselineConversion >= 0 && baselineConversion <= 1 && variantConversion >= 0 && variantConversion <= 1)) {
    throw new Error(`conversions must lie in [0, 1] (safe ${baselineConversion}, variant ${variantConversion})`);
  }
  const random = seededRandom(options.seed);
  const arrivalsInMinute = poissonSampler(usersPerMinute, random);
  const variant: Counts = { users: 0, converted: 0 };
  const safe: Counts = { users: 0, converted: 0 };
  let state: RolloutState = startedState(plan, 1, 0, new Date(START), ACTOR);

  for (let minute = 1; minute <= maxMinutes; minute += 1) {
    const arrivals = arrivalsInMinute();
    const share = state.percent / 100;
    for (let i = 0; i < arrivals; i += 1) {
      const counts = random() < share ? variant : safe;
      counts.users += 1;
      if (random() < (counts === variant ? variantConversion : baselineConversion)) counts.converted += 1;
    }

    const now = new Date(START + minute * MINUTE_MS);
    const readings = readGuardrails(plan, summaryOf(plan, variant, safe), {});
    const decision = decide({
      plan,
      state,
      flag: { version: state.flagVersion },
      readings,
      variantUsers: variant.users,
      now,
      intervalMs: MINUTE_MS,
    });
    if (decision.action === 'roll-back' || decision.action === 'complete') {
      const status = decision.action === 'roll-back' ? 'rolled-back' : 'completed';
      const reason = decision.action === 'roll-back' ? decision.reason : undefined;
      state = endedState(state, status, state.flagVersion + 1, now, CONTROLLER_ACTOR, reason);
      // endedState puts a rolled-back flag at 0 %: the step's share says where it was stopped.
      return {
        outcome: status,
        percentAtEnd: plan.steps[state.step].percent,
        stepIndexAtEnd: state.step,
        minutes: minute,
        usersExposed: variant.users,
        ...(reason ? { reason } : {}),
      };
    }
    switch (decision.action) {
      case 'advance':
        state = advancedState(state, plan, state.flagVersion + 1, variant.users, now);
        break;
      case 'pause':
        // The flag is always at the rollout's version here: a pause means decide() misread it.
        throw new Error(`simulated rollout paused: ${decision.reason}`);
      case 'hold':
        break;
    }
  }
  return {
    outcome: 'unfinished',
    percentAtEnd: state.percent,
    stepIndexAtEnd: state.step,
    minutes: maxMinutes,
    usersExposed: variant.users,
  };
}

export interface SimulationSummary {
  readonly runs: number;
  readonly rolledBack: number;
  readonly completed: number;
  readonly unfinished: number;
  /** rolledBack / runs. */
  readonly rollBackRate: number;
  /** Roll-backs by the step they happened at, in the plan's order. */
  readonly rolledBackAtStep: readonly number[];
  /** Medians over the rolled-back runs; undefined when none rolled back. */
  readonly medianRollBackStep?: number;
  readonly medianRollBackMinutes?: number;
  /** Mean users given the variant per run. */
  readonly meanUsersExposed: number;
  /** Mean simulated minutes per run. */
  readonly meanMinutes: number;
  /** Every run, in seed order. */
  readonly results: readonly SimulationResult[];
}

/**
 * Seed of run `index`: spread by a large odd constant, so neighbouring runs start far apart. Not splitmix32's own
 * increment (0x9e3779b9): with it, run i + 1 would start from run i's state shifted by one word.
 */
export const runSeed = (seed: number, index: number): number => (seed + Math.imul(index, 0x85ebca6b)) >>> 0;

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const mean = (values: number[]): number => (values.length === 0 ? 0 : values.reduce((total, value) => total + value, 0) / values.length);

/** `runs` rollouts, run i seeded with runSeed(options.seed, i). */
export function simulateMany(options: SimulationOptions, runs: number): SimulationSummary {
  const results = Array.from({ length: runs }, (_, index) => simulateRollout({ ...options, seed: runSeed(options.seed, index) }));
  const rolledBack = results.filter((result) => result.outcome === 'rolled-back');
  const rolledBackAtStep = options.plan.steps.map((_, step) => rolledBack.filter((result) => result.stepIndexAtEnd === step).length);
  return {
    runs,
    rolledBack: rolledBack.length,
    completed: results.filter((result) => result.outcome === 'completed').length,
    unfinished: results.filter((result) => result.outcome === 'unfinished').length,
    rollBackRate: runs === 0 ? 0 : rolledBack.length / runs,
    rolledBackAtStep,
    medianRollBackStep: median(rolledBack.map((result) => result.stepIndexAtEnd)),
    medianRollBackMinutes: median(rolledBack.map((result) => result.minutes)),
    meanUsersExposed: mean(results.map((result) => result.usersExposed)),
    meanMinutes: mean(results.map((result) => result.minutes)),
    results,
  };
}

/** Share of the runs rolled back at a step of the plan below `percent` (e.g. 50: before the 50 % step). */
export function rollBackRateBefore(summary: SimulationSummary, plan: RolloutPlan, percent: number): number {
  if (summary.runs === 0) return 0;
  const before = plan.steps.reduce((total, step, index) => total + (step.percent < percent ? summary.rolledBackAtStep[index] : 0), 0);
  return before / summary.runs;
}
