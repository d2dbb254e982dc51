/**
 * Frequentist A/B statistics on per-variant sufficient statistics, following GrowthBook's engine
 * (gbstats): Welch's t-test for the absolute lift, the delta method for the relative lift and for
 * ratio metrics, optional always-valid sequential intervals, and the sample-ratio-mismatch check.
 * Pure: no I/O, so the report, tests and any Lambda can share it.
 */
import { chiSquareSurvival, studentTCdf, studentTQuantile } from './distributions';

export interface Sums {
  readonly sum: number;
  readonly sumSquares: number;
}

/** One variant's data for one metric. `n` counts the units (users) behind the sums. */
export type MetricStatistic =
  /** Each unit contributes 0 or 1; `sum` is the number of converters. */
  | { readonly kind: 'proportion'; readonly n: number; readonly sum: number }
  | { readonly kind: 'mean'; readonly n: number; readonly sum: number; readonly sumSquares: number }
  /** Sum of a numerator over sum of a denominator (e.g. revenue per order), with Σ numerator·denominator. */
  | { readonly kind: 'ratio'; readonly n: number; readonly numerator: Sums; readonly denominator: Sums; readonly sumProduct: number };

export interface Effect {
  readonly estimate: number;
  readonly standardError: number;
  /** Two-sided interval at 1 - alpha. */
  readonly ci: readonly [number, number];
  readonly pValue: number;
}

export type Comparison =
  | {
      readonly status: 'ok';
      /** Treatment minus control. */
      readonly absolute: Effect;
      /** (treatment - control) / control; absent when the control's value is 0. */
      readonly relative?: Effect;
      /** Welch–Satterthwaite degrees of freedom. */
      readonly dof: number;
    }
  | { readonly status: 'insufficient-data' | 'invalid-data'; readonly reason: string };

export interface TestOptions {
  /** @default 0.05 */
  readonly alpha?: number;
  /** Always-valid intervals and p-values, safe to look at every day. @default false */
  readonly sequential?: boolean;
  /** Sample size (both arms) where the sequential interval is tightest. @default 5000 (GrowthBook's) */
  readonly tuningParameter?: number;
}

export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_TUNING_PARAMETER = 5000;

export function statisticMean(stat: MetricStatistic): number {
  if (stat.kind === 'ratio') return stat.denominator.sum === 0 ? 0 : stat.numerator.sum / stat.denominator.sum;
  return stat.n === 0 ? 0 : stat.sum / stat.n;
}

/** Per-unit variance (divide by n for the variance of the mean). */
export function statisticVariance(stat: MetricStatistic): number {
  if (stat.kind === 'proportion') {
    const p = statisticMean(stat);
    return p * (1 - p);
  }
  if (stat.kind === 'mean') return sampleVariance(stat.n, stat);
  const { n, numerator, denominator } = stat;
  if (n <= 1) return 0;
  const meanM = numerator.sum / n;
  const meanD = denominator.sum / n;
  if (meanD === 0) return 0;
  const covariance = (stat.sumProduct - (numerator.sum * denominator.sum) / n) / (n - 1);
  // Delta method for the ratio of two means.
  return (
    sampleVariance(n, numerator) / meanD ** 2 +
    (sampleVariance(n, denominator) * meanM ** 2) / meanD ** 4 -
    (2 * covariance * meanM) / meanD ** 3
  );
}

function sampleVariance(n: number, sums: Sums): number {
  if (n <= 1) return 0;
  return (sums.sumSquares - sums.sum ** 2 / n) / (n - 1);
}

type Unusable = Exclude<Comparison, { status: 'ok' }>;

function checkUsable(stat: MetricStatistic, role: string): Unusable | undefined {
  if (stat.n < 2) return { status: 'insufficient-data', reason: `${role} has ${stat.n} unit(s); at least 2 are needed` };
  if (stat.kind === 'ratio' && stat.denominator.sum === 0) return { status: 'insufficient-data', reason: `${role} has a zero denominator` };
  // Rounding can leave a tiny negative variance when every value is equal.
  if (statisticVariance(stat) < -1e-9 * Math.max(1, statisticMean(stat) ** 2)) {
    return { status: 'invalid-data', reason: `${role}'s sums are inconsistent (variance would be negative)` };
  }
  return undefined;
}

