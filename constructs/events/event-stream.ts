import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import type { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { INGEST_METRICS, INGEST_ROUTES, ingestEnvironment } from '../../lambdas/ingest/contract';
import { ANALYTICS_TABLE, JOURNEY_PROCESSOR_ENV, journeyProcessorEnvironment } from '../../lambdas/journey-processor/contract';
import { serializeJourneys, type Journey } from '../../domain/journeys/journey-schema';
import { ATHENA_RESULTS_PREFIX, EventArchive, EVENTS_PREFIX } from './event-stream-archive';
import { EventCatalog } from './event-stream-catalog';
import { productWidgets } from './event-stream-dashboards';
import { writeGeneratedKeys } from '../core/generated-keys';
import { terraformLiteral } from './event-stream-escape';
import { resolveEventStreamProps, type EventStreamProps, type EventStreamSettings } from './event-stream-props';
import { Grant, type Grantee, type PolicyStatement } from '../core/grants';
import { lambdaEntry, MonoenvFunction } from '../core/monoenv-function';
import { metricWidget, type MetricSpec } from '../monitoring/monitoring';
import { ownershipTags } from '../core/ownership';
import { PublicApi, type IPublicApi } from '../front-door/public-api';

export type { EventStreamProps } from './event-stream-props';

/** Lambda environment variables are capped at 4 KB in total; JOURNEYS is the one that grows. */
const LAMBDA_ENV_LIMIT_BYTES = 4096;

/**
 * The product event pipeline: `POST /v1/events` on the HTTP API front door takes Segment-style batches (write key in Secrets Manager)
 * into an encrypted Kinesis stream; Firehose archives it to S3 (Glue table + Athena workgroup and saved
 * queries over it); the journey processor turns it into funnels and experiment aggregates in DynamoDB
 * and product metrics. Alarms go to the owning team's topic; product widgets go on the dashboard.
 */
export class EventStream extends Construct {
  readonly stream: KinesisStream;
  readonly streamName: string;
  readonly streamArn: string;
  readonly archive: EventArchive;
  readonly archiveBucket: S3Bucket;
  readonly catalog: EventCatalog;
  readonly glueDatabaseName: string;
  readonly glueTableName: string;
  readonly athenaWorkgroupName: string;
  readonly writeKeySecret: SecretsmanagerSecret;
  readonly writeKeySecretArn: string;
  readonly ingestFunction: MonoenvFunction;
  /** The HTTP API `POST /v1/events` is on. */
  readonly api: IPublicApi;
  /** The URL clients POST batches to (send the write key as the handler expects). */
  readonly ingestUrl: string;
  readonly analyticsTable: DynamodbTable;
  readonly analyticsTableName: string;
  readonly processorFunction: MonoenvFunction;
  /**
   * What the processor could not count: batches the event source mapping gave up on (metadata only: shard and
   * sequence numbers to replay from the stream), and records the processor skipped because they can never
   * succeed (one message each: reason, shard, sequence number, messageId; lambdas/journey-processor/failures.ts).
   */
  readonly processorFailureQueue: SqsQueue;
  readonly processorEventSource: LambdaEventSourceMapping;
  readonly journeys: readonly Journey[];
  private readonly settings: EventStreamSettings;

  constructor(scope: Construct, id: string, props: EventStreamProps) {
    super(scope, id);
    const settings = resolveEventStreamProps(props);
    this.settings = settings;
    this.journeys = settings.journeys;
    const prefix = settings.namePrefix;
    const tags = (name?: string) => ownershipTags(settings.ownership, name);

    this.streamName = `${prefix}-events`;
    this.stream = new KinesisStream(this, 'stream', {
      name: this.streamName,
      streamModeDetails: { streamMode: 'ON_DEMAND' },
      encryptionType: 'KMS',
      kmsKeyId: settings.streamKmsKeyArn ?? 'alias/aws/kinesis',
      retentionPeriod: settings.streamRetentionHours,
      tags: tags(this.streamName),
    });
    this.streamArn = this.stream.arn;

    this.archive = new EventArchive(this, 'archive', {
      namePrefix: prefix,
      streamArn: this.streamArn,
      streamKmsKeyArn: settings.streamKmsKeyArn,
      kmsKeyArn: settings.archiveKmsKeyArn,
      retentionDays: settings.archiveRetentionDays,
      athenaResultsRetentionDays: settings.athenaResultsRetentionDays,
      bufferSizeMb: settings.archiveBufferSizeMb,
      bufferIntervalSeconds: settings.archiveBufferIntervalSeconds,
      logRetentionDays: settings.logRetentionDays,
      forceDestroy: settings.forceDestroy,
      tags: tags(`${prefix}-events-archive`),
    });
    this.archiveBucket = this.archive.bucket;

    this.catalog = new EventCatalog(this, 'catalog', {
      namePrefix: prefix,
      bucketName: this.archiveBucket.bucket,
      eventsPrefix: EVENTS_PREFIX,
      resultsPrefix: ATHENA_RESULTS_PREFIX,
      kmsKeyArn: settings.archiveKmsKeyArn,
      startYear: settings.archiveStartYear,
      bytesScannedCutoffPerQuery: settings.athenaBytesScannedCutoffPerQuery,
      forceDestroy: settings.forceDestroy,
      journeys: settings.journeys,
      savedQueries: settings.savedQueries,
      tags: tags(),
    });
    this.glueDatabaseName = this.catalog.databaseName;
    this.glueTableName = this.catalog.tableName;
    this.athenaWorkgroupName = this.catalog.workgroupName;

    const alarmTopicArn = settings.alarmTopicArn ?? settings.monitoring.topicArnFor(settings.ownership);

    // Ingestion: the write key is generated by AWS at first apply and never appears in outputs, plans or state;
    // a key rotated by hand (put-secret-value) stays, since Terraform writes the secret only once.
    this.writeKeySecret = new SecretsmanagerSecret(this, 'write-keys', {
      name: `${prefix}-ingest-write-keys`,
      description: 'Write keys of the event ingestion API: {"write": ["..."]}',
      recoveryWindowInDays: settings.writeKeyRecoveryWindowDays,
      kmsKeyId: settings.writeKeyKmsKeyArn,
      tags: tags(`${prefix}-ingest-write-keys`),
    });
    this.writeKeySecretArn = this.writeKeySecret.arn;
    writeGeneratedKeys(this, 'write-keys-generated', { secretId: this.writeKeySecret.id, kinds: ['write'] });

    this.ingestFunction = new MonoenvFunction(this, 'ingest', {
      entry: lambdaEntry('ingest'),
      functionName: `${prefix}-ingest`,
      description: 'Event ingestion API (POST /v1/events) -> Kinesis',
      environment: ingestEnvironment({
        eventStreamName: this.streamName,
        apiKeysSecretArn: this.writeKeySecretArn,
        metricsNamespace: settings.ingestMetricsNamespace,
        corsAllowOrigins: settings.corsAllowOrigins,
      }),
      policyStatements: [
        ...this.putRecordsStatements(),
        { actions: ['secretsmanager:GetSecretValue'], resources: [this.writeKeySecretArn] },
        ...(settings.writeKeyKmsKeyArn ? [{ actions: ['kms:Decrypt'], resources: [settings.writeKeyKmsKeyArn] }] : []),
      ],
      reservedConcurrentExecutions: settings.ingestReservedConcurrentExecutions,
      logRetentionDays: settings.logRetentionDays,
      monitoring: settings.monitoring,
      alarmTopicArn,
      ownership: settings.ownership,
    });
    // The handler checks the write key itself, and answers CORS itself (so no `cors_configuration` on the API,
    // which would add a second set of CORS headers).
    this.api =
      props.api ??
      new PublicApi(this, 'api', {
        apiName: `${prefix}-ingest-api`,
        logRetentionDays: settings.logRetentionDays,
        monitoring: settings.monitoring,
        alarmTopicArn,
        ownership: settings.ownership,
      });
    this.api.addLambdaRoutes('ingest', this.ingestFunction, INGEST_ROUTES);
    this.ingestUrl = this.api.url;

    // Analytics: layout in lambdas/journey-processor/table-keys.ts.
    this.analyticsTableName = `${prefix}-analytics`;
    this.analyticsTable = new DynamodbTable(this, 'analytics', {
      name: this.analyticsTableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: ANALYTICS_TABLE.hashKey,
      rangeKey: ANALYTICS_TABLE.rangeKey,
      attribute: [
        { name: ANALYTICS_TABLE.hashKey, type: 'S' },
        { name: ANALYTICS_TABLE.rangeKey, type: 'S' },
      ],
      ttl: { attributeName: ANALYTICS_TABLE.ttlAttribute, enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: settings.deletionProtection,
      tags: tags(this.analyticsTableName),
    });

    const failureQueueName = `${prefix}-journey-processor-failures`;
    this.processorFailureQueue = new SqsQueue(this, 'processor-failures', {
      name: failureQueueName,
      ...(settings.failureQueueKmsKeyArn ? { kmsMasterKeyId: settings.failureQueueKmsKeyArn } : { sqsManagedSseEnabled: true }),
      messageRetentionSeconds: 14 * 24 * 3600,
      tags: tags(`${prefix}-journey-processor-failures`),
    });

    const journeysJson = serializeJourneys(settings.journeys);
    const processorEnv = journeyProcessorEnvironment({
      analyticsTable: this.analyticsTableName,
      journeysJson: terraformLiteral(journeysJson),
      metricsNamespace: settings.productMetricsNamespace,
      failureQueueUrl: this.processorFailureQueue.url,
    });
    // The queue URL is a token until apply: count what it becomes, https://sqs.<region>.amazonaws.com/<account>/<name>.
    const queueUrlBytes = 'https://sqs.ap-southeast-99.amazonaws.com/123456789012/'.length + failureQueueName.length;
    const envBytes = Object.entries(processorEnv).reduce(
      (n, [k, v]) => n + Buffer.byteLength(k) + (k === JOURNEY_PROCESSOR_ENV.failureQueueUrl ? queueUrlBytes : Buffer.byteLength(v)),
      0,
    );
    if (envBytes > LAMBDA_ENV_LIMIT_BYTES - 200) {
      throw new Error(
        `EventStream: invalid props:\n  journeys: ${settings.journeys.length} journeys serialize to ${Buffer.byteLength(journeysJson)} bytes, more than a Lambda environment holds (4 KB in all); use fewer or shorter journeys`,
      );
    }
    this.processorFunction = new MonoenvFunction(this, 'processor', {
      entry: lambdaEntry('journey-processor'),
      functionName: `${prefix}-journey-processor`,
      description: 'Kinesis -> journeys, experiment aggregates (DynamoDB) and product metrics (EMF)',
      environment: processorEnv,
      policyStatements: [
        {
          actions: [
            'kinesis:DescribeStream',
            'kinesis:DescribeStreamSummary',
            'kinesis:GetRecords',
            'kinesis:GetShardIterator',
            'kinesis:ListShards',
          ],
          resources: [this.streamArn],
        },
        ...(settings.streamKmsKeyArn ? [{ actions: ['kms:Decrypt'], resources: [settings.streamKmsKeyArn] }] : []),
        // Query to load a user; Put/Update/Delete/ConditionCheck inside TransactWriteItems (which has no action of its own).
        {
          actions: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
          resources: [this.analyticsTable.arn],
        },
        // Lambda sends failed batches' metadata to the queue as this role (the mapping's on-failure destination); the
        // processor sends the records it skips (SendMessageBatch is authorized as sqs:SendMessage).
        { actions: ['sqs:SendMessage'], resources: [this.processorFailureQueue.arn] },
        ...(settings.failureQueueKmsKeyArn
          ? [{ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [settings.failureQueueKmsKeyArn] }]
          : []),
      ],
      timeoutSeconds: settings.processorTimeoutSeconds,
      memoryMiB: settings.processorMemoryMiB,
      logRetentionDays: settings.logRetentionDays,
      monitoring: settings.monitoring,
      alarmTopicArn,
      ownership: settings.ownership,
    });
    // TRIM_HORIZON, not LATEST: the ingest API may accept events before this mapping exists (same apply), and
    // LATEST would silently skip them. Replays are safe: the processor dedupes by user and messageId for 8 days,
    // longer than the stream's retention (at most 7 days, enforced in props).
    this.processorEventSource = new LambdaEventSourceMapping(this, 'processor-source', {
      eventSourceArn: this.streamArn,
      functionName: this.processorFunction.functionArn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: settings.processorBatchSize,
      maximumBatchingWindowInSeconds: settings.processorBatchingWindowSeconds,
      parallelizationFactor: settings.processorParallelizationFactor,
      bisectBatchOnFunctionError: true,
      functionResponseTypes: ['ReportBatchItemFailures'],
      maximumRetryAttempts: settings.processorMaxRetryAttempts,
      destinationConfig: { onFailure: { destinationArn: this.processorFailureQueue.arn } },
      // Lambda checks the role's stream permissions when the mapping is created.
      dependsOn: [this.processorFunction.node.findChild('role-policy') as IamRolePolicy],
    });

    this.addAlarms(alarmTopicArn);
    this.addDashboards();
  }

  /** Lets `grantee` write to the stream (PutRecord/PutRecords, and the key when it is a customer key). */
  grantPutRecords(grantee: Grantee): Grant {
    return Grant.addToPrincipal(grantee, this.putRecordsStatements());
  }

  /** Lets `grantee` read the analytics table (e.g. the experiment report's reader). */
  grantReadAnalytics(grantee: Grantee): Grant {
    return Grant.addToPrincipal(grantee, [
      {
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'],
        resources: [this.analyticsTable.arn],
      },
    ]);
  }

  metricIncomingRecords(): MetricSpec {
    return this.streamMetric('IncomingRecords', 'Sum');
  }

  metricWriteThrottles(): MetricSpec {
    return this.streamMetric('WriteProvisionedThroughputExceeded', 'Sum');
  }

  /** Age of the oldest record any consumer (processor or Firehose) has yet to read. */
  metricStreamReadLagMs(): MetricSpec {
    return this.streamMetric('GetRecords.IteratorAgeMilliseconds', 'Maximum');
  }

  /** How far behind the journey processor is, in ms. */
  metricProcessorIteratorAge(): MetricSpec {
    return {
      namespace: 'AWS/Lambda',
      metricName: 'IteratorAge',
      dimensions: { FunctionName: this.processorFunction.functionName },
      statistic: 'Maximum',
      periodSeconds: 60,
    };
  }

  metricIngestEvents(outcome: 'Accepted' | 'Rejected' | 'Failed' | 'Duplicate'): MetricSpec {
    const metricName = {
      Accepted: INGEST_METRICS.accepted,
      Rejected: INGEST_METRICS.rejected,
      Failed: INGEST_METRICS.failed,
      Duplicate: INGEST_METRICS.duplicates,
    }[outcome];
    return {
      namespace: this.settings.ingestMetricsNamespace,
      metricName,
      statistic: 'Sum',
      periodSeconds: 60,
      label: outcome.toLowerCase(),
    };
  }

  metricFailedBatches(): MetricSpec {
    return {
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: `${this.settings.namePrefix}-journey-processor-failures` },
      statistic: 'Maximum',
      periodSeconds: 300,
    };
  }

  private putRecordsStatements(): PolicyStatement[] {
    return [
      { actions: ['kinesis:PutRecord', 'kinesis:PutRecords'], resources: [this.stream.arn] },
      ...(this.settings.streamKmsKeyArn ? [{ actions: ['kms:GenerateDataKey'], resources: [this.settings.streamKmsKeyArn] }] : []),
    ];
  }

  private streamMetric(metricName: string, statistic: string): MetricSpec {
    return { namespace: 'AWS/Kinesis', metricName, dimensions: { StreamName: this.streamName }, statistic, periodSeconds: 60 };
  }

  private addAlarms(topicArn: string): void {
    const { monitoring, ownership, namePrefix } = this.settings;
    const alarm = (id: string, def: Omit<Parameters<typeof monitoring.addAlarm>[1], 'topicArn' | 'ownership'>) =>
      monitoring.addAlarm(`${namePrefix}-${id}`, { alarmName: `${namePrefix}-${id}`, ...def, topicArn, ownership }, this);

    alarm('processor-iterator-age', {
      description: `${namePrefix}: the journey processor is more than ${this.settings.iteratorAgeAlarmMs / 1000} s behind the stream; funnels and experiments are stale`,
      metric: this.metricProcessorIteratorAge(),
      threshold: this.settings.iteratorAgeAlarmMs,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    });
    alarm('stream-read-lag', {
      description: `${namePrefix}: a stream consumer (processor or archive) is more than ${this.settings.iteratorAgeAlarmMs / 1000} s behind; records expire after ${this.settings.streamRetentionHours} h`,
      metric: this.metricStreamReadLagMs(),
      threshold: this.settings.iteratorAgeAlarmMs,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    });
    alarm('stream-write-throttles', {
      description: `${namePrefix}: writes to the event stream were throttled (ingest retries, then reports failed events)`,
      metric: this.metricWriteThrottles(),
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      evaluationPeriods: 5,
      datapointsToAlarm: 2,
    });
    alarm('archive-delivery-failures', {
      description: `${namePrefix}: Firehose failed to deliver to S3 (see the log group ${this.archive.logGroup.name}; failed records land under errors/)`,
      metric: this.archive.metricDeliverySuccess(),
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });
    alarm('archive-freshness', {
      description: `${namePrefix}: the newest archived event is more than ${this.settings.archiveFreshnessAlarmSeconds} s old`,
      metric: this.archive.metricDataFreshness(),
      threshold: this.settings.archiveFreshnessAlarmSeconds,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });
    alarm('ingest-events-failed', {
      description: `${namePrefix}: the ingest API could not write events to the stream (clients were told to retry)`,
      metric: this.metricIngestEvents('Failed'),
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      evaluationPeriods: 5,
      datapointsToAlarm: 2,
    });
    alarm('processor-failed-batches', {
      description: `${namePrefix}: the journey processor gave up on batches or skipped records that can never succeed; the failure queue holds their shard and sequence numbers and each skipped record's reason (replay before the stream's ${this.settings.streamRetentionHours} h retention ends)`,
      metric: this.metricFailedBatches(),
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      evaluationPeriods: 1,
    });
  }

  private addDashboards(): void {
    const { monitoring, namePrefix, productMetricsNamespace, journeys } = this.settings;
    monitoring.addWidgets(
      metricWidget(`${namePrefix} ingest: events`, [
        this.metricIngestEvents('Accepted'),
        this.metricIngestEvents('Rejected'),
        this.metricIngestEvents('Failed'),
        this.metricIngestEvents('Duplicate'),
      ]),
      metricWidget(`${namePrefix} stream: records in, write throttles`, [this.metricIncomingRecords(), this.metricWriteThrottles()]),
      metricWidget(`${namePrefix} stream: consumer lag (ms)`, [this.metricProcessorIteratorAge(), this.metricStreamReadLagMs()]),
      metricWidget(`${namePrefix} archive: delivery success, freshness (s)`, [
        this.archive.metricDeliverySuccess(),
        this.archive.metricDataFreshness(),
      ]),
      metricWidget(`${namePrefix} processor: failed batches`, [this.metricFailedBatches()]),
      ...productWidgets(`Product analytics (${namePrefix})`, productMetricsNamespace, journeys),
    );
  }
}
