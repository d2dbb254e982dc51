import {
  compareToControl,
  sampleRatioMismatch,
  statisticVariance,
  type Comparison,
  type Effect,
  type MetricStatistic,
} from '../../../domain/experiments/statistics';

// Published vectors from GrowthBook's gbstats test suite (tests/frequentist/test_tests.py, tests/test_gbstats.py).
const meanA: MetricStatistic = { kind: 'mean', n: 3407, sum: 1396.87, sumSquares: 52377.9767 };
const meanB: MetricStatistic = { kind: 'mean', n: 3461, sum: 2422.7, sumSquares: 134698.29 };

function ok(comparison: Comparison): Extract<Comparison, { status: 'ok' }> {
  if (comparison.status !== 'ok') throw new Error(`expected ok, got ${comparison.status}: ${comparison.reason}`);
  return comparison;
}

function expectEffect(
  effect: Effect | undefined,
  expected: { estimate: number; ci: [number, number]; pValue: number; se?: number },
  digits = 5,
): void {
  expect(effect).toBeDefined();
  expect(effect!.estimate).toBeCloseTo(expected.estimate, digits);
  expect(effect!.ci[0]).toBeCloseTo(expected.ci[0], digits);
  expect(effect!.ci[1]).toBeCloseTo(expected.ci[1], digits);
  expect(effect!.pValue).toBeCloseTo(expected.pValue, digits);
  if (expected.se !== undefined) expect(effect!.standardError).toBeCloseTo(expected.se, digits);
}

describe('fixed-horizon Welch t-test (gbstats vectors)', () => {
  it('reproduces the relative lift, its delta-method interval and p-value', () => {
    const result = ok(compareToControl(meanA, meanB));
    expectEffect(result.relative, { estimate: 0.70732, ci: [-0.03526, 1.44989], pValue: 0.06191, se: 0.37879 });
  });

  it('reproduces the absolute lift, interval and p-value', () => {
    const result = ok(compareToControl(meanA, meanB));
    expectEffect(result.absolute, { estimate: 0.29, ci: [0.04538, 0.53462], pValue: 0.02016, se: 0.12478 });
  });

  it('treats conversions as proportions (variance p(1-p))', () => {
    const result = ok(compareToControl({ kind: 'proportion', n: 28, sum: 14 }, { kind: 'proportion', n: 30, sum: 16 }));
    expectEffect(result.relative, { estimate: 0.06667, ci: [-0.47767, 0.61101], pValue: 0.80707, se: 0.2717 }, 4);
  });

  it('a wider alpha gives a narrower interval around the same estimate', () => {
    const at95 = ok(compareToControl(meanA, meanB)).absolute;
    const at80 = ok(compareToControl(meanA, meanB, { alpha: 0.2 })).absolute;
    expect(at80.estimate).toBe(at95.estimate);
    expect(at80.ci[1] - at80.ci[0]).toBeLessThan(at95.ci[1] - at95.ci[0]);
  });

  it('a reversed comparison mirrors the absolute effect', () => {
    const forward = ok(compareToControl(meanA, meanB)).absolute;
    const backward = ok(compareToControl(meanB, meanA)).absolute;
    expect(backward.estimate).toBeCloseTo(-forward.estimate, 12);
    expect(backward.pValue).toBeCloseTo(forward.pValue, 12);
  });
});

describe('sequential testing (gbstats vectors)', () => {
  const seqA: MetricStatistic = { kind: 'mean', n: 3000, sum: 1396.87, sumSquares: 52377.9767 };

  it('reproduces the always-valid interval for a mean metric with tuning 1000', () => {
    const result = ok(compareToControl(seqA, meanB, { sequential: true, tuningParameter: 1000 }));
    expectEffect(result.relative, { estimate: 0.50336, ci: [-0.55844, 1.56516], pValue: 1, se: 0.33341 });
  });

  it('reproduces the always-valid interval for proportions with the default tuning (5000)', () => {
    const result = ok(
      compareToControl({ kind: 'proportion', n: 3000, sum: 1396 }, { kind: 'proportion', n: 3461, sum: 2422 }, { sequential: true }),
    );
    expectEffect(result.relative, { estimate: 0.50386, ci: [0.40098, 0.60675], pValue: 0, se: 0.03386 });
  });

  it('is wider than the fixed-horizon interval, and tightest when tuned near the sample size', () => {
    const width = (c: Comparison) => {
      const e = ok(c).relative!;
      return e.ci[1] - e.ci[0];
    };
    const fixed = width(compareToControl(seqA, meanB));
    const near = width(compareToControl(seqA, meanB, { sequential: true, tuningParameter: 6461 }));
    const below = width(compareToControl(seqA, meanB, { sequential: true, tuningParameter: 10 }));
    const above = width(compareToControl(seqA, meanB, { sequential: true, tuningParameter: 100000 }));
    expect(near).toBeGreaterThan(fixed);
    expect(near).toBeLessThan(below);
    expect(near).toBeLessThan(above);
  });

  it('its p-value falls below alpha exactly when its interval excludes zero', () => {
    for (const sum of [1500, 1560, 1600, 1700]) {
      const effect = ok(
        compareToControl({ kind: 'proportion', n: 3000, sum: 1500 }, { kind: 'proportion', n: 3000, sum }, { sequential: true }),
      ).absolute;
      const excludesZero = effect.ci[0] > 0 || effect.ci[1] < 0;
      expect(effect.pValue < 0.05).toBe(excludesZero);
    }
  });
});

