import { compareSequentially, sequentialEffect } from '../experiments/comparison';
import type { ExperimentSummary } from '../experiments/experiment-summary';
import type { RolloutPlan } from './rollout-plan';

/**
 * Guardrail readings from the data the controller gathers (pure). Every comparison is an always-valid confidence
 * sequence (the experiment engine's `compareSequentially`), so checking every minute does not inflate false alarms:
 * a guardrail with no real regression trips at most `alpha` of the time over the whole rollout.
 */
export type GuardrailStatus = 'ok' | 'regressed' | 'insufficient-data';

export interface GuardrailReading {
  /** e.g. `checkout conversion`, `web 5xx rate`. */
  readonly name: string;
  readonly status: GuardrailStatus;
  /** Relative change for journeys, the rate or the latency for the others. */
  readonly estimate?: number;
  /** Always-valid interval at 1 - alpha (journeys and rates). */
  readonly interval?: readonly [number, number];
  /** Regressed when the interval lies wholly beyond it (journeys: below, rates: above) or, for latency, the value is above it. */
  readonly limit: number;
  readonly unit: 'relative change' | 'rate' | 'ms';
  /** What the reading is based on, in words (users per variant, requests). */
  readonly basis: string;
}

/**
 * What the journey processor had counted for the flag when the controller first looked at the rollout: guardrails
 * judge only exposures and conversions after it, so an experiment's earlier data (or an earlier rollout's) cannot
 * mask a regression.
 */
