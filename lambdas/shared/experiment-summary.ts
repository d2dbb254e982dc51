import { z } from 'zod';

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
  metrics: z.record(z.string().min(1), metricSumsSchema),
});

export const experimentSummarySchema = z.object({
  flag: z.string().min(1),
  /** The variant the others are compared against. @default - the first variant */
  control: z.string().min(1).optional(),
  /** Expected traffic share per variant, for the sample-ratio-mismatch check. @default - equal split */
  weights: z.record(z.string(), z.number().nonnegative()).optional(),
  variants: z.array(variantSummarySchema).min(2),
  /** Journey steps sent by users exposed to the flag, by journey (whether or not they advanced it). @default - unknown */
  stepsSeen: z.record(z.string(), z.array(z.string())).optional(),
});

export type MetricSums = z.infer<typeof metricSumsSchema>;
export type VariantSummary = z.infer<typeof variantSummarySchema>;
export type ExperimentSummary = z.infer<typeof experimentSummarySchema>;
