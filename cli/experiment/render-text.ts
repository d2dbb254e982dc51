/**
 * The terminal rendering of an experiment report: an SRM line, a table per metric and a forest
 * plot of each treatment's lift with its interval around zero. The table is a few lines of
 * padding, not worth a dependency.
 */
import type { Effect } from '../../domain/experiments/statistics';
import type { ExperimentReport, MetricReport, VariantResult } from './report';

export function renderText(report: ExperimentReport): string {
  const confidence = `${formatNumber((1 - report.method.alpha) * 100, 3)}% CI`;
  const method = report.method.test === 'sequential' ? `sequential test (tuning ${report.method.tuningParameter})` : 'fixed-horizon t-test';
  const lines = [`Experiment ${report.flag}  ·  control: ${report.control}  ·  ${method}, ${confidence}`, srmLine(report), ''];
  for (const metric of report.metrics) {
    lines.push(`Metric ${metric.metric} (${KIND_LABEL[metric.kind]})`, ...table(metric, confidence), '');
    const chart = forestPlot(metric, confidence);
    if (chart.length > 0) lines.push(...chart, '');
  }
  lines.push(...report.notes.map((note) => `Note: ${note}`));
  return lines.join('\n');
}

const KIND_LABEL = { proportion: 'conversion rate', mean: 'mean', ratio: 'ratio' } as const;

function srmLine(report: ExperimentReport): string {
  const { srm } = report;
  const observed = srm.users.map((u) => u.toLocaleString('en-US')).join(' / ');
  const expected = srm.expectedShares.map((s) => `${formatNumber(s * 100, 3)}%`).join(' / ');
  const verdict = srm.mismatch ? 'SRM WARNING: the split differs from the design; results unreliable' : 'OK';
  return `Sample ratio: ${observed} users (expected ${expected}), p = ${formatP(srm.pValue)}  ${verdict}`;
}

function table(metric: MetricReport, confidence: string): string[] {
  const isRate = metric.kind === 'proportion';
  // Units differ from users for means over the users with a value, or ratios over orders, say.
  const showUnits = metric.variants.some((v) => v.units !== undefined && v.units !== v.users);
  const header = [
    'variant',
    'users',
    ...(showUnits ? ['n'] : []),
    isRate ? 'rate' : metric.kind,
    `abs lift [${confidence}]`,
    `rel lift [${confidence}]`,
    'p',
    'verdict',
  ];
  const rows = metric.variants.map((v, i) => [
    v.variant,
    v.users.toLocaleString('en-US'),
    ...(showUnits ? [v.units === undefined ? '—' : v.units.toLocaleString('en-US')] : []),
    v.value === undefined ? '—' : isRate ? formatPercent(v.value) : formatNumber(v.value),
    i === 0 ? 'baseline' : effectCell(v.absolute, isRate ? formatPoints : (x) => formatNumber(x, 3, true)),
    i === 0 ? '' : effectCell(v.relative, (x) => formatPercent(x, true)),
    v.pValue === undefined ? '' : formatP(v.pValue),
    v.verdict?.text ?? '',
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const numeric = (c: number) => c === 1 || (showUnits && c === 2);
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (numeric(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function effectCell(effect: Effect | undefined, format: (x: number) => string): string {
  if (!effect) return '—';
  return `${format(effect.estimate)} [${format(effect.ci[0])}, ${format(effect.ci[1])}]`;
}

const PLOT_WIDTH = 41;

/**
 * One row per compared treatment: `|----*----|` is the interval and estimate of the relative lift
 * (absolute when there is none), `:` marks zero. Every row shares one scale so they can be compared.
 */
export function forestPlot(metric: MetricReport, confidence: string): string[] {
  const rows = metric.variants
    .map((v) => ({ v, effect: v.relative ?? v.absolute }))
    .filter((r): r is { v: VariantResult; effect: Effect } => r.effect !== undefined && r.v.verdict !== undefined);
  if (rows.length === 0) return [];
  const relative = rows.every((r) => r.v.relative !== undefined);
  const format = relative ? (x: number) => formatPercent(x, true) : (x: number) => formatNumber(x, 3, true);
  const low = Math.min(0, ...rows.map((r) => r.effect.ci[0]));
  const high = Math.max(0, ...rows.map((r) => r.effect.ci[1]));
  const span = high - low || 1;
  const column = (x: number) => Math.round(((x - low) / span) * (PLOT_WIDTH - 1));
  const labelWidth = Math.max(...rows.map((r) => r.v.variant.length));
  const zero = column(0);

  const plotted = rows.map(({ v, effect }) => {
    const cells = Array.from({ length: PLOT_WIDTH }, (): string => ' ');
    const [from, to] = [column(effect.ci[0]), column(effect.ci[1])];
    for (let c = from; c <= to; c++) cells[c] = '-';
    cells[zero] = ':';
    cells[from] = '|';
    cells[to] = '|';
    cells[column(effect.estimate)] = '*';
    return `${v.variant.padEnd(labelWidth)}  ${cells.join('')}  ${format(effect.estimate)} [${format(effect.ci[0])}, ${format(effect.ci[1])}]`;
  });
  const axis = Array.from({ length: PLOT_WIDTH }, (): string => ' ');
  const place = (text: string, at: number) => {
    for (let i = 0; i < text.length && at + i < PLOT_WIDTH; i++) axis[Math.max(0, at) + i] = text[i];
  };
  const lowLabel = format(low);
  const highLabel = format(high);
  place(lowLabel, 0);
  place(highLabel, PLOT_WIDTH - highLabel.length);
  if (zero > lowLabel.length && zero < PLOT_WIDTH - highLabel.length - 1) place('0', zero);
  return [
    `${relative ? 'Relative' : 'Absolute'} lift, ${confidence}  (: is zero, * the estimate)`,
    ...plotted,
    `${' '.repeat(labelWidth)}  ${axis.join('').trimEnd()}`,
  ];
}

export function formatP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

function formatPercent(x: number, signed = false): string {
  if (x === 0) return '0%';
  const text = `${(x * 100).toFixed(Math.abs(x) >= 0.1 ? 1 : 2)}%`;
  return signed && x >= 0 ? `+${text}` : text;
}

/** Differences of rates, in percentage points. */
function formatPoints(x: number): string {
  const text = `${(x * 100).toFixed(2)}pp`;
  return x >= 0 ? `+${text}` : text;
}

function formatNumber(x: number, significant = 4, signed = false): string {
  const text = Number.isInteger(x) && Math.abs(x) < 1e6 ? String(x) : Number(x.toPrecision(significant)).toString();
  return signed && x >= 0 ? `+${text}` : text;
}
