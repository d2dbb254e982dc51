import { buildReport, noMetricsMessage, ReportInputError, type ExperimentReport } from '../../../cli/experiment/report';
import { renderText } from '../../../cli/experiment/render-text';
import { renderSvg } from '../../../cli/experiment/render-svg';
import { parseReportSummary, type ReportSummary } from '../../../cli/experiment/summary-input';

function summaryOf(data: unknown): ReportSummary {
  const parsed = parseReportSummary(data);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.summary;
}

const conversions = (n: number, converters: number) => ({ n, sum: converters, sumSquares: converters });

// gbstats' published mean vector as `seconds`, plus a clear conversion win.
const base = summaryOf({
  flag: 'new-checkout',
  variants: [
    { name: 'off', users: 5000, metrics: { seconds: { n: 3407, sum: 1396.87, sumSquares: 52377.9767 }, checkout: conversions(5000, 600) } },
    { name: 'on', users: 5030, metrics: { seconds: { n: 3461, sum: 2422.7, sumSquares: 134698.29 }, checkout: conversions(5030, 700) } },
  ],
});

function metricOf(report: ExperimentReport, name: string) {
  const metric = report.metrics.find((m) => m.metric === name);
  if (!metric) throw new Error(`no metric ${name}`);
  return metric;
}

