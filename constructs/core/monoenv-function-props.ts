/**
 * What a MonoenvFunction accepts, as one zod schema: the construct parses its props with it, so a bad size,
 * name or runtime fails at construction with every bad field named, not at `terraform apply`.
 */
import { z } from 'zod';
import { logRetentionDaysSchema } from './props';

/**
 * The Node.js runtime of every monoenv Lambda. nodejs20.x is blocked for new functions since 2026-08-31;
 * nodejs24.x needs hashicorp/aws 6.x. The guardrails' runtime calendar (MONO-LAMBDA-3) says when to move.
 */
export const DEFAULT_LAMBDA_RUNTIME = 'nodejs22.x';

const wholeNumber = (min: number, max: number, message: string) => z.number().int(message).min(min, message).max(max, message);

/** Set by the Lambda runtime; the Lambda API refuses a function configuration that sets any of them. */
export const RESERVED_LAMBDA_ENVIRONMENT = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'TZ',
]);

/** The rules of each field, for constructs that pass them on (e.g. FlagStore's reserved concurrency). */
export const monoenvFunctionFields = {
  entry: z.string().min(1, 'must be the path of a handler module'),
  /** `index.<handler>`: an exported name, or a dotted path to one. */
  handler: z.string().regex(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/, 'must be the name the handler module exports, e.g. handler'),
  functionName: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, '-' or '_'"),
  description: z.string().max(256, 'must be at most 256 characters (a Lambda limit)'),
  /** Lambda's own rules for variable names: a letter, then letters, digits or '_', at least two characters; not reserved. */
  environment: z.record(z.string(), z.string()).superRefine((environment, ctx) => {
    for (const name of Object.keys(environment)) {
      if (RESERVED_LAMBDA_ENVIRONMENT.has(name))
        ctx.addIssue({ code: 'custom', path: [name], message: `environment variable '${name}' is reserved: the Lambda runtime sets it` });
      else if (!/^[A-Za-z][A-Za-z0-9_]+$/.test(name))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `environment variable name '${name}' must be a letter then letters, digits or '_' (at least two characters)`,
        });
    }
  }),
  timeoutSeconds: wholeNumber(1, 900, 'must be 1..900 (whole seconds)'),
  memoryMiB: wholeNumber(128, 10240, 'must be 128..10240 (whole MiB)'),
  logRetentionDays: logRetentionDaysSchema,
  runtime: z.string().regex(/^nodejs\d+\.x$/, 'must be a Node.js runtime like nodejs22.x'),
  architecture: z.enum(['arm64', 'x86_64'], { error: "must be 'arm64' or 'x86_64'" }),
  /** 0 is allowed (Lambda then runs nothing: an off switch). */
  reservedConcurrentExecutions: wholeNumber(0, Number.MAX_SAFE_INTEGER, 'must be a whole number >= 0'),
};

/** The construct's scalar props with their defaults. */
export const monoenvFunctionSettingsSchema = z.object({
  entry: monoenvFunctionFields.entry,
  handler: monoenvFunctionFields.handler.default('handler'),
  /** Absent: derived from the construct path (always valid). */
  functionName: monoenvFunctionFields.functionName.optional(),
  description: monoenvFunctionFields.description.optional(),
  environment: monoenvFunctionFields.environment.default({}),
  timeoutSeconds: monoenvFunctionFields.timeoutSeconds.default(10),
  memoryMiB: monoenvFunctionFields.memoryMiB.default(256),
  logRetentionDays: monoenvFunctionFields.logRetentionDays.default(30),
  runtime: monoenvFunctionFields.runtime.default(DEFAULT_LAMBDA_RUNTIME),
  architecture: monoenvFunctionFields.architecture.default('arm64'),
  reservedConcurrentExecutions: monoenvFunctionFields.reservedConcurrentExecutions.optional(),
});

export type MonoenvFunctionSettings = z.output<typeof monoenvFunctionSettingsSchema>;