export interface RolloutBaseline {
  readonly takenAt: string;
  /** Exposed users by variant. */
  readonly users: Readonly<Record<string, number>>;
  /** Converted users by journey, then variant. */
  readonly conversions: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** The counts a rollout's guardrails start from (none counted yet: zeros). */
export function baselineOf(summary: ExperimentSummary | undefined, plan: RolloutPlan, now: Date): RolloutBaseline {
  const variants = [plan.variant, plan.safeVariant];
  const find = (name: string) => summary?.variants.find((v) => v.name === name);
  return {
    takenAt: now.toISOString(),
    users: Object.fromEntries(variants.map((name) => [name, find(name)?.users ?? 0])),
    conversions: Object.fromEntries(
      Object.keys(plan.guardrails.journeys).map((journey) => [
        journey,
        Object.fromEntries(variants.map((name) => [name, find(name)?.metrics[journey]?.sum ?? 0])),
      ]),
    ),
  };
}

/** The summary less its baseline: the users exposed and the conversions counted since the rollout began. */
export function sinceBaseline(
  summary: ExperimentSummary | undefined,
  baseline: RolloutBaseline | undefined,
): ExperimentSummary | undefined {
  if (!summary || !baseline) return summary;
  return {
    ...summary,
    variants: summary.variants.map((variant) => {
      const users = Math.max(0, variant.users - (baseline.users[variant.name] ?? 0));
      const metrics = Object.fromEntries(
        Object.entries(variant.metrics).map(([metric, sums]) => {
          const converted = Math.max(0, sums.sum - (baseline.conversions[metric]?.[variant.name] ?? 0));
          return [metric, { n: users, sum: converted, sumSquares: converted }];
        }),
      );
      return { ...variant, users, metrics };
    }),
  };
}

/**
 * Fewest users per variant before a journey's conversion is judged. Below it the normal approximation behind the
 * interval is too optimistic: 2 variant users who both did not convert gave a zero-width interval at -100% and
 * rolled back a third of simulated A/A rollouts (domain/rollouts/simulate.ts; 100 brings it to about 2%).
 */
export const MIN_JOURNEY_USERS = 100;

/** The conversion of each journey guardrail: the variant against the safe variant, from the journey processor's summary. */
export function journeyReadings(plan: RolloutPlan, summary: ExperimentSummary | undefined): GuardrailReading[] {
  return Object.entries(plan.guardrails.journeys).map(([journey, { maxRelativeDrop }]) => {
    const base = { name: `${journey} conversion`, limit: -maxRelativeDrop, unit: 'relative change' as const };
    const variant = summary?.variants.find((v) => v.name === plan.variant);
    const safe = summary?.variants.find((v) => v.name === plan.safeVariant);
    const variantSums = variant?.metrics[journey];
    const safeSums = safe?.metrics[journey];
    if (!variant || !safe || !variantSums || !safeSums) {
      return { ...base, status: 'insufficient-data', basis: `no conversions of ${journey} recorded for both variants yet` };
    }
    const basis = `${plan.variant}: ${variantSums.sum}/${variant.users} converted, ${plan.safeVariant}: ${safeSums.sum}/${safe.users}`;
    if (Math.min(variant.users, safe.users) < MIN_JOURNEY_USERS) {
      return { ...base, status: 'insufficient-data', basis: `${basis} (judged from ${MIN_JOURNEY_USERS} users per variant)` };
    }
    const comparison = compareSequentially(
      { kind: 'proportion', n: safe.users, sum: Math.min(safeSums.sum, safe.users) },
      { kind: 'proportion', n: variant.users, sum: Math.min(variantSums.sum, variant.users) },
      { alpha: plan.alpha },
    );
    if (comparison.status !== 'ok' || !comparison.relative) {
      const reason = comparison.status === 'ok' ? `no conversions of ${journey} for ${plan.safeVariant}` : comparison.reason;
      return { ...base, status: 'insufficient-data', basis: `${basis} (${reason})` };
    }
    const { estimate, ci } = comparison.relative;
    // A conversion cannot fall by more than 100%: the bound is clamped for reading, not for the decision.
    const interval: [number, number] = [Math.max(-1, ci[0]), ci[1]];
    return { ...base, status: ci[1] < -maxRelativeDrop ? 'regressed' : 'ok', estimate, interval, basis };
  });
}

/** Counts behind a rate guardrail (e.g. 5xx answers out of requests) since the step began. */
export interface RateCounts {
  readonly events: number;
  readonly total: number;
}

/** Fewest requests before a rate is judged: below it a few early errors say little. */
export const MIN_RATE_SAMPLE = 30;
/** Requests where a rate's interval is tightest: fixed, as the confidence sequence needs (not tuned to the data). */
export const RATE_TUNING_REQUESTS = 1000;

/**
 * A rate against its ceiling: regressed when the always-valid interval of the rate lies wholly above it
 * (the same confidence sequence, for one proportion).
 */
export function rateReading(name: string, counts: RateCounts | undefined, limit: number, alpha: number): GuardrailReading {
  const base = { name, limit, unit: 'rate' as const };
  if (!counts || counts.total < MIN_RATE_SAMPLE) {
    return { ...base, status: 'insufficient-data', basis: `${counts?.total ?? 0} requests (judged from ${MIN_RATE_SAMPLE})` };
  }
  const rate = Math.min(1, counts.events / counts.total);
  const basis = `${counts.events} of ${counts.total}`;
  // A rate of exactly 0 or 1 has no spread; bound it away so the interval stays honest for small samples.
  const variance = Math.max(rate * (1 - rate), 1 / counts.total);
  const effect = sequentialEffect(rate, Math.sqrt(variance / counts.total), counts.total, alpha, RATE_TUNING_REQUESTS);
  const interval: [number, number] = [Math.max(0, effect.ci[0]), Math.min(1, effect.ci[1])];
  return { ...base, status: interval[0] > limit ? 'regressed' : 'ok', estimate: rate, interval, basis };
}

/** A latency percentile against its ceiling (CloudWatch's own percentile over the step). */
export function latencyReading(name: string, p99Ms: number | undefined, requests: number, limit: number): GuardrailReading {
  const base = { name, limit, unit: 'ms' as const };
  if (p99Ms === undefined || requests < MIN_RATE_SAMPLE) {
    return { ...base, status: 'insufficient-data', basis: `${requests} requests (judged from ${MIN_RATE_SAMPLE})` };
  }
  return { ...base, status: p99Ms > limit ? 'regressed' : 'ok', estimate: p99Ms, basis: `p99 of ${requests} requests` };
}

/** What CloudWatch says about the service and the flag API since the step began; undefined where there is no data. */
export interface ServiceSignals {
  readonly service5xx?: RateCounts;
  readonly serviceP99Ms?: number;
  readonly flagErrors?: RateCounts;
}

/** Every reading of a plan's guardrails. */
export function readGuardrails(plan: RolloutPlan, summary: ExperimentSummary | undefined, signals: ServiceSignals): GuardrailReading[] {
  const readings = journeyReadings(plan, summary);
  const service = plan.guardrails.service;
  if (service) {
    readings.push(rateReading(`${service.name} 5xx rate`, signals.service5xx, service.max5xxRate, plan.alpha));
    if (service.maxP99LatencyMs !== undefined) {
      readings.push(
        latencyReading(`${service.name} p99 latency`, signals.serviceP99Ms, signals.service5xx?.total ?? 0, service.maxP99LatencyMs),
      );
    }
  }
  readings.push(rateReading('flag evaluation error rate', signals.flagErrors, plan.guardrails.maxFlagErrorRate, plan.alpha));
  return readings;
}
