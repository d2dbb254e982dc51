/**
 * A forest plot of the report as a standalone SVG: one row per treatment and metric, the interval
 * as a line, the estimate as a dot, zero as a dashed line. Green/red only for significant results.
 */
import type { Effect } from '../../domain/experiments/statistics';
import type { ExperimentReport } from './report';

const ROW_HEIGHT = 28;
const LABEL_WIDTH = 260;
const PLOT_WIDTH = 420;
const VALUE_WIDTH = 220;
const TOP = 56;

interface Row {
  readonly label: string;
  readonly effect: Effect;
  readonly relative: boolean;
  readonly color: string;
}

export function renderSvg(report: ExperimentReport): string {
  const rows: Row[] = report.metrics.flatMap((metric) =>
    metric.variants.flatMap((v) => {
      const effect = v.relative ?? v.absolute;
      if (!effect || !v.verdict) return [];
      const color = !v.verdict.reliable
        ? '#b26b00'
        : v.verdict.code === 'increase'
          ? '#1a7f37'
          : v.verdict.code === 'decrease'
            ? '#cf222e'
            : '#57606a';
      return [{ label: `${metric.metric} · ${v.variant}`, effect, relative: v.relative !== undefined, color }];
    }),
  );
  const low = Math.min(0, ...rows.map((r) => r.effect.ci[0]));
  const high = Math.max(0, ...rows.map((r) => r.effect.ci[1]));
  const span = high - low || 1;
  const x = (value: number) => LABEL_WIDTH + ((value - low) / span) * PLOT_WIDTH;
  const width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH;
  const height = TOP + Math.max(1, rows.length) * ROW_HEIGHT + 40;
  const confidence = `${Math.round((1 - report.method.alpha) * 100)}% CI`;
  const title = `${report.flag}: lift vs ${report.control} (${confidence}, ${report.method.test})`;

  const body = rows.map((row, i) => {
    const y = TOP + i * ROW_HEIGHT + ROW_HEIGHT / 2;
    const format = (v: number) => (row.relative ? `${(v * 100).toFixed(1)}%` : v.toPrecision(3));
    const values = `${format(row.effect.estimate)} [${format(row.effect.ci[0])}, ${format(row.effect.ci[1])}]`;
    return [
      `<text x="${LABEL_WIDTH - 10}" y="${y + 4}" text-anchor="end">${escapeXml(row.label)}</text>`,
      `<line x1="${x(row.effect.ci[0]).toFixed(1)}" y1="${y}" x2="${x(row.effect.ci[1]).toFixed(1)}" y2="${y}" stroke="${row.color}" stroke-width="2"/>`,
      `<circle cx="${x(row.effect.estimate).toFixed(1)}" cy="${y}" r="4" fill="${row.color}"/>`,
      `<text x="${LABEL_WIDTH + PLOT_WIDTH + 10}" y="${y + 4}">${escapeXml(values)}</text>`,
    ].join('\n  ');
  });
  const bottom = TOP + Math.max(1, rows.length) * ROW_HEIGHT;
  const srm = report.srm.mismatch
    ? `<text x="10" y="${height - 10}" fill="#b26b00">SRM warning: traffic split differs from the design (p = ${report.srm.pValue.toPrecision(2)}); results unreliable</text>`
    : '';
  return (
    [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">`,
      `  <rect width="100%" height="100%" fill="white"/>`,
      `  <text x="10" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
      `  <line x1="${x(0).toFixed(1)}" y1="${TOP - 8}" x2="${x(0).toFixed(1)}" y2="${bottom}" stroke="#8c959f" stroke-dasharray="4 3"/>`,
      `  <text x="${x(0).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">0</text>`,
      rows.length === 0 ? `  <text x="${LABEL_WIDTH}" y="${TOP + 18}">no comparable results</text>` : `  ${body.join('\n  ')}`,
      srm ? `  ${srm}` : '',
      '</svg>',
    ]
      .filter((line) => line !== '')
      .join('\n') + '\n'
  );
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
