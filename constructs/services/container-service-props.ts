/**
 * What a container service accepts, as one zod schema: the construct parses its props with it, and the config's
 * `services[]` entries are checked with the same rules (config/schema.ts), so a service that passes the config
 * never fails in the construct. The Fargate size table lives here and nowhere else.
 */
import { z } from 'zod';
import { logRetentionDaysSchema, tokenOr } from '../core/props';

/** Valid memory (MiB) per Fargate CPU units, from the ECS task size table. */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

function range(min: number, max: number, step: number): number[] {
  return Array.from({ length: (max - min) / step + 1 }, (_, i) => min + i * step);
}

const wholeNumber = (name: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .number()
    .refine(
      (n) => Number.isInteger(n) && n >= min && n <= max,
      `${name} must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`}`,
    );

/** The rules of each sizing and health field; the config picks the ones it exposes. */
export const serviceFields = {
  serviceName: z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9-]{0,31}$/,
      "serviceName must start with a letter and be 1-32 letters, digits or '-' (it names the load balancer)",
    ),
  containerPort: z.number().refine((n) => Number.isInteger(n) && n >= 1 && n <= 65535, 'containerPort must be 1..65535'),
  healthCheckPath: z.string().regex(/^\/\S*$/, "healthCheckPath must start with '/'"),
  cpu: z
    .number()
    .refine(
      (cpu) => cpu in FARGATE_MEMORY_BY_CPU,
      `cpu must be one of ${Object.keys(FARGATE_MEMORY_BY_CPU).join(', ')} (Fargate CPU units)`,
    ),
  memoryMiB: z.number(),
  desiredCount: wholeNumber('desiredCount', 1),
  minCount: wholeNumber('minCount', 1),
  maxCount: wholeNumber('maxCount', 1),
  environment: z.record(z.string(), z.string()).superRefine((environment, ctx) => {
    for (const name of Object.keys(environment)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `environment variable name '${name}' must be letters, digits and '_', not starting with a digit`,
        });
    }
  }),
  logRetentionDays: logRetentionDaysSchema,
  healthCheckGracePeriodSeconds: wholeNumber('healthCheckGracePeriodSeconds', 0, 2147483647),
  targetCpuUtilizationPercent: z.number().refine((n) => n > 0 && n <= 100, 'targetCpuUtilizationPercent must be in (0, 100]'),
  targetRequestsPerTask: z.number().positive('targetRequestsPerTask must be > 0'),
  certificateArn: tokenOr(
    z
      .string()
      .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/.+$/)
      .describe('certificateArn must be an ACM certificate ARN'),
  ),
};

export interface ServiceSizing {
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly minCount: number;
  readonly maxCount: number;
  readonly desiredCount?: number;
}

/** The rules between fields: memory that fits the cpu, and minCount <= desiredCount <= maxCount. */
export function checkServiceSizing(value: ServiceSizing, ctx: z.RefinementCtx): void {
  const allowed = FARGATE_MEMORY_BY_CPU[value.cpu];
  if (allowed && !allowed.includes(value.memoryMiB)) {
    const shown =
      allowed.length > 4 ? `${allowed[0]}..${allowed[allowed.length - 1]} in steps of ${allowed[1] - allowed[0]}` : allowed.join(', ');
    ctx.addIssue({
      code: 'custom',
      path: ['memoryMiB'],
      message: `memoryMiB ${value.memoryMiB} is not valid with cpu ${value.cpu} on Fargate; allowed: ${shown}`,
    });
  }
  if (value.maxCount < value.minCount) {
    ctx.addIssue({
      code: 'custom',
      path: ['maxCount'],
      message: `maxCount (${value.maxCount}) must be a whole number >= minCount (${value.minCount})`,
    });
  }
  const desired = value.desiredCount ?? value.minCount;
  if (desired < value.minCount || desired > value.maxCount) {
    ctx.addIssue({
      code: 'custom',
      path: ['desiredCount'],
      message: `desiredCount (${desired}) must be between minCount (${value.minCount}) and maxCount (${value.maxCount})`,
    });
  }
}

/** The construct's scalar props with their defaults. */
export const containerServiceSettingsSchema = z
  .object({
    serviceName: serviceFields.serviceName,
    image: z.string().min(1, 'image must not be empty'),
    imageRepositoryArn: z.string().optional(),
    containerPort: serviceFields.containerPort.default(8080),
    healthCheckPath: serviceFields.healthCheckPath.default('/health'),
    cpu: serviceFields.cpu.default(256),
    memoryMiB: serviceFields.memoryMiB.default(512),
    desiredCount: serviceFields.desiredCount.optional(),
    minCount: serviceFields.minCount.default(2),
    maxCount: serviceFields.maxCount.default(10),
    certificateArn: serviceFields.certificateArn.optional(),
    domain: z.string().optional(),
    environment: serviceFields.environment.default({}),
    readonlyRootFilesystem: z.boolean().default(true),
    logRetentionDays: serviceFields.logRetentionDays.default(30),
    healthCheckGracePeriodSeconds: serviceFields.healthCheckGracePeriodSeconds.default(60),
    deletionProtection: z.boolean().default(true),
    failOnRollback: z.boolean().default(true),
    autoscaling: z.boolean().default(true),
    cpuArchitecture: z.enum(['x86_64', 'arm64']).default('x86_64'),
    targetCpuUtilizationPercent: serviceFields.targetCpuUtilizationPercent.default(60),
    targetRequestsPerTask: serviceFields.targetRequestsPerTask.default(1000),
    alarmHttp5xxRatePercent: z.number().positive().default(5),
    alarmLatencyP99Seconds: z.number().positive().default(2),
    alarmCpuPercent: z.number().positive().max(100).default(85),
    alarmMemoryPercent: z.number().positive().max(100).default(85),
  })
  .superRefine((value, ctx) => {
    checkServiceSizing(value, ctx);
    if (value.domain !== undefined && value.certificateArn === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['domain'],
        message: 'domain requires certificateArn: a custom domain is served over HTTPS only',
      });
    }
  })
  .transform((value) => ({ ...value, desiredCount: value.desiredCount ?? value.minCount }));

export type ContainerServiceSettings = z.output<typeof containerServiceSettingsSchema>;
