import { z } from 'zod';
import { checkServiceSizing, serviceFields } from '../constructs/services/container-service-props';
import { cidrBlockSchema, existingVpcSchema, natGatewaysSchema } from '../constructs/services/network';
import { corsOriginSchema, kmsKeyArnSchema, logRetentionDaysSchema, namePrefixSchema } from '../constructs/core/props';
import { flagStoreFields } from '../constructs/flags/flag-store-props';
import { rolloutControllerFields } from '../constructs/flags/rollout-controller';
import { publicApiFields } from '../constructs/front-door/public-api';
import { imageScanningFields } from '../constructs/images/image-scanning-props';
import { monitoringFields } from '../constructs/monitoring/monitoring';
import { eventStreamFields } from '../constructs/events/event-stream-props';

/**
 * The one schema for a monoenv environment (monoenv.config.json). Every field has a default that gives a
 * working environment, so `{}` is a valid config; CD overrides a few fields from the environment (see load.ts).
 * Fields that become construct props are checked with the constructs' own rules (the `*Fields` each construct
 * exports, from its module or the `*-props.ts` beside it, and props.ts), so a config that passes never fails
 * inside a construct.
 */
const name = (what: string, max: number) =>
  z
    .string()
    .regex(
      new RegExp(`^[a-z][a-z0-9-]{0,${max - 1}}$`),
      `${what} must be lower-case letters, digits and '-', starting with a letter, at most ${max} characters`,
    );

export const ownershipSchema = z.strictObject({
  /** Business domain, e.g. `checkout`; tagged on every resource as `domain`. */
  domain: name('domain', 40),
  /** Owning team, e.g. `payments`; tagged on every resource as `team`. */
  team: name('team', 40),
  /** Where this team's alarms go; a team topic is created when set. @default - the environment's alerts topic */
  alertEmail: monitoringFields.alertEmail.optional(),
});

export const serviceSchema = z
  .strictObject({
    name: name('service name', 24),
    /** A full image reference. @default - the environment's ECR repository at `imageTag` */
    image: z.string().min(1).optional(),
    /** Tag of the ECR image; CD passes the commit SHA in MONOENV_IMAGE_TAG. */
    imageTag: z
      .string()
      .regex(/^[\w][\w.-]{0,127}$/, 'imageTag must be a valid image tag')
      .default('latest'),
    containerPort: serviceFields.containerPort.default(8080),
    healthCheckPath: serviceFields.healthCheckPath.default('/health'),
    cpu: serviceFields.cpu.default(256),
    memoryMiB: serviceFields.memoryMiB.default(512),
    desiredCount: serviceFields.desiredCount.default(2),
    minCount: serviceFields.minCount.default(1),
    maxCount: serviceFields.maxCount.default(4),
    environment: serviceFields.environment.default({}),
    /** @default - the environment's ownership */
    ownership: ownershipSchema.optional(),
  })
  .superRefine(checkServiceSizing);

