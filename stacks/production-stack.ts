import * as path from 'node:path';
import { Aspects, LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { loadFlagDir } from '../domain/flags/flag-files';
import type { MonoenvConfig } from '../config/schema';
import { ContainerService } from '../constructs/services/container-service';
import { EventStream } from '../constructs/events/event-stream';
import { FlagStore } from '../constructs/flags/flag-store';
import { RolloutController } from '../constructs/flags/rollout-controller';
import { loadRolloutDir } from '../domain/rollouts/rollout-files';
import { Guardrails, type GuardrailsOptions } from '../constructs/security/guardrails';
import { ImageScanning } from '../constructs/images/image-scanning';
import { Monitoring } from '../constructs/monitoring/monitoring';
import { Network } from '../constructs/services/network';
import { ownershipTags } from '../constructs/core/ownership';
import { applyPermissionsBoundary, boundaryArn, workloadBoundaryName } from '../constructs/security/permissions-boundary';
import { PublicApi } from '../constructs/front-door/public-api';
import { loadJourneys } from '../domain/journeys/journey-schema';
import { stateBucketName } from './bootstrap-stack';
import { ignoreLocalDrift, localAwsProviderConfig } from './local-aws';

export type ProductionBackend = { readonly type: 's3' } | { readonly type: 'local'; readonly path: string };

export interface ProductionStackProps {
  readonly config: MonoenvConfig;
  /** Folder that `config.flags.dir` and `config.events.journeysDir` are relative to. */
  readonly baseDir: string;
  /** @default - S3 backend in the bootstrap stack's state bucket, with Terraform's native lock file */
  readonly backend?: ProductionBackend;
  /**
   * The permissions boundary attached to every IAM role of the stack; the deploy role cannot create roles without it.
   * @default - the bootstrap stack's `<appName>-workload-boundary` in this account
   */
  readonly permissionsBoundaryArn?: string;
  /** Point the provider at a local AWS (moto) on loopback, e.g. http://127.0.0.1:5000. @default - real AWS */
  readonly localAwsEndpoint?: string;
  /**
   * Policy guardrails fail synth on insecure settings; options say where their summary goes.
   * @default true - the monoenv rules, summary to stderr
   */
  readonly guardrails?: boolean | GuardrailsOptions;
}

/**
 * The one environment: network, container services, image scanning, monitoring, feature flags and the
 * event stream, wired together. Every merge to main deploys it (`cdktf deploy production`).
 */
export class ProductionStack extends TerraformStack {
  readonly monitoring: Monitoring;
  readonly network: Network;
  readonly imageScanning: ImageScanning;
  readonly cluster: EcsCluster;
  readonly services: ContainerService[];
  readonly flagStore: FlagStore;
  readonly eventStream: EventStream;
  /** The front door of the flag and ingestion APIs: one HTTP API, so both share one base URL. */
  readonly api: PublicApi;
  readonly rolloutController: RolloutController;

  constructor(scope: Construct, id: string, props: ProductionStackProps) {
    super(scope, id);
    const { config } = props;
    const prefix = config.appName;
    const local = props.localAwsEndpoint !== undefined;
    // Provider default tags put domain/team on everything; constructs add per-service owners on top.
    const tags = {
      ...config.tags,
      ...ownershipTags(config.ownership),
      app: config.appName,
      environment: 'production',
      'managed-by': 'monoenv',
    };

    const backend = props.backend ?? { type: 's3' };
    if (backend.type === 's3') {
      const s3 = new S3Backend(this, { bucket: stateBucketName(config), key: config.state.key, region: config.region, encrypt: true });
      s3.addOverride('use_lockfile', true);
    } else {
      new LocalBackend(this, { path: backend.path });
    }
    new AwsProvider(this, 'aws', {
      ...(local ? localAwsProviderConfig(props.localAwsEndpoint!, config.region) : { region: config.region }),
      defaultTags: [{ tags }],
    });

    this.monitoring = new Monitoring(this, 'monitoring', {
      namePrefix: prefix,
      alertEmail: config.alertEmail,
      ownership: config.ownership,
    });
    this.network = new Network(this, 'network', {
      namePrefix: prefix,
      cidrBlock: config.network.cidr,
      natGateways: config.network.natGateways,
      existingVpc: config.network.existingVpc,
      ownership: config.ownership,
    });
    this.imageScanning = new ImageScanning(this, 'images', {
      repositoryName: prefix,
      scanMode: config.imageScanning.mode,
      keepLastImages: config.imageScanning.keepLastImages,
      alertSeverity: config.imageScanning.alertSeverity,
      rescanScheduleExpression: config.imageScanning.rescanSchedule,
      monitoring: this.monitoring,
      ownership: config.ownership,
    });

    // One cluster for the environment; each service brings its own task definition, ALB and alarms.
    this.cluster = new EcsCluster(this, 'cluster', {
      name: prefix,
      setting: [{ name: 'containerInsights', value: 'enabled' }],
      tags: ownershipTags(config.ownership, prefix),
    });
    this.services = config.services.map((service) => {
      const ownership = service.ownership ?? config.ownership;
      return new ContainerService(this, `service-${service.name}`, {
        serviceName: `${prefix}-${service.name}`,
        network: this.network,
        cluster: this.cluster,
        image: service.image ?? `${this.imageScanning.repositoryUrl}:${service.imageTag}`,
        imageRepositoryArn: service.image ? undefined : this.imageScanning.repositoryArn,
        containerPort: service.containerPort,
        healthCheckPath: service.healthCheckPath,
        cpu: service.cpu,
        memoryMiB: service.memoryMiB,
        desiredCount: service.desiredCount,
        minCount: service.minCount,
        maxCount: service.maxCount,
        environment: service.environment,
        certificateArn: config.domain?.certificateArn,
        domain: config.domain?.name,
        logRetentionDays: config.logRetentionDays,
        monitoring: this.monitoring,
        alarmTopicArn: this.monitoring.topicArnFor(ownership),
        ownership,
        // A local AWS (moto) stores services but never runs tasks, so a steady state never comes.
        ...(local ? { failOnRollback: false } : {}),
        // moto does not implement Application Auto Scaling's ListTagsForResource (HTTP 500), so the provider
        // would retry for minutes; with no tasks running there is nothing to scale (listed by `npm start`).
        autoscaling: !local,
      });
    });

    this.api = new PublicApi(this, 'api', {
      apiName: `${prefix}-api`,
      throttleRateLimit: config.api.throttleRateLimit,
      throttleBurstLimit: config.api.throttleBurstLimit,
      logRetentionDays: config.logRetentionDays,
      monitoring: this.monitoring,
      ownership: config.ownership,
    });

    const journeys = loadJourneys(path.resolve(props.baseDir, config.events.journeysDir));
    this.eventStream = new EventStream(this, 'events', {
      namePrefix: prefix,
      monitoring: this.monitoring,
      journeys,
      corsAllowOrigins: config.events.corsAllowOrigins,
      archiveRetentionDays: config.events.archiveRetentionDays,
      api: this.api,
      ingestReservedConcurrentExecutions: config.events.ingestReservedConcurrency,
      streamKmsKeyArn: config.encryption.kmsKeyArn,
      archiveKmsKeyArn: config.encryption.kmsKeyArn,
      failureQueueKmsKeyArn: config.encryption.kmsKeyArn,
      writeKeyKmsKeyArn: config.encryption.kmsKeyArn,
      logRetentionDays: config.logRetentionDays,
      ownership: config.ownership,
      forceDestroy: local,
      deletionProtection: !local,
      // moto cannot delete Athena named queries (no DeleteNamedQuery), so destroy would hang on them; locally
      // Firehose delivers nothing for Athena to query anyway (listed by `npm start`).
      savedQueries: !local,
    });

    const flagDir = path.resolve(props.baseDir, config.flags.dir);
    const flagDocument = loadFlagDir(flagDir).document;
    this.flagStore = new FlagStore(this, 'flags', {
      namePrefix: prefix,
      monitoring: this.monitoring,
      flags: flagDocument,
      corsAllowOrigins: config.flags.corsAllowOrigins,
      api: this.api,
      reservedConcurrentExecutions: config.flags.reservedConcurrency,
      exposureStream: this.eventStream,
      apiKeysKmsKeyArn: config.encryption.kmsKeyArn,
      logRetentionDays: config.logRetentionDays,
      ownership: config.ownership,
      deletionProtection: !local,
    });
    for (const service of this.services) {
      // Services read flags over OFREP (with the server key) and may send events straight to the stream.
      this.flagStore.grantReadApiKeys(service);
      this.eventStream.grantPutRecords(service);
    }

    const rollouts = loadRolloutDir(path.resolve(props.baseDir, config.rollouts.dir), {
      flags: flagDocument,
      journeys: journeys.map((journey) => journey.name),
      services: config.services.map((service) => service.name),
    });
    this.rolloutController = new RolloutController(this, 'rollouts', {
      namePrefix: prefix,
      flagTable: this.flagStore,
      analyticsTable: this.eventStream,
      monitoring: this.monitoring,
      plans: rollouts.plans,
      schedules: rollouts.schedules,
      services: Object.fromEntries(config.services.map((service, index) => [service.name, this.services[index]])),
      scheduleExpression: config.rollouts.schedule,
      logRetentionDays: config.logRetentionDays,
      ownership: config.ownership,
    });

    if (!config.domain) {
      for (const service of this.services) {
        Guardrails.acknowledge(
          service,
          'MONO-ELB-1',
          'no domain/certificate in the config yet: HTTP until config.domain is set, then HTTPS with an HTTP redirect',
        );
      }
    }
    // Before the guardrails, which then check the roles with their boundary.
    const account = new DataAwsCallerIdentity(this, 'account');
    applyPermissionsBoundary(this, props.permissionsBoundaryArn ?? boundaryArn(account.accountId, workloadBoundaryName(config.appName)));
    if (props.guardrails !== false) Aspects.of(this).add(new Guardrails(props.guardrails === true ? {} : props.guardrails));
    if (local) ignoreLocalDrift(this);

    new TerraformOutput(this, 'service_url', { value: this.services[0].serviceUrl, description: `URL of ${this.services[0].node.id}` });
    this.services.slice(1).forEach((service, index) => {
      new TerraformOutput(this, `service_url_${config.services[index + 1].name.replace(/-/g, '_')}`, { value: service.serviceUrl });
    });
    new TerraformOutput(this, 'repository_url', {
      value: this.imageScanning.repositoryUrl,
      description: 'Push images here; tag them with the commit SHA',
    });
    new TerraformOutput(this, 'dashboard_url', { value: this.monitoring.dashboardUrl });
    new TerraformOutput(this, 'flags_url', { value: this.flagStore.url, description: 'OFREP base URL' });
    new TerraformOutput(this, 'flags_table', { value: this.flagStore.tableName });
    new TerraformOutput(this, 'flags_api_keys_secret', {
      value: this.flagStore.apiKeysSecret.arn,
      description: 'Secrets Manager secret with the flag API keys',
    });
    new TerraformOutput(this, 'events_url', { value: this.eventStream.ingestUrl, description: 'POST /v1/events' });
    new TerraformOutput(this, 'events_write_key_secret', { value: this.eventStream.writeKeySecretArn });
    new TerraformOutput(this, 'event_stream', { value: this.eventStream.streamName });
    new TerraformOutput(this, 'analytics_table', { value: this.eventStream.analyticsTableName });
  }
}
