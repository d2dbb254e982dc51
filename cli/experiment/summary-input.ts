/**
 * What `monoenv experiment report` accepts: the shared experiment summary
 * (`domain/experiments/experiment-summary.ts`) plus optional fields the shared schema does not carry
 * yet: an explicit metric `kind` and, for ratio metrics, the denominator's sums and Σ(numerator ×
 * denominator). Also checks what a schema per field cannot: unique names, a known control, weights.
 */
import { z } from 'zod';
import { experimentSummarySchema, metricSumsSchema, namedRecord, variantSummarySchema } from '../../domain/experiments/experiment-summary';
import type { MetricStatistic } from '../../domain/experiments/statistics';

const denominatorSchema = z.object({
  sum: z.number().finite(),
  sumSquares: z.number().finite().nonnegative(),
});

export const reportMetricSumsSchema = metricSumsSchema
  .extend({
    /** @default - `proportion` when every unit is 0/1 (sum = sumSquares), `ratio` with a denominator, else `mean` */
    kind: z.enum(['proportion', 'mean', 'ratio']).optional(),
    denominator: denominatorSchema.optional(),
    sumProduct: z.number().finite().optional(),
  })
  .superRefine((metric, ctx) => {
    const hasDenominator = metric.denominator !== undefined;
    if (hasDenominator !== (metric.sumProduct !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [hasDenominator ? 'sumProduct' : 'denominator'],
        message: 'a ratio metric needs both denominator and sumProduct',
      });
    }
    if (metric.kind === 'ratio' && !hasDenominator) {
      ctx.addIssue({ code: 'custom', path: ['denominator'], message: "kind 'ratio' needs denominator and sumProduct" });
    }
    if (metric.kind === 'proportion' && (metric.sum < 0 || metric.sum > metric.n)) {
      ctx.addIssue({ code: 'custom', path: ['sum'], message: 'a proportion needs 0 <= sum <= n' });
    }
  });

export const reportSummarySchema = experimentSummarySchema
  .extend({
    variants: z
      .array(variantSummarySchema.extend({ metrics: namedRecord(reportMetricSumsSchema) }))
      .min(2, 'at least 2 variants are needed to compare'),
  })
  .superRefine((summary, ctx) => {
    const names = summary.variants.map((v) => v.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i)
        ctx.addIssue({ code: 'custom', path: ['variants', i, 'name'], message: `duplicate variant '${name}'` });
    });
    if (summary.control !== undefined && !names.includes(summary.control)) {
      ctx.addIssue({ code: 'custom', path: ['control'], message: `'${summary.control}' is not one of the variants (${names.join(', ')})` });
    }
    if (summary.weights) {
      for (const name of names) {
        if (summary.weights[name] === undefined)
          ctx.addIssue({ code: 'custom', path: ['weights', name], message: 'every variant needs a weight' });
      }
      for (const key of Object.keys(summary.weights)) {
        if (!names.includes(key)) ctx.addIssue({ code: 'custom', path: ['weights', key], message: 'not one of the variants' });
      }
      if (!Object.values(summary.weights).some((w) => w > 0)) {
        ctx.addIssue({ code: 'custom', path: ['weights'], message: 'at least one weight must be positive' });
      }
    }
    const ratioMetrics = new Set(
      summary.variants.flatMap((v) =>
        Object.entries(v.metrics)
          .filter(([, m]) => m.denominator)
          .map(([name]) => name),
      ),
    );
    summary.variants.forEach((variant, i) => {
      for (const [name, metric] of Object.entries(variant.metrics)) {
        if (ratioMetrics.has(name) && !metric.denominator) {
          ctx.addIssue({
            code: 'custom',
            path: ['variants', i, 'metrics', name, 'denominator'],
            message: 'other variants give this metric a denominator; every variant needs one',
          });
        }
      }
    });
  });

export type ReportMetricSums = z.infer<typeof reportMetricSumsSchema>;
export type ReportSummary = z.infer<typeof reportSummarySchema>;

export type ParsedSummary = { ok: true; summary: ReportSummary } | { ok: false; problems: string[] };

/** Validates untrusted data; each problem names its field, e.g. `variants[1].metrics.signup.n: ...`. */
export function parseReportSummary(data: unknown): ParsedSummary {
  const result = reportSummarySchema.safeParse(data);
  if (result.success) return { ok: true, summary: result.data };
  return { ok: false, problems: result.error.issues.map((issue) => `${fieldPath(issue.path)}: ${issue.message}`) };
}

function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    '',
  );
}

export type MetricKind = MetricStatistic['kind'];

/** One kind per metric across variants, so every variant is analysed the same way (gbstats requires it). */
export function metricKind(perVariant: readonly ReportMetricSums[]): MetricKind {
  const stated = perVariant.find((m) => m.kind)?.kind;
  if (stated) return stated;
  if (perVariant.some((m) => m.denominator)) return 'ratio';
  const zeroOrOne = perVariant.every((m) => m.sum === m.sumSquares && Number.isInteger(m.sum) && m.sum >= 0 && m.sum <= m.n);
  return zeroOrOne ? 'proportion' : 'mean';
}

export function toStatistic(sums: ReportMetricSums, kind: MetricKind): MetricStatistic {
  if (kind === 'proportion') return { kind, n: sums.n, sum: sums.sum };
  if (kind === 'mean') return { kind, n: sums.n, sum: sums.sum, sumSquares: sums.sumSquares };
  if (!sums.denominator || sums.sumProduct === undefined) throw new Error('a ratio metric without a denominator passed validation');
  return { kind, n: sums.n, numerator: sums, denominator: sums.denominator, sumProduct: sums.sumProduct };
}
