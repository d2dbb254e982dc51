import { z } from 'zod';
import { LOG_RETENTION_DAYS } from '../constructs/network';

/**
 * The one schema for a monoenv environment (monoenv.config.json). Every field has a default that gives a
 * working environment, so `{}` is a valid config; CD overrides a few fields from the environment (see load.ts).
 */
const name = (what: string, max: number) =>
  z.string().regex(new RegExp(`^[a-z][a-z0-9-]{0,${max - 1}}$`), `${what} must be lower-case letters, digits and '-', starting with a letter, at most ${max} characters`);

export const ownershipSchema = z.object({
  /** Business domain, e.g. `checkout`; tagged on every resource as `domain`. */
  domain: name('domain', 40),
  /** Owning team, e.g. `payments`; tagged on every resource as `team`. */
  team: name('team', 40),
  /** Where this team's alarms go; a team topic is created when set. @default - the environment's alerts topic */
  alertEmail: z.email().optional(),
});


const fargateCpuMemory: Record<number, [number, number]> = {
  256: [512, 2048],
  512: [1024, 4096],
  1024: [2048, 8192],
  2048: [4096, 16384],
  4096: [8192, 30720],
};

export const serviceSchema = z
  .object({
    name: name('service name', 24),
    /** A full image reference. @default - the environment's ECR repository at `imageTag` */
    image: z.string().min(1).optional(),
    /** Tag of the ECR image; CD passes the commit SHA in MONOENV_IMAGE_TAG. */
    imageTag: z.string().regex(/^[\w][\w.-]{0,127}$/, 'imageTag must be a valid image tag').default('latest'),
    containerPort: z.number().int().min(1).max(65535).default(8080),
    healthCheckPath: z.string().regex(/^\/[^\s]*$/, 'healthCheckPath must start with /').default('/health'),
    cpu: z.number().refine((cpu) => cpu in fargateCpuMemory, `cpu must be one of ${Object.keys(fargateCpuMemory).join(', ')} (Fargate CPU units)`).default(256),
    memoryMiB: z.number().int().positive().default(512),
    desiredCount: z.number().int().min(0).default(2),
    minCount: z.number().int().min(0).default(1),
    maxCount: z.number().int().min(1).default(4),
    environment: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
    /** @default - the environment's ownership */
    ownership: ownershipSchema.optional(),
  })
  .superRefine((service, ctx) => {
    const [low, high] = fargateCpuMemory[service.cpu] ?? [0, Infinity];
    if (service.memoryMiB < low || service.memoryMiB > high) {
      ctx.addIssue({ code: 'custom', path: ['memoryMiB'], message: `Fargate with cpu ${service.cpu} needs memoryMiB between ${low} and ${high}` });
    }
    if (service.maxCount < service.minCount) {
      ctx.addIssue({ code: 'custom', path: ['maxCount'], message: `maxCount (${service.maxCount}) must be >= minCount (${service.minCount})` });
    }
    if (service.desiredCount < service.minCount || service.desiredCount > service.maxCount) {
      ctx.addIssue({ code: 'custom', path: ['desiredCount'], message: `desiredCount (${service.desiredCount}) must be between minCount and maxCount` });
    }
  });

