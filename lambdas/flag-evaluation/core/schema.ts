// zod/mini rather than zod: the whole flag Lambda must stay under 60 KB minified and classic zod alone is ~85 KB.
import * as z from 'zod/mini';
import type { FlagIssue } from './types';

/** Structural schema of a flagd flag file; the semantic checks (variants, targeting) live in validate-flags.ts. */

const metadataSchema = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean()], { error: 'metadata values must be a string, number or boolean' }),
  { error: 'must be an object of string, number or boolean values' },
);

const variantValueSchema = z.union(
  [z.boolean(), z.string(), z.number(), z.array(z.unknown()), z.record(z.string(), z.unknown())],
  { error: 'a variant value must be a boolean, string, number, object or array (not null)' },
);

const flagSchema = z.strictObject(
  {
    state: z.enum(['ENABLED', 'DISABLED'], { error: 'must be "ENABLED" or "DISABLED"' }),
    variants: z
      .record(z.string().check(z.minLength(1, 'variant names must not be empty')), variantValueSchema, {
        error: 'must be an object of variant name to value',
      })
      .check(z.refine((variants) => Object.keys(variants).length > 0, 'needs at least one variant')),
    defaultVariant: z.optional(z.nullable(z.string({ error: 'must be a variant name (string) or null' }))),
    targeting: z.optional(z.record(z.string(), z.unknown(), { error: 'must be a JSON Logic object' })),
    metadata: z.optional(metadataSchema),
  },
  { error: 'must be an object with state, variants, defaultVariant, targeting and metadata' },
);

export const flagDocumentSchema = z.strictObject(
  {
    $schema: z.optional(z.string({ error: 'must be a string' })),
    flags: z.record(z.string().check(z.minLength(1, 'flag keys must not be empty')), flagSchema, {
      error: 'must be an object of flag key to flag',
    }),
    $evaluators: z.optional(z.record(z.string(), z.unknown(), { error: 'must be an object of name to JSON Logic' })),
    metadata: z.optional(metadataSchema),
  },
  { error: 'a flag document must be an object with "flags"' },
);

/** Dotted field path of a zod issue path: ["flags", "a", "variants"] -> "flags.a.variants". */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    return out ? `${out}.${String(part)}` : String(part);
  }, '');
}

/** Converts zod issues to FlagIssues naming the flag (when inside `flags`) and the field. */
export function toFlagIssues(issues: readonly z.core.$ZodIssue[]): FlagIssue[] {
  return issues.map((issue) => {
    const flag = issue.path[0] === 'flags' && typeof issue.path[1] === 'string' ? issue.path[1] : undefined;
    const field = fieldPath(issue.path) || '(document)';
    const message =
      issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message;
    return flag === undefined ? { field, message } : { flag, field, message };
  });
}
