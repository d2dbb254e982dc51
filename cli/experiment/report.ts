/**
 * Turns an experiment summary into a report: every treatment against the control, per metric, with
 * an honest verdict, plus the sample-ratio-mismatch check. Renderers (text, JSON, SVG) only format this.
 */
import {
  compareToControl,
  DEFAULT_ALPHA,
  DEFAULT_TUNING_PARAMETER,
  sampleRatioMismatch,
  statisticMean,
  type Effect,
  type SampleRatioCheck,
} from '../../domain/experiments/statistics';
import { metricKind, toStatistic, type MetricKind, type ReportMetricSums, type ReportSummary } from './summary-input';

export interface ReportOptions {
  /** Only this metric (journey or event name); all metrics when omitted. */
  readonly metric?: string;
  readonly sequential?: boolean;
  /** @default 5000 */
  readonly tuningParameter?: number;
  /** @default 0.05 */
  readonly alpha?: number;
  /** The journeys as defined, so a report without metrics can name the steps that never arrived. @default - unknown */
  readonly journeys?: readonly JourneyOutline[];
}

/** What a report needs to know of a journey (journeys/*.json). */
export interface JourneyOutline {
  readonly name: string;
  readonly steps: readonly string[];
  readonly order?: string;
}

export type VerdictCode = 'increase' | 'decrease' | 'not-significant' | 'insufficient-data' | 'invalid-data' | 'no-data';

export interface Verdict {
  readonly code: VerdictCode;
  /** False when the sample ratio mismatches: then no verdict is trustworthy. */
  readonly reliable: boolean;
  readonly text: string;
}

export interface VariantResult {
  readonly variant: string;
  /** Exposed users (the SRM check counts these). */
  readonly users: number;
  /** Units with a value for this metric; undefined when the variant has no data for it. */
  readonly units?: number;
  /** Conversion rate, mean or ratio. */
  readonly value?: number;
  /** Only for treatments that could be compared. */
  readonly absolute?: Effect;
  readonly relative?: Effect;
  /** The p-value the verdict uses: the relative test's (GrowthBook's default), else the absolute one's. */
  readonly pValue?: number;
  /** Absent for the control. */
  readonly verdict?: Verdict;
}

export interface MetricReport {
  readonly metric: string;
  readonly kind: MetricKind;
  /** The control first, then the treatments in summary order. */
  readonly variants: readonly VariantResult[];
}

export interface ExperimentReport {
  readonly flag: string;
  readonly control: string;
  readonly method: { readonly test: 'fixed-horizon' | 'sequential'; readonly alpha: number; readonly tuningParameter?: number };
  readonly srm: SampleRatioCheck & { readonly variants: readonly string[]; readonly users: readonly number[] };
  readonly metrics: readonly MetricReport[];
  /** Caveats a reader must know, in plain words. */
  readonly notes: readonly string[];
}

/** Bad input found while building the report (as opposed to a bug); `code` is machine-readable. */
export class ReportInputError extends Error {
  constructor(
    readonly code: 'unknown-metric' | 'no-metrics',
    message: string,
  ) {
    super(message);
    this.name = 'ReportInputError';
  }
}

/**
 * Why there is nothing to compare yet: no exposed user completed a journey. Says, per journey, which steps
 * users exposed to the flag sent and which never arrived (a sequential journey never starts without its first step).
 */
export function noMetricsMessage(summary: Pick<ReportSummary, 'flag' | 'stepsSeen'>, journeys: readonly JourneyOutline[] = []): string {
  const head = `the summary of '${summary.flag}' has no metrics yet: no user exposed to it has completed a journey`;
  const seen = summary.stepsSeen;
  if (seen === undefined && journeys.length === 0) return head;
  const lines = [`${head}. Journey steps sent by exposed users:`];
  const names = [...new Set([...journeys.map((j) => j.name), ...Object.keys(seen ?? {})])];
  for (const name of names) {
    const journey = journeys.find((j) => j.name === name);
    const arrived = seen?.[name] ?? [];
    if (!journey) {
      lines.push(`  ${name}: seen ${arrived.join(', ')}`);
      continue;
    }
    const missing = journey.steps.filter((step) => !arrived.includes(step));
    const ordered = journey.steps.filter((step) => arrived.includes(step));
    const order = journey.order ?? 'sequential';
    let line = `  ${name} (${order}): ${ordered.length ? `seen ${ordered.join(', ')}` : 'nothing seen'}`;
    if (missing.length) line += `; missing ${missing.join(', ')}`;
    if (missing.includes(journey.steps[0])) line += ` (the journey starts with ${journey.steps[0]}: send it first)`;
    lines.push(line);
  }
  return lines.join('\n');
}