export const configSchema = z
  .strictObject({
    /** The root of every AWS name (`<appName>-flags`, `<appName>-<service>`); at most 20 so service names fit. */
    appName: namePrefixSchema.max(20, 'appName must be at most 20 characters (services are named <appName>-<service>)').default('monoenv'),
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'region must look like eu-west-1')
      .default('us-east-1'),
    /** Environment-wide alerts; an email subscription is created when set. @default - no subscription */
    alertEmail: monitoringFields.alertEmail.optional(),
    /** Owner of the shared resources and default owner of services. */
    ownership: ownershipSchema.default({ domain: 'platform', team: 'platform' }),
    /** HTTPS for the services' load balancer. @default - HTTP only */
    domain: z
      .strictObject({
        name: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'domain.name must be a DNS name'),
        certificateArn: serviceFields.certificateArn,
      })
      .optional(),
    network: z
      .strictObject({
        /** NAT gateways: one shared, one per AZ, or none (tasks in public subnets: cheapest). */
        natGateways: natGatewaysSchema.default('one'),
        cidr: cidrBlockSchema.default('10.0.0.0/16'),
        /** Use an existing VPC instead of creating one (without private subnets, tasks run in the public ones). */
        existingVpc: existingVpcSchema.optional(),
      })
      .default({ natGateways: 'one', cidr: '10.0.0.0/16' }),
    /** Services in the one environment, each owned by a team. */
    services: z
      .array(serviceSchema)
      .min(1)
      .default([serviceSchema.parse({ name: 'web' })]),
    imageScanning: z
      .strictObject({
        mode: imageScanningFields.scanMode.default('enhanced'),
        keepLastImages: imageScanningFields.keepLastImages.max(1000, 'must be at most 1000').default(30),
        alertSeverity: imageScanningFields.alertSeverity.default('HIGH'),
        /** ImageScanning's rescanScheduleExpression. */
        rescanSchedule: imageScanningFields.rescanScheduleExpression.default('rate(1 day)'),
      })
      .default({ mode: 'enhanced', keepLastImages: 30, alertSeverity: 'HIGH', rescanSchedule: 'rate(1 day)' }),
    /** The public front door of the flag and ingestion APIs (an API Gateway HTTP API). */
    api: z
      .strictObject({
        /** Steady requests per second across both APIs before API Gateway answers 429. */
        throttleRateLimit: publicApiFields.throttleRateLimit.default(1000),
        /** Requests allowed in a burst above the steady rate. */
        throttleBurstLimit: publicApiFields.throttleBurstLimit.default(2000),
      })
      .default({ throttleRateLimit: 1000, throttleBurstLimit: 2000 }),
    flags: z
      .strictObject({
        /** Flag files (flagd schema), relative to the config file. */
        dir: z.string().default('flags'),
        /** Browser origins allowed to call the flag API. @default - none */
        corsAllowOrigins: flagStoreFields.corsAllowOrigins.default([]),
        /** Concurrent executions reserved for (and capping) the flag function: FlagStore's reservedConcurrentExecutions. */
        reservedConcurrency: flagStoreFields.reservedConcurrentExecutions.default(50),
      })
      .default({ dir: 'flags', corsAllowOrigins: [], reservedConcurrency: 50 }),
    /** Guarded rollouts and scheduled changes (see rollouts/README.md). */
    rollouts: z
      .strictObject({
        /** Rollout plans and scheduled changes, relative to the config file; a missing folder means none. */
        dir: z.string().default('rollouts'),
        /** How often the rollout controller runs (EventBridge Scheduler). */
        schedule: rolloutControllerFields.scheduleExpression.default('rate(1 minute)'),
      })
      .default({ dir: 'rollouts', schedule: 'rate(1 minute)' }),
    events: z
      .strictObject({
        /** Journey definitions, relative to the config file. */
        journeysDir: z.string().default('journeys'),
        corsAllowOrigins: z.array(corsOriginSchema).default([]),
        archiveRetentionDays: eventStreamFields.archiveRetentionDays.default(400),
        /** Concurrent executions reserved for (and capping) the ingestion function. */
        ingestReservedConcurrency: eventStreamFields.ingestReservedConcurrentExecutions.default(20),
      })
      .default({ journeysDir: 'journeys', corsAllowOrigins: [], archiveRetentionDays: 400, ingestReservedConcurrency: 20 }),
    logRetentionDays: logRetentionDaysSchema.default(30),
    /**
     * A customer managed KMS key for the event stream, its archive, the failure queue and the API key secrets;
     * every producer and consumer is granted its use. @default - AWS managed keys
     */
    encryption: z.strictObject({ kmsKeyArn: kmsKeyArnSchema.optional() }).default({}),
    /** Remote state (created by the bootstrap stack). */
    state: z
      .strictObject({
        /** @default - `<appName>-terraform-state` */
        bucket: z
          .string()
          .regex(/^[a-z0-9][a-z0-9.-]{2,62}$/, 'state.bucket must be a valid S3 bucket name')
          .optional(),
        key: z.string().default('production/terraform.tfstate'),
      })
      .default({ key: 'production/terraform.tfstate' }),
    /** The GitHub repository allowed to deploy (`owner/name`), for the bootstrap stack's OIDC role. */
    github: z
      .strictObject({
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
      if (seen.has(service.name))
        ctx.addIssue({ code: 'custom', path: ['services', index, 'name'], message: `duplicate service name '${service.name}'` });
      seen.add(service.name);
      // The stack names the service `<appName>-<name>`: it must be a valid ContainerService serviceName.
      const serviceName = serviceFields.serviceName.safeParse(`${config.appName}-${service.name}`);
      if (!serviceName.success) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', index, 'name'],
          message: `'${config.appName}-${service.name}' (appName-name) is too long: ${serviceName.error.issues[0].message}`,
        });
      }
    });
    // The stack names the ECR repository `<appName>`: it must be a valid ImageScanning repositoryName too.
    if (!imageScanningFields.repositoryName.safeParse(config.appName).success) {
      ctx.addIssue({
        code: 'custom',
        path: ['appName'],
        message: `'${config.appName}' also names the ECR repository, so it needs at least 2 characters and '-' only between letters or digits`,
      });
    }
    for (const reserved of ['domain', 'team']) {
      if (reserved in config.tags)
        ctx.addIssue({ code: 'custom', path: ['tags', reserved], message: `'${reserved}' is set from ownership, not tags` });
    }
  });

export type MonoenvConfig = z.output<typeof configSchema>;
export type MonoenvConfigInput = z.input<typeof configSchema>;
export type ServiceConfig = z.output<typeof serviceSchema>;
export type Ownership = z.output<typeof ownershipSchema>;
