/**
 * Frequentist A/B statistics on per-variant sufficient statistics, following GrowthBook's engine
 * (gbstats): Welch's t-test for the absolute lift, the delta method for the relative lift and for
 * ratio metrics, optional always-valid sequential intervals, and the sample-ratio-mismatch check.
 * Pure: no I/O, so the report, tests and any Lambda can share it.
 */
import { chiSquareSurvival, studentTCdf, studentTQuantile } from './distributions';
import {
  DEFAULT_ALPHA,
  DEFAULT_TUNING_PARAMETER,
  clampProbability,
  comparisonInputs,
  relativeVariance,
  sequentialEffect,
  type Comparison,
  type Effect,
  type MetricStatistic,
  type TestOptions,
} from './comparison';

export {
  DEFAULT_ALPHA,
  DEFAULT_TUNING_PARAMETER,
  statisticMean,
  statisticVariance,
  type Comparison,
  type Effect,
  type MetricStatistic,
  type Sums,
  type TestOptions,
} from './comparison';

/** Compares a treatment with the control. Never throws on data: unusable data comes back as a status. */
export function compareToControl(control: MetricStatistic, treatment: MetricStatistic, options: TestOptions = {}): Comparison {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const inputs = comparisonInputs(control, treatment);
  if ('status' in inputs) return inputs;
  const { varA, nA, varB, nB, meanA, meanB } = inputs;
  const dof = welchDof(varA, nA, varB, nB);
  const test = (estimate: number, variance: number): Effect =>
    options.sequential
      ? sequentialEffect(estimate, Math.sqrt(variance), nA + nB, alpha, options.tuningParameter ?? DEFAULT_TUNING_PARAMETER)
      : fixedHorizonEffect(estimate, Math.sqrt(variance), dof, alpha);

  const absolute = test(meanB - meanA, inputs.absoluteVariance);
  const relVariance = relativeVariance(inputs);
  if (relVariance === undefined) return { status: 'ok', absolute, dof };
  const relative = test((meanB - meanA) / meanA, relVariance);
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
