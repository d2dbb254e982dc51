/**
 * The part of the A/B statistics that needs no distribution tables: per-variant sufficient statistics, their
 * means and variances, and the always-valid sequential comparison. The rollout controller runs it in a Lambda
 * without bundling jStat; statistics.ts adds the fixed-horizon test and the sample-ratio check on top.
 * Pure: no I/O.
 */
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

export type Unusable = Exclude<Comparison, { status: 'ok' }>;

function checkUsable(stat: MetricStatistic, role: string): Unusable | undefined {
  if (stat.n < 2) return { status: 'insufficient-data', reason: `${role} has ${stat.n} unit(s); at least 2 are needed` };
  if (stat.kind === 'ratio' && stat.denominator.sum === 0) return { status: 'insufficient-data', reason: `${role} has a zero denominator` };
  // Rounding can leave a tiny negative variance when every value is equal.
  if (statisticVariance(stat) < -1e-9 * Math.max(1, statisticMean(stat) ** 2)) {
    return { status: 'invalid-data', reason: `${role}'s sums are inconsistent (variance would be negative)` };
  }
  return undefined;
}

/** Means, variances and the estimates of a comparison, before a test turns them into effects. */
export interface ComparisonInputs {
  readonly meanA: number;
  readonly meanB: number;
  readonly varA: number;
  readonly varB: number;
  readonly nA: number;
  readonly nB: number;
  readonly absoluteVariance: number;
}

/** Checks both variants and computes what every test needs; unusable data comes back as a status. */
export function comparisonInputs(control: MetricStatistic, treatment: MetricStatistic): ComparisonInputs | Unusable {
  for (const [stat, role] of [
    [control, 'control'],
    [treatment, 'treatment'],
  ] as const) {
    const unusable = checkUsable(stat, role);
    if (unusable) return unusable;
  }
  const varA = Math.max(0, statisticVariance(control));
  const varB = Math.max(0, statisticVariance(treatment));
  const absoluteVariance = varA / control.n + varB / treatment.n;
  if (!(absoluteVariance > 0)) return { status: 'insufficient-data', reason: 'no variation in either variant' };
  return { meanA: statisticMean(control), meanB: statisticMean(treatment), varA, varB, nA: control.n, nB: treatment.n, absoluteVariance };
}

/**
 * Delta method for (meanB - meanA) / meanA; undefined when the control's mean is 0. When the treatment has no
 * variation at 0 (no conversions at all) the delta method gives 0, an interval of one point and a p-value of NaN
 * ("not significant" for a variant that never converts): then the absolute difference's variance over the control's
 * mean squared is used, as if the control's mean were known.
 */
export function relativeVariance(inputs: ComparisonInputs): number | undefined {
  const { meanA, meanB, varA, varB, nA, nB, absoluteVariance } = inputs;
  if (meanA === 0) return undefined;
  const deltaMethod = varB / (meanA ** 2 * nB) + (varA * meanB ** 2) / (meanA ** 4 * nA);
  return deltaMethod > 0 ? deltaMethod : absoluteVariance / meanA ** 2;
}

/**
 * The always-valid comparison alone (what `compareToControl` gives with `sequential: true`, `dof` left out):
 * safe to run every minute, as the rollout controller does.
 */
export function compareSequentially(
  control: MetricStatistic,
  treatment: MetricStatistic,
  options: { readonly alpha?: number; readonly tuningParameter?: number } = {},
): SequentialComparison {
  const inputs = comparisonInputs(control, treatment);
  if ('status' in inputs) return inputs;
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const tuning = options.tuningParameter ?? DEFAULT_TUNING_PARAMETER;
  const n = inputs.nA + inputs.nB;
  const test = (estimate: number, variance: number) => sequentialEffect(estimate, Math.sqrt(variance), n, alpha, tuning);
  const absolute = test(inputs.meanB - inputs.meanA, inputs.absoluteVariance);
  const relVariance = relativeVariance(inputs);
  if (relVariance === undefined) return { status: 'ok', absolute };
  return { status: 'ok', absolute, relative: test((inputs.meanB - inputs.meanA) / inputs.meanA, relVariance) };
}

export type SequentialComparison = { readonly status: 'ok'; readonly absolute: Effect; readonly relative?: Effect } | Unusable;

/**
 * Always-valid confidence sequence of Waudby-Smith et al. (arXiv 2103.06476, as used by GrowthBook):
 * a normal mixture with variance rho² tuned so the interval is tightest at `tuningParameter` units.
 */
export function sequentialEffect(estimate: number, standardError: number, n: number, alpha: number, tuningParameter: number): Effect {
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

export function clampProbability(p: number): number {
  return Math.min(1, Math.max(0, p));
}