describe('ratio metrics (delta method)', () => {
  // Raw per-user (numerator, denominator) pairs, so the sums can be checked against a direct computation.
  const users = (pairs: Array<[number, number]>): MetricStatistic => ({
    kind: 'ratio',
    n: pairs.length,
    numerator: { sum: pairs.reduce((a, [m]) => a + m, 0), sumSquares: pairs.reduce((a, [m]) => a + m * m, 0) },
    denominator: { sum: pairs.reduce((a, [, d]) => a + d, 0), sumSquares: pairs.reduce((a, [, d]) => a + d * d, 0) },
    sumProduct: pairs.reduce((a, [m, d]) => a + m * d, 0),
  });

  it('with a denominator of 1 per unit it equals the plain mean test', () => {
    const asRatio = (s: Extract<MetricStatistic, { kind: 'mean' }>): MetricStatistic => ({
      kind: 'ratio',
      n: s.n,
      numerator: s,
      denominator: { sum: s.n, sumSquares: s.n },
      sumProduct: s.sum,
    });
    const result = ok(
      compareToControl(
        asRatio(meanA as Extract<MetricStatistic, { kind: 'mean' }>),
        asRatio(meanB as Extract<MetricStatistic, { kind: 'mean' }>),
      ),
    );
    expectEffect(result.relative, { estimate: 0.70732, ci: [-0.03526, 1.44989], pValue: 0.06191 });
    expectEffect(result.absolute, { estimate: 0.29, ci: [0.04538, 0.53462], pValue: 0.02016 });
  });

  it('matches the first-order Taylor variance computed from the raw data', () => {
    const pairs: Array<[number, number]> = [
      [10, 2],
      [0, 1],
      [35, 3],
      [12, 1],
      [8, 2],
      [0, 1],
      [20, 4],
      [5, 1],
    ];
    const stat = users(pairs);
    const n = pairs.length;
    const mM = pairs.reduce((a, [m]) => a + m, 0) / n;
    const mD = pairs.reduce((a, [, d]) => a + d, 0) / n;
    // Linearised per-unit contribution of (m - r d) / mean(d); its sample variance is the delta-method variance.
    const r = mM / mD;
    const z = pairs.map(([m, d]) => (m - r * d) / mD);
    const zMean = z.reduce((a, b) => a + b, 0) / n;
    const expected = z.reduce((a, b) => a + (b - zMean) ** 2, 0) / (n - 1);
    expect(statisticVariance(stat)).toBeCloseTo(expected, 10);
  });
});

describe('unusable data', () => {
  it('reports too few units instead of computing', () => {
    const result = compareToControl({ kind: 'mean', n: 1, sum: 3, sumSquares: 9 }, meanB);
    expect(result).toEqual({ status: 'insufficient-data', reason: expect.stringContaining('control has 1 unit') });
  });

  it('reports inconsistent sums (negative variance) like gbstats does', () => {
    const result = compareToControl({ kind: 'mean', n: 2, sum: 1396.87, sumSquares: 52377.9767 }, meanB);
    expect(result.status).toBe('invalid-data');
  });

  it('reports no variation at all', () => {
    const result = compareToControl({ kind: 'proportion', n: 100, sum: 0 }, { kind: 'proportion', n: 100, sum: 0 });
    expect(result.status).toBe('insufficient-data');
  });

  it('a treatment that never converts still gets a relative interval and a p-value (no zero-width interval, no NaN)', () => {
    const control: MetricStatistic = { kind: 'proportion', n: 150, sum: 50 };
    const never: MetricStatistic = { kind: 'proportion', n: 150, sum: 0 };
    for (const sequential of [false, true]) {
      const { relative } = ok(compareToControl(control, never, { sequential }));
      expect(relative!.estimate).toBe(-1);
      expect(relative!.ci[0]).toBeLessThan(relative!.ci[1]);
      expect(relative!.ci[1]).toBeLessThan(0);
      expect(relative!.pValue).toBeLessThan(0.05);
    }
  });

  it('omits the relative lift when the control is zero but still compares absolutely', () => {
    const result = ok(compareToControl({ kind: 'proportion', n: 100, sum: 0 }, { kind: 'proportion', n: 100, sum: 5 }));
    expect(result.relative).toBeUndefined();
    expect(result.absolute.estimate).toBeCloseTo(0.05, 12);
  });
});

describe('sample-ratio mismatch', () => {
  it('reproduces gbstats check_srm([1000, 1200], [0.5, 0.5])', () => {
    const check = sampleRatioMismatch([1000, 1200], [0.5, 0.5]);
    expect(check.pValue).toBeCloseTo(0.000020079, 9);
    expect(check.mismatch).toBe(true);
  });

  it('defaults to an equal split and passes a balanced one', () => {
    const check = sampleRatioMismatch([5020, 4980, 5003]);
    expect(check.expectedShares).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(check.pValue).toBeGreaterThan(0.5);
    expect(check.mismatch).toBe(false);
  });

  it('tests against unequal weights, which need not sum to 1', () => {
    expect(sampleRatioMismatch([9000, 1000], [90, 10]).mismatch).toBe(false);
    expect(sampleRatioMismatch([5000, 5000], [90, 10]).mismatch).toBe(true);
  });

  it('flags units in a variant whose weight is zero', () => {
    expect(sampleRatioMismatch([100, 3], [1, 0])).toMatchObject({ pValue: 0, mismatch: true });
    expect(sampleRatioMismatch([100, 0], [1, 0])).toMatchObject({ pValue: 1, mismatch: false });
  });

  it('has nothing to say with no units yet', () => {
    expect(sampleRatioMismatch([0, 0])).toMatchObject({ pValue: 1, mismatch: false });
  });
});