describe('buildReport', () => {
  it('compares the treatment with the control per metric, with gbstats numbers', () => {
    const seconds = metricOf(buildReport(base), 'seconds');
    expect(seconds.kind).toBe('mean');
    const [control, treatment] = seconds.variants;
    expect(control).toMatchObject({ variant: 'off', users: 5000, units: 3407 });
    expect(control.value).toBeCloseTo(0.41, 10);
    expect(control.verdict).toBeUndefined();
    expect(treatment.relative!.estimate).toBeCloseTo(0.70732, 5);
    expect(treatment.relative!.ci[0]).toBeCloseTo(-0.03526, 5);
    expect(treatment.absolute!.ci[0]).toBeCloseTo(0.04538, 5);
  });

  it('bases the verdict on the relative test, so a significant absolute difference alone is not called a win', () => {
    const [, treatment] = metricOf(buildReport(base), 'seconds').variants;
    expect(treatment.absolute!.pValue).toBeLessThan(0.05);
    expect(treatment.pValue).toBeCloseTo(0.06191, 5);
    expect(treatment.verdict).toEqual({ code: 'not-significant', reliable: true, text: 'not significant' });
  });

  it('reads 0/1 metrics as conversion rates and calls a clear lift a significant increase', () => {
    const checkout = metricOf(buildReport(base), 'checkout');
    expect(checkout.kind).toBe('proportion');
    expect(checkout.variants[1].verdict!.text).toBe('significant increase');
  });

  it('calls a clear drop a significant decrease', () => {
    const report = buildReport(
      summaryOf({
        flag: 'f',
        variants: [
          { name: 'a', users: 5000, metrics: { checkout: conversions(5000, 700) } },
          { name: 'b', users: 5000, metrics: { checkout: conversions(5000, 550) } },
        ],
      }),
    );
    expect(report.metrics[0].variants[1].verdict!.code).toBe('decrease');
  });

  it('puts the named control first and checks the split against the weights', () => {
    const report = buildReport(
      summaryOf({
        flag: 'f',
        control: 'off',
        weights: { on: 90, off: 10 },
        variants: [
          { name: 'on', users: 9000, metrics: { checkout: conversions(9000, 900) } },
          { name: 'off', users: 1000, metrics: { checkout: conversions(1000, 100) } },
        ],
      }),
    );
    expect(report.control).toBe('off');
    expect(report.metrics[0].variants.map((v) => v.variant)).toEqual(['off', 'on']);
    expect(report.srm.expectedShares).toEqual([0.1, 0.9]);
    expect(report.srm.mismatch).toBe(false);
  });

  it('marks every verdict unreliable when the split mismatches (gbstats SRM vector)', () => {
    const report = buildReport(
      summaryOf({
        flag: 'f',
        variants: [
          { name: 'a', users: 1000, metrics: { checkout: conversions(1000, 100) } },
          { name: 'b', users: 1200, metrics: { checkout: conversions(1200, 200) } },
        ],
      }),
    );
    expect(report.srm.pValue).toBeCloseTo(0.000020079, 9);
    const verdict = report.metrics[0].variants[1].verdict!;
    expect(verdict.reliable).toBe(false);
    expect(verdict.text).toBe('SRM warning: results unreliable (significant increase)');
    expect(report.notes[0]).toMatch(/sample-ratio mismatch/);
  });

  it('analyses a ratio metric when a denominator is given', () => {
    const report = buildReport(
      summaryOf({
        flag: 'f',
        variants: [
          {
            name: 'a',
            users: 100,
            metrics: {
              revenue_per_order: {
                n: 100,
                sum: 485.11,
                sumSquares: 2715.48,
                denominator: { sum: 679.91, sumSquares: 4939.42 },
                sumProduct: 3602.15,
              },
            },
          },
          {
            name: 'b',
            users: 100,
            metrics: {
              revenue_per_order: {
                n: 100,
                sum: 514.78,
                sumSquares: 2994.9,
                denominator: { sum: 705.41, sumSquares: 5291.37 },
                sumProduct: 3918.16,
              },
            },
          },
        ],
      }),
      { metric: 'revenue_per_order' },
    );
    const [control, treatment] = report.metrics[0].variants;
    expect(report.metrics[0].kind).toBe('ratio');
    expect(control.value).toBeCloseTo(485.11 / 679.91, 10);
    expect(treatment.relative!.estimate).toBeCloseTo(514.78 / 705.41 / (485.11 / 679.91) - 1, 10);
  });

  it('says when a variant has no data for a metric instead of comparing', () => {
    const report = buildReport(
      summaryOf({
        flag: 'f',
        variants: [
          { name: 'a', users: 10, metrics: { signup: conversions(10, 2) } },
          { name: 'b', users: 10, metrics: {} },
        ],
      }),
    );
    expect(report.metrics[0].variants[1].verdict).toMatchObject({ code: 'no-data', text: 'no data: this variant has none' });
  });

  it('says when there is too little data', () => {
    const report = buildReport(
      summaryOf({
        flag: 'f',
        variants: [
          { name: 'a', users: 1, metrics: { signup: conversions(1, 1) } },
          { name: 'b', users: 1, metrics: { signup: conversions(1, 0) } },
        ],
      }),
    );
    expect(report.metrics[0].variants[1].verdict!.code).toBe('insufficient-data');
  });

  it('rejects an unknown metric, naming the ones there are', () => {
    expect(() => buildReport(base, { metric: 'nope' })).toThrow(ReportInputError);
    expect(() => buildReport(base, { metric: 'nope' })).toThrow("unknown metric 'nope'; 'new-checkout' has: checkout, seconds");
  });

  it('records the method and warns about peeking only for the fixed-horizon test', () => {
    expect(buildReport(base).method).toEqual({ test: 'fixed-horizon', alpha: 0.05 });
    expect(buildReport(base).notes.join(' ')).toMatch(/--sequential/);
    const sequential = buildReport(base, { sequential: true, tuningParameter: 1000 });
    expect(sequential.method).toEqual({ test: 'sequential', alpha: 0.05, tuningParameter: 1000 });
    expect(sequential.notes.join(' ')).toMatch(/however often you look/);
  });
});