export function buildReport(summary: ReportSummary, options: ReportOptions = {}): ExperimentReport {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const sequential = options.sequential ?? false;
  const tuningParameter = options.tuningParameter ?? DEFAULT_TUNING_PARAMETER;
  const controlName = summary.control ?? summary.variants[0].name;
  const control = summary.variants.find((v) => v.name === controlName)!;
  const ordered = [control, ...summary.variants.filter((v) => v !== control)];

  const names = ordered.map((v) => v.name);
  const users = ordered.map((v) => v.users);
  const weights = summary.weights ? names.map((name) => summary.weights![name]) : undefined;
  const srm = { ...sampleRatioMismatch(users, weights), variants: names, users };

  const allMetrics = [...new Set(summary.variants.flatMap((v) => Object.keys(v.metrics)))].sort();
  if (allMetrics.length === 0) throw new ReportInputError('no-metrics', noMetricsMessage(summary, options.journeys));
  if (options.metric !== undefined && !allMetrics.includes(options.metric)) {
    throw new ReportInputError('unknown-metric', `unknown metric '${options.metric}'; '${summary.flag}' has: ${allMetrics.join(', ')}`);
  }
  const metricNames = options.metric !== undefined ? [options.metric] : allMetrics;

  const metrics = metricNames.map((metric): MetricReport => {
    const sums = ordered.map((v) => v.metrics[metric] as ReportMetricSums | undefined);
    const kind = metricKind(sums.filter((s): s is ReportMetricSums => s !== undefined));
    const stats = sums.map((s) => (s ? toStatistic(s, kind) : undefined));
    const controlStat = stats[0];
    const variants = ordered.map((variant, i): VariantResult => {
      const stat = stats[i];
      const base = { variant: variant.name, users: variant.users, units: stat?.n, value: stat ? statisticMean(stat) : undefined };
      if (i === 0) return base;
      if (!stat || !controlStat) {
        const missing = !controlStat ? 'the control' : 'this variant';
        return { ...base, verdict: verdictFor('no-data', srm.mismatch, `${missing} has none`) };
      }
      const comparison = compareToControl(controlStat, stat, { alpha, sequential, tuningParameter });
      if (comparison.status !== 'ok') return { ...base, verdict: verdictFor(comparison.status, srm.mismatch, comparison.reason) };
      const primary = comparison.relative ?? comparison.absolute;
      const significant = primary.pValue < alpha;
      const code: VerdictCode = !significant ? 'not-significant' : primary.estimate > 0 ? 'increase' : 'decrease';
      return {
        ...base,
        absolute: comparison.absolute,
        relative: comparison.relative,
        pValue: primary.pValue,
        verdict: verdictFor(code, srm.mismatch),
      };
    });
    return { metric, kind, variants };
  });

  return {
    flag: summary.flag,
    control: controlName,
    method: sequential ? { test: 'sequential', alpha, tuningParameter } : { test: 'fixed-horizon', alpha },
    srm,
    metrics,
    notes: notesFor(sequential, ordered.length - 1, srm.mismatch),
  };
}

const VERDICT_TEXT: Record<VerdictCode, string> = {
  increase: 'significant increase',
  decrease: 'significant decrease',
  'not-significant': 'not significant',
  'insufficient-data': 'not enough data',
  'invalid-data': 'invalid data',
  'no-data': 'no data',
};

function verdictFor(code: VerdictCode, srmMismatch: boolean, detail?: string): Verdict {
  const text = VERDICT_TEXT[code] + (detail ? `: ${detail}` : '');
  return srmMismatch
    ? { code, reliable: false, text: `SRM warning: results unreliable (${text})` }
    : { code, reliable: code !== 'invalid-data', text };
}

function notesFor(sequential: boolean, treatments: number, srmMismatch: boolean): string[] {
  const notes: string[] = [];
  if (srmMismatch) {
    notes.push(
      'The traffic split differs from the design (sample-ratio mismatch): fix the assignment or exposure logging before trusting any lift.',
    );
  }
  notes.push(
    sequential
      ? 'Sequential test: intervals and p-values stay valid however often you look.'
      : 'Fixed-horizon test: valid when read once at the planned sample size; looking daily and stopping on a good day inflates false positives (use --sequential).',
  );
  if (treatments > 1) notes.push(`${treatments} treatments are compared with the control, without correction for multiple comparisons.`);
  return notes;
}
