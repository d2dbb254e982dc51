import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogStream } from '@cdktf/provider-aws/lib/cloudwatch-log-stream';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { KinesisFirehoseDeliveryStream } from '@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import type { PolicyStatement } from '../core/monoenv-function';
import type { MetricSpec } from '../monitoring/monitoring';

export interface EventArchiveProps {
  readonly namePrefix: string;
  /** The Kinesis stream Firehose reads. */
  readonly streamArn: string;
  /** The stream's customer managed key, when it has one (Firehose then needs kms:Decrypt). */
  readonly streamKmsKeyArn?: string;
  /** Bucket key; @default - SSE-S3 */
  readonly kmsKeyArn?: string;
  readonly retentionDays: number;
  readonly athenaResultsRetentionDays: number;
  readonly bufferSizeMb: number;
  readonly bufferIntervalSeconds: number;
  readonly logRetentionDays: number;
  readonly forceDestroy: boolean;
  readonly tags: Record<string, string>;
}

/** Where things live in the bucket. */
export const EVENTS_PREFIX = 'events/';
export const ERRORS_PREFIX = 'errors/';
export const ATHENA_RESULTS_PREFIX = 'athena-results/';
const DATE_PARTITIONS = 'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/';

/** S3 refuses an expiration at or before a transition, so transitions come only when objects live longer. */
export function archiveLifecycleRules(retentionDays: number, athenaResultsRetentionDays: number): S3BucketLifecycleConfigurationRule[] {
  const transition = [
    ...(retentionDays > 30 ? [{ days: 30, storageClass: 'STANDARD_IA' }] : []),
    ...(retentionDays > 90 ? [{ days: 90, storageClass: 'GLACIER_IR' }] : []),
  ];
  return [
    {
      id: 'archive-tiers-and-retention',
      status: 'Enabled',
      filter: [{ prefix: EVENTS_PREFIX }],
      transition,
      expiration: [{ days: retentionDays }],
    },
    { id: 'delivery-errors-retention', status: 'Enabled', filter: [{ prefix: ERRORS_PREFIX }], expiration: [{ days: retentionDays }] },
    {
      id: 'athena-results-retention',
      status: 'Enabled',
      filter: [{ prefix: ATHENA_RESULTS_PREFIX }],
      expiration: [{ days: athenaResultsRetentionDays }],
    },
    {
      id: 'old-versions-and-uploads',
      status: 'Enabled',
      filter: [{ prefix: '' }],
      // Versioning guards against an accidental overwrite; old versions need not outlive a week of noticing.
      noncurrentVersionExpiration: [{ noncurrentDays: 7 }],
      abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
    },
  ];
}

/**
 * The event archive: Firehose reads the stream and writes GZIP'd JSON lines to a private, encrypted,
 * TLS-only bucket under `events/year=/month=/day=/` (the Glue table's partitions).
 */