describe('renderText', () => {
  const text = renderText(buildReport(base));

  it('prints a row per variant with rate, lifts, p-value and verdict', () => {
    expect(text).toContain('Sample ratio: 5,000 / 5,030 users (expected 50% / 50%), p = 0.765  OK');
    expect(text).toMatch(/^off\s+5,000\s+12\.0%\s+baseline$/m);
    expect(text).toMatch(
      /^on\s+5,030\s+13\.9%\s+\+1\.92pp \[\+0\.\d+pp, \+3\.\d+pp\]\s+\+16\.0% \[.+\]\s+0\.0\d\d\s+significant increase$/m,
    );
    expect(text).toMatch(
      /^on\s+5,030\s+3,461\s+0\.7\s+\+0\.29 \[\+0\.0454, \+0\.535\]\s+\+70\.7% \[-3\.53%, \+145\.0%\]\s+0\.062\s+not significant$/m,
    );
  });

  it('draws zero outside a significant interval and inside a non-significant one', () => {
    const plotRow = (metric: string) => {
      const section = text.split(`Metric ${metric} `)[1];
      return section.split('\n').find((line) => line.startsWith('on ') && line.includes('|') && line.includes('*'))!;
    };
    const significant = plotRow('checkout');
    expect(significant.indexOf(':')).toBeLessThan(significant.indexOf('|'));
    const inconclusive = plotRow('seconds');
    const bars = [inconclusive.indexOf('|'), inconclusive.lastIndexOf('|')];
    expect(inconclusive.indexOf(':')).toBeGreaterThan(bars[0]);
    expect(inconclusive.indexOf(':')).toBeLessThan(bars[1]);
    expect(inconclusive.indexOf('*')).toBeGreaterThan(inconclusive.indexOf(':'));
  });
});

describe('renderSvg', () => {
  it('draws one interval and dot per compared treatment and escapes names', () => {
    const svg = renderSvg(buildReport(summaryOf({ ...base, flag: 'a<b' })));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('a&lt;b: lift vs off');
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg).toContain('#1a7f37'); // the significant checkout win is green
  });
});

describe('a report without metrics', () => {
  const journeys = [
    { name: 'checkout', steps: ['cart_viewed', 'checkout_started', 'payment_submitted', 'order_completed'], order: 'sequential' },
    { name: 'onboarding', steps: ['signup', 'profile_completed'], order: 'strict' },
  ];
  const exposedOnly = summaryOf({
    flag: 'new-checkout',
    variants: [
      { name: 'off', users: 100, metrics: {} },
      { name: 'on', users: 100, metrics: {} },
    ],
    stepsSeen: { checkout: ['order_completed', 'checkout_started'] },
  });

  it('says which journey steps exposed users sent and which never arrived', () => {
    let error: unknown;
    try {
      buildReport(exposedOnly, { metric: 'checkout', journeys });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ReportInputError);
    expect((error as ReportInputError).code).toBe('no-metrics');
    expect((error as Error).message.split('\n')).toEqual([
      "the summary of 'new-checkout' has no metrics yet: no user exposed to it has completed a journey. Journey steps sent by exposed users:",
      '  checkout (sequential): seen checkout_started, order_completed; missing cart_viewed, payment_submitted (the journey starts with cart_viewed: send it first)',
      '  onboarding (strict): nothing seen; missing signup, profile_completed (the journey starts with signup: send it first)',
    ]);
  });

  it('lists what was seen when the journey definitions are unknown (--from-file)', () => {
    expect(noMetricsMessage(exposedOnly)).toMatch(/checkout: seen order_completed, checkout_started$/);
    expect(noMetricsMessage({ flag: 'x' })).toBe("the summary of 'x' has no metrics yet: no user exposed to it has completed a journey");
  });
});

describe('journey names that are also object properties', () => {
  it('keeps a metric named __proto__ or constructor through the summary and into the report', () => {
    const data = JSON.parse(`{"flag": "f", "variants": [
      {"name": "off", "users": 100, "metrics": {"__proto__": {"n": 100, "sum": 10, "sumSquares": 10}, "constructor": {"n": 100, "sum": 20, "sumSquares": 20}}},
      {"name": "on", "users": 100, "metrics": {"__proto__": {"n": 100, "sum": 30, "sumSquares": 30}, "constructor": {"n": 100, "sum": 20, "sumSquares": 20}}}]}`);
    const summary = summaryOf(data);
    expect(Object.keys(summary.variants[1].metrics).sort()).toEqual(['__proto__', 'constructor']);
    const report = buildReport(summary);
    expect(report.metrics.map((m) => m.metric)).toEqual(['__proto__', 'constructor']);
    expect(report.metrics[0].variants[1].value).toBeCloseTo(0.3, 10);
  });
});
