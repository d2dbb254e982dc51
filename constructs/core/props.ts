/**
 * The rules props share across constructs, each written once, and the one way constructs check their props: a zod
 * schema per construct, parsed at construction, failing with every bad field named. The config schema composes the
 * same schemas, so a config that passes can never fail inside a construct.
 */
import { Token } from 'cdktf';
import { z } from 'zod';

/** CloudWatch Logs accepts only these retention values. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const logRetentionDaysSchema = z
  .number()
  .refine(
    (days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days),
    `must be one of CloudWatch Logs' retention values: ${LOG_RETENTION_DAYS.join(', ')}`,
  );

/**
 * The root of the AWS names a construct gives (`<namePrefix>-flags`, `<namePrefix>-events-archive-...`): the
 * strictest of the names it starts (S3 buckets, Glue databases, IAM roles under the deploy role's `<app>-*`).
 */
export const namePrefixSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,27}$/,
    "must be 1-28 lower-case letters, digits and '-', starting with a letter (it begins bucket, table, stream and role names)",
  );

/** A browser origin allowed by CORS: scheme and host (and port), no path; or `*`. */
export const corsOriginSchema = z
  .string()
  .refine(
    (value) => value === '*' || /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(value),
    'must be "*" or an origin like https://app.example.com (scheme and host, no path or trailing slash)',
  );

export const kmsKeyArnSchema = z.string().regex(/^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+$/, 'must be a KMS key ARN');

/**
 * A string prop that may also be a deploy-time token (e.g. another resource's ARN), which is not checked at synth.
 * A literal that fails gets the schema's description as its message, else the schema's own first message.
 */
export const tokenOr = (schema: z.ZodType<string>) =>
  z.string().superRefine((value, ctx) => {
    if (Token.isUnresolved(value)) return;
    const result = schema.safeParse(value);
    if (!result.success) ctx.addIssue({ code: 'custom', message: schema.description ?? result.error.issues[0].message });
  });

/** `services[0].memoryMiB`: a zod issue path as a config or props field. */
export function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(props)';
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    '',
  );
}

/** Parses a construct's props with its schema; throws one Error naming every bad field: `Network: invalid props:\n  cidrBlock: ...`. */
export function parseProps<S extends z.ZodType>(construct: string, schema: S, props: unknown): z.output<S> {
  const result = schema.safeParse(props);
  if (result.success) return result.data;
  throw new Error(
    `${construct}: invalid props:\n${result.error.issues.map((issue) => `  ${fieldPath(issue.path)}: ${issue.message}`).join('\n')}`,
  );
}