export class EventArchive extends Construct {
  readonly bucket: S3Bucket;
  readonly deliveryStream: KinesisFirehoseDeliveryStream;
  readonly deliveryStreamName: string;
  readonly logGroup: CloudwatchLogGroup;
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: EventArchiveProps) {
    super(scope, id);
    const { tags } = props;
    this.bucket = new S3Bucket(this, 'bucket', { bucketPrefix: `${props.namePrefix}-events-`, forceDestroy: props.forceDestroy, tags });
    new S3BucketVersioningA(this, 'versioning', { bucket: this.bucket.id, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: props.kmsKeyArn
            ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn }
            : { sseAlgorithm: 'AES256' },
          bucketKeyEnabled: props.kmsKeyArn ? true : undefined,
        },
      ],
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, 'public-access', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketPolicy(this, 'tls-only', {
      bucket: this.bucket.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
      dependsOn: [publicAccess], // S3 rejects concurrent policy and public-access-block changes
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: archiveLifecycleRules(props.retentionDays, props.athenaResultsRetentionDays),
    });

    const streamName = `${props.namePrefix}-events-archive`;
    this.deliveryStreamName = streamName;
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/kinesisfirehose/${streamName}`,
      retentionInDays: props.logRetentionDays,
      tags,
    });
    const logStream = new CloudwatchLogStream(this, 'log-stream', { name: 'DestinationDelivery', logGroupName: this.logGroup.name });

    const assume = new DataAwsIamPolicyDocument(this, 'assume', {
      statement: [{ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['firehose.amazonaws.com'] }] }],
    });
    this.role = new IamRole(this, 'role', { name: `${streamName}-firehose`, assumeRolePolicy: assume.json, tags });
    const statements: PolicyStatement[] = [
      {
        actions: [
          'kinesis:DescribeStream',
          'kinesis:DescribeStreamSummary',
          'kinesis:GetShardIterator',
          'kinesis:GetRecords',
          'kinesis:ListShards',
        ],
        resources: [props.streamArn],
      },
      {
        actions: [
          's3:AbortMultipartUpload',
          's3:GetBucketLocation',
          's3:GetObject',
          's3:ListBucket',
          's3:ListBucketMultipartUploads',
          's3:PutObject',
        ],
        resources: [this.bucket.arn, `${this.bucket.arn}/*`],
      },
      { actions: ['logs:PutLogEvents'], resources: [`${this.logGroup.arn}:log-stream:*`] },
      ...(props.streamKmsKeyArn ? [{ actions: ['kms:Decrypt'], resources: [props.streamKmsKeyArn] }] : []),
      ...(props.kmsKeyArn ? [{ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [props.kmsKeyArn] }] : []),
    ];
    const policy = new IamRolePolicy(this, 'role-policy', {
      role: this.role.id,
      name: 'least-privilege',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: statements.map((s) => ({ Effect: 'Allow', Action: s.actions, Resource: s.resources })),
      }),
    });

    // No server_side_encryption block: AWS rejects it for a Kinesis-sourced delivery stream. The data is
    // encrypted at rest by the source stream (KMS) and by the bucket's default encryption.
    this.deliveryStream = new KinesisFirehoseDeliveryStream(this, 'firehose', {
      name: streamName,
      destination: 'extended_s3',
      kinesisSourceConfiguration: { kinesisStreamArn: props.streamArn, roleArn: this.role.arn },
      extendedS3Configuration: {
        roleArn: this.role.arn,
        bucketArn: this.bucket.arn,
        prefix: `${EVENTS_PREFIX}${DATE_PARTITIONS}`,
        errorOutputPrefix: `${ERRORS_PREFIX}!{firehose:error-output-type}/${DATE_PARTITIONS}`,
        compressionFormat: 'GZIP',
        bufferingSize: props.bufferSizeMb,
        bufferingInterval: props.bufferIntervalSeconds,
        ...(props.kmsKeyArn ? { kmsKeyArn: props.kmsKeyArn } : {}),
        // Producers write one JSON document per record without a newline; the JSON SerDe needs one per line.
        processingConfiguration: { enabled: true, processors: [{ type: 'AppendDelimiterToRecord' }] },
        cloudwatchLoggingOptions: { enabled: true, logGroupName: this.logGroup.name, logStreamName: logStream.name },
      },
      tags,
      dependsOn: [policy], // Firehose checks its role's permissions on create
    });
  }

  /** Fraction of S3 deliveries that succeeded (1 = all), per period. */
  metricDeliverySuccess(): MetricSpec {
    return this.metric('DeliveryToS3.Success', 'Minimum', 300);
  }

  /** Age in seconds of the oldest record not yet in S3. */
  metricDataFreshness(): MetricSpec {
    return this.metric('DeliveryToS3.DataFreshness', 'Maximum', 300);
  }

  metricRecordsDelivered(): MetricSpec {
    return this.metric('DeliveryToS3.Records', 'Sum', 300);
  }

  private metric(metricName: string, statistic: string, periodSeconds: number): MetricSpec {
    return { namespace: 'AWS/Firehose', metricName, dimensions: { DeliveryStreamName: this.deliveryStreamName }, statistic, periodSeconds };
  }
}