export const configSchema = z
  .object({
    appName: name('appName', 20).default('monoenv'),
    region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'region must look like eu-west-1').default('us-east-1'),
    /** Environment-wide alerts; an email subscription is created when set. @default - no subscription */
    alertEmail: z.email().optional(),
    /** Owner of the shared resources and default owner of services. */
    ownership: ownershipSchema.default({ domain: 'platform', team: 'platform' }),
    /** HTTPS for the services' load balancer. @default - HTTP only */
    domain: z
      .object({
        name: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'domain.name must be a DNS name'),
        certificateArn: z.string().regex(/^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/, 'domain.certificateArn must be an ACM certificate ARN'),
      })
      .optional(),
    network: z
      .object({
        /** NAT gateways: one shared, one per AZ, or none (tasks in public subnets: cheapest). */
        natGateways: z.enum(['one', 'per-az', 'none']).default('one'),
        cidr: z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-4])$/, 'network.cidr must be an IPv4 CIDR from /16 to /24').default('10.0.0.0/16'),
        /** Use an existing VPC instead of creating one. */
        existingVpc: z
          .object({
            vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, 'vpcId must look like vpc-0abc...'),
            publicSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).min(2),
            privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).min(2),
          })
          .optional(),
      })
      .default({ natGateways: 'one', cidr: '10.0.0.0/16' }),
    /** Services in the one environment, each owned by a team. */
    services: z.array(serviceSchema).min(1).default([serviceSchema.parse({ name: 'web' })]),
    imageScanning: z
      .object({
        mode: z.enum(['enhanced', 'basic']).default('enhanced'),
        keepLastImages: z.number().int().min(1).max(1000).default(30),
        alertSeverity: z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']).default('HIGH'),
        rescanSchedule: z.string().regex(/^(rate|cron)\(.+\)$/, 'rescanSchedule must be rate(...) or cron(...)').default('rate(1 day)'),
      })
      .default({ mode: 'enhanced', keepLastImages: 30, alertSeverity: 'HIGH', rescanSchedule: 'rate(1 day)' }),
    /** The public front door of the flag and ingestion APIs (an API Gateway HTTP API). */
    api: z
      .object({
        /** Steady requests per second across both APIs before API Gateway answers 429. */
        throttleRateLimit: z.number().positive().default(1000),
        /** Requests allowed in a burst above the steady rate. */
        throttleBurstLimit: z.number().int().positive().default(2000),
      })
      .default({ throttleRateLimit: 1000, throttleBurstLimit: 2000 }),
    flags: z
      .object({
        /** Flag files (flagd schema), relative to the config file. */
        dir: z.string().default('flags'),
        /** Browser origins allowed to call the flag API. @default - none */
        corsAllowOrigins: z.array(z.string()).default([]),
        /** Concurrent executions reserved for (and capping) the flag function. */
        reservedConcurrency: z.number().int().min(1).default(50),
      })
      .default({ dir: 'flags', corsAllowOrigins: [], reservedConcurrency: 50 }),
    events: z
      .object({
        /** Journey definitions, relative to the config file. */
        journeysDir: z.string().default('journeys'),
        corsAllowOrigins: z.array(z.string()).default([]),
        archiveRetentionDays: z.number().int().min(1).default(400),
        /** Concurrent executions reserved for (and capping) the ingestion function. */
        ingestReservedConcurrency: z.number().int().min(1).default(20),
      })
      .default({ journeysDir: 'journeys', corsAllowOrigins: [], archiveRetentionDays: 400, ingestReservedConcurrency: 20 }),
    logRetentionDays: z
      .number()
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), `logRetentionDays must be one of CloudWatch's values: ${LOG_RETENTION_DAYS.join(', ')}`)
      .default(30),
    /**
     * A customer managed KMS key for the event stream, its archive, the failure queue and the API key secrets;
     * every producer and consumer is granted its use. @default - AWS managed keys
     */
    encryption: z
      .object({ kmsKeyArn: z.string().regex(/^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/, 'encryption.kmsKeyArn must be a KMS key ARN').optional() })
      .default({}),
    /** Remote state (created by the bootstrap stack). */
    state: z
      .object({
        /** @default - `<appName>-terraform-state` */
        bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{2,62}$/, 'state.bucket must be a valid S3 bucket name').optional(),
        key: z.string().default('production/terraform.tfstate'),
      })
      .default({ key: 'production/terraform.tfstate' }),
    /** The GitHub repository allowed to deploy (`owner/name`), for the bootstrap stack's OIDC role. */
    github: z
      .object({
        repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'github.repository must be owner/name'),
        branch: z.string().default('main'),
      })
      .optional(),
    /** Extra tags on every resource. */
    tags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.services.forEach((service, index) => {
      if (seen.has(service.name)) ctx.addIssue({ code: 'custom', path: ['services', index, 'name'], message: `duplicate service name '${service.name}'` });
      seen.add(service.name);
    });
    for (const reserved of ['domain', 'team']) {
      if (reserved in config.tags) ctx.addIssue({ code: 'custom', path: ['tags', reserved], message: `'${reserved}' is set from ownership, not tags` });
    }
  });

export type MonoenvConfig = z.output<typeof configSchema>;
export type MonoenvConfigInput = z.input<typeof configSchema>;
export type ServiceConfig = z.output<typeof serviceSchema>;
export type Ownership = z.output<typeof ownershipSchema>;