/** Compares a treatment with the control. Never throws on data: unusable data comes back as a status. */
export function compareToControl(control: MetricStatistic, treatment: MetricStatistic, options: TestOptions = {}): Comparison {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  for (const [stat, role] of [
    [control, 'control'],
    [treatment, 'treatment'],
  ] as const) {
    const unusable = checkUsable(stat, role);
    if (unusable) return unusable;
  }
  const meanA = statisticMean(control);
  const meanB = statisticMean(treatment);
  const varA = Math.max(0, statisticVariance(control));
  const varB = Math.max(0, statisticVariance(treatment));
  const nA = control.n;
  const nB = treatment.n;

  const absoluteVariance = varA / nA + varB / nB;
  if (!(absoluteVariance > 0)) return { status: 'insufficient-data', reason: 'no variation in either variant' };
  const dof = welchDof(varA, nA, varB, nB);
  const test = (estimate: number, variance: number): Effect =>
    options.sequential
      ? sequentialEffect(estimate, Math.sqrt(variance), nA + nB, alpha, options.tuningParameter ?? DEFAULT_TUNING_PARAMETER)
      : fixedHorizonEffect(estimate, Math.sqrt(variance), dof, alpha);

  const absolute = test(meanB - meanA, absoluteVariance);
  if (meanA === 0) return { status: 'ok', absolute, dof };
  // Delta method for (meanB - meanA) / meanA.
  const relativeVariance = varB / (meanA ** 2 * nB) + (varA * meanB ** 2) / (meanA ** 4 * nA);
  const relative = test((meanB - meanA) / meanA, relativeVariance);
  return { status: 'ok', absolute, relative, dof };
}

function welchDof(varA: number, nA: number, varB: number, nB: number): number {
  const numerator = (varA / nA + varB / nB) ** 2;
  const denominator = varA ** 2 / (nA ** 2 * (nA - 1)) + varB ** 2 / (nB ** 2 * (nB - 1));
  return numerator / denominator;
}

function fixedHorizonEffect(estimate: number, standardError: number, dof: number, alpha: number): Effect {
  const halfWidth = studentTQuantile(1 - alpha / 2, dof) * standardError;
  const pValue = 2 * (1 - studentTCdf(Math.abs(estimate / standardError), dof));
  return { estimate, standardError, ci: [estimate - halfWidth, estimate + halfWidth], pValue: clampProbability(pValue) };
}

/**
 * Always-valid confidence sequence of Waudby-Smith et al. (arXiv 2103.06476, as used by GrowthBook):
 * a normal mixture with variance rho² tuned so the interval is tightest at `tuningParameter` units.
 */
function sequentialEffect(estimate: number, standardError: number, n: number, alpha: number, tuningParameter: number): Effect {
  const logAlpha = -2 * Math.log(alpha);
  const rho2 = (logAlpha + Math.log(logAlpha + 1)) / tuningParameter;
  const unitVariance = standardError ** 2 * n;
  const spread = n * rho2 + 1;
  const halfWidth = Math.sqrt(unitVariance) * Math.sqrt((2 * spread * Math.log(Math.sqrt(spread) / alpha)) / (n ** 2 * rho2));
  // The p-value is 1 / e-value (equation 155 of the paper), so it agrees with the interval at every alpha.
  const standardizedSquare = (estimate ** 2 * n) / standardError ** 2;
  const eValue = Math.exp((rho2 * standardizedSquare) / (2 * spread)) / Math.sqrt(spread);
  return {
    estimate,
    standardError,
    ci: [estimate - halfWidth, estimate + halfWidth],
    pValue: clampProbability(1 / eValue),
  };
}

function clampProbability(p: number): number {
  return Math.min(1, Math.max(0, p));
}

export const SRM_P_VALUE_THRESHOLD = 0.001;

export interface SampleRatioCheck {
  readonly pValue: number;
  readonly chiSquare: number;
  /** Expected share of units per variant (the weights, normalised). */
  readonly expectedShares: readonly number[];
  /** True when p < 0.001: the split differs from the design, so the results are not trustworthy. */
  readonly mismatch: boolean;
}

/**
 * Pearson's chi-square goodness of fit of the observed units per variant against the expected
 * weights (equal when omitted), like GrowthBook's `check_srm`.
 */
export function sampleRatioMismatch(users: readonly number[], weights?: readonly number[]): SampleRatioCheck {
  const rawWeights = weights ?? users.map(() => 1);
  if (rawWeights.length !== users.length) throw new RangeError('one weight per variant is needed');
  const totalWeight = rawWeights.reduce((a, b) => a + b, 0);
  if (!(totalWeight > 0)) throw new RangeError('the weights must not all be zero');
  const expectedShares = rawWeights.map((w) => w / totalWeight);
  const total = users.reduce((a, b) => a + b, 0);
  if (total === 0) return { pValue: 1, chiSquare: 0, expectedShares, mismatch: false };

  let chiSquare = 0;
  let categories = 0;
  for (let i = 0; i < users.length; i++) {
    const expected = expectedShares[i] * total;
    if (expected === 0) {
      // Units in a variant that should get none: the assignment is broken, whatever the counts.
      if (users[i] > 0) return { pValue: 0, chiSquare: Infinity, expectedShares, mismatch: true };
      continue;
    }
    chiSquare += (users[i] - expected) ** 2 / expected;
    categories++;
  }
  const pValue = categories < 2 ? 1 : clampProbability(chiSquareSurvival(chiSquare, categories - 1));
  return { pValue, chiSquare, expectedShares, mismatch: pValue < SRM_P_VALUE_THRESHOLD };
}
