import { z } from 'zod';

/**
 * `z.record` that keeps every own key, `__proto__` included (zod drops it), in a null-prototype object: journey,
 * metric and variant names are data here, and a journey may be named `__proto__` or `constructor`.
 */
export function namedRecord<V extends z.ZodType>(value: V) {
  return z.unknown().transform((input, ctx): Record<string, z.output<V>> => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      ctx.addIssue({ code: 'custom', message: 'must be an object' });
      return z.NEVER;
    }
    const out = Object.create(null) as Record<string, z.output<V>>;
    for (const [key, raw] of Object.entries(input)) {
      if (key === '') ctx.addIssue({ code: 'custom', path: [key], message: 'a name must not be empty', continue: true });
      const parsed = value.safeParse(raw);
      // Like z.record, a failing entry keeps its input so checks across entries still see it; the parse fails anyway.
      out[key] = parsed.success ? parsed.data : (raw as z.output<V>);
      if (!parsed.success)
        for (const issue of parsed.error.issues)
          ctx.addIssue({ code: 'custom', path: [key, ...issue.path], message: issue.message, continue: true });
    }
    return out;
  });
}

/**
 * Per-variant sufficient statistics of an experiment: what the journey processor accumulates and
 * what `monoenv experiment report` analyses (also from a file, `--from-file`). For a conversion
 * metric each exposed user contributes 0 or 1 (n = users, sum = sumSquares = converters); for a
 * mean metric (e.g. seconds to convert) n counts the users with a value.
 */
export const metricSumsSchema = z.object({
  n: z.number().int().nonnegative(),
  sum: z.number().finite(),
  sumSquares: z.number().finite().nonnegative(),
});

export const variantSummarySchema = z.object({
  name: z.string().min(1),
  users: z.number().int().nonnegative(),
  metrics: namedRecord(metricSumsSchema),
});

export const experimentSummarySchema = z.object({
  flag: z.string().min(1),
  /** The variant the others are compared against. @default - the first variant */
  control: z.string().min(1).optional(),
  /** Expected traffic share per variant, for the sample-ratio-mismatch check. @default - equal split */
  weights: namedRecord(z.number().nonnegative()).optional(),
  variants: z.array(variantSummarySchema).min(2),
  /** Journey steps sent by users exposed to the flag, by journey (whether or not they advanced it). @default - unknown */
  stepsSeen: namedRecord(z.array(z.string())).optional(),
});

export type MetricSums = z.infer<typeof metricSumsSchema>;
export type VariantSummary = z.infer<typeof variantSummarySchema>;
export type ExperimentSummary = z.infer<typeof experimentSummarySchema>;
