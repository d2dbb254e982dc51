import * as path from 'node:path';
import { Aspects, Testing, TerraformOutput, TerraformStack } from 'cdktf';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { EventStream, type EventStreamProps } from '../../../constructs/events/event-stream';
import { Guardrails } from '../../../constructs/security/guardrails';
import { MonoenvFunction } from '../../../constructs/core/monoenv-function';
import { Monitoring } from '../../../constructs/monitoring/monitoring';
import type { EventRecord } from '../../../domain/events/event-record';
import { parseJourneys } from '../../../domain/journeys/journey-schema';
import { SYNTH_DAY } from '../../support/clock';
import { testApp } from '../../support/temp';
import { HELLO_HANDLER, REPO_ROOT } from '../../support/paths';

Testing.setupJest();

const journeysDir = path.join(REPO_ROOT, 'journeys');
const ownership = { domain: 'product', team: 'growth' };
const CMK = 'arn:aws:kms:us-east-1:123456789012:key/1111-2222';

type Props = Omit<EventStreamProps, 'monitoring'>;
const baseProps: Props = {
  namePrefix: 'shop',
  journeysDir,
  corsAllowOrigins: ['https://shop.example.com'],
  archiveRetentionDays: 365,
  ownership,
};

interface Synth {
  json: string;
  parsed: any;
  events: EventStream;
}

function synth(props: Partial<Props> = {}, extra?: (stack: TerraformStack, events: EventStream) => void): Synth {
  const app = testApp();
  const stack = new TerraformStack(app, 'test');
  const monitoring = new Monitoring(stack, 'monitoring', { namePrefix: 'shop' });
  const events = new EventStream(stack, 'events', { ...baseProps, ...props, monitoring } as EventStreamProps);
  extra?.(stack, events);
  const json = Testing.synth(stack);
  return { json, parsed: JSON.parse(json), events };
}

const all = (parsed: any, type: string): any[] => Object.values(parsed.resource[type] ?? {});
const only = (parsed: any, type: string): any => {
  const found = all(parsed, type);
  expect(found).toHaveLength(1);
  return found[0];
};
const ref = (parsed: any, type: string, attr: string, match: (r: any) => boolean = () => true) => {
  const [key] = Object.entries(parsed.resource[type]).find(([, r]) => match(r)) ?? [];
  if (!key) throw new Error(`no ${type} matches`);
  return `\${${type}.${key}.${attr}}`;
};
const policyOf = (parsed: any, match: (policy: any) => boolean) => {
  const docs = all(parsed, 'aws_iam_role_policy').map((p) => ({ role: p.role, doc: JSON.parse(p.policy) }));
  const found = docs.find((d) => match(d));
  if (!found) throw new Error('no matching role policy');
  return found.doc.Statement as { Effect: string; Action: string[]; Resource: string[] }[];
};
const roleRef = (parsed: any, namePart: string) => ref(parsed, 'aws_iam_role', 'id', (r) => String(r.name).includes(namePart));

describe('EventStream', () => {
  let s: Synth;
  beforeAll(() => {
    s = synth();
  });

  describe('stream', () => {
    it('is on-demand, KMS-encrypted with the AWS key and keeps records 24 h', () => {
      expect(s.json).toHaveResourceWithProperties(KinesisStream, {
        name: 'shop-events',
        stream_mode_details: { stream_mode: 'ON_DEMAND' },
        encryption_type: 'KMS',
        kms_key_id: 'alias/aws/kinesis',
        retention_period: 24,
      });
      expect(only(s.parsed, 'aws_kinesis_stream').shard_count).toBeUndefined();
    });
  });

  describe('archive bucket', () => {
    it('is encrypted, versioned, private, TLS-only and not force-destroyed', () => {
      const bucketId = ref(s.parsed, 'aws_s3_bucket', 'id');
      const bucket = only(s.parsed, 'aws_s3_bucket');
      expect(bucket.force_destroy).toBe(false);
      expect(bucket.bucket_prefix).toBe('shop-events-');
      expect(only(s.parsed, 'aws_s3_bucket_server_side_encryption_configuration')).toMatchObject({
        bucket: bucketId,
        rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
      });
      expect(s.json).toHaveResourceWithProperties(S3BucketVersioningA, {
        bucket: bucketId,
        versioning_configuration: { status: 'Enabled' },
      });
      expect(s.json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
        bucket: bucketId,
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      const policy = JSON.parse(only(s.parsed, 'aws_s3_bucket_policy').policy);
      const bucketArn = ref(s.parsed, 'aws_s3_bucket', 'arn');
      expect(policy.Statement).toEqual([
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [bucketArn, `${bucketArn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]);
    });

    it('moves events to STANDARD_IA at 30 days and GLACIER_IR at 90, and deletes them at the retention', () => {
      const rules = only(s.parsed, 'aws_s3_bucket_lifecycle_configuration').rule;
      const archive = rules.find((r: any) => r.id === 'archive-tiers-and-retention');
      expect(archive).toMatchObject({
        status: 'Enabled',
        filter: [{ prefix: 'events/' }],
        expiration: [{ days: 365 }],
        transition: [
          { days: 30, storage_class: 'STANDARD_IA' },
          { days: 90, storage_class: 'GLACIER_IR' },
        ],
      });
      expect(rules.find((r: any) => r.id === 'delivery-errors-retention')).toMatchObject({
        filter: [{ prefix: 'errors/' }],
        expiration: [{ days: 365 }],
      });
      expect(rules.find((r: any) => r.id === 'athena-results-retention')).toMatchObject({
        filter: [{ prefix: 'athena-results/' }],
        expiration: [{ days: 30 }],
      });
    });

    it('skips transitions a short retention would reach first (S3 refuses them), and can be force-destroyed', () => {
      const short = synth({ archiveRetentionDays: 20, forceDestroy: true });
      const archive = only(short.parsed, 'aws_s3_bucket_lifecycle_configuration').rule.find(
        (r: any) => r.id === 'archive-tiers-and-retention',
      );
      expect(archive.transition ?? []).toEqual([]);
      expect(archive.expiration).toEqual([{ days: 20 }]);
      expect(only(short.parsed, 'aws_s3_bucket').force_destroy).toBe(true);
      const mid = synth({ archiveRetentionDays: 60 });
      const midRule = only(mid.parsed, 'aws_s3_bucket_lifecycle_configuration').rule.find(
        (r: any) => r.id === 'archive-tiers-and-retention',
      );
      expect(midRule.transition).toEqual([{ days: 30, storage_class: 'STANDARD_IA' }]);
    });
  });

  describe('firehose', () => {
    it('reads the stream and writes date-partitioned GZIP JSON lines with an error prefix and logging', () => {
      const firehose = only(s.parsed, 'aws_kinesis_firehose_delivery_stream');
      const roleArn = ref(s.parsed, 'aws_iam_role', 'arn', (r) => r.name === 'shop-events-archive-firehose');
      expect(firehose.kinesis_source_configuration).toEqual({
        kinesis_stream_arn: ref(s.parsed, 'aws_kinesis_stream', 'arn'),
        role_arn: roleArn,
      });
      expect(firehose.server_side_encryption).toBeUndefined();
      expect(firehose.extended_s3_configuration).toMatchObject({
        bucket_arn: ref(s.parsed, 'aws_s3_bucket', 'arn'),
        role_arn: roleArn,
        prefix: 'events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
        error_output_prefix: 'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
        compression_format: 'GZIP',
        buffering_size: 64,
        buffering_interval: 300,
        processing_configuration: { enabled: true, processors: [{ type: 'AppendDelimiterToRecord' }] },
        cloudwatch_logging_options: {
          enabled: true,
          log_group_name: ref(s.parsed, 'aws_cloudwatch_log_group', 'name', (g) => g.name === '/aws/kinesisfirehose/shop-events-archive'),
        },
      });
      expect(
        all(s.parsed, 'aws_cloudwatch_log_group').find((g) => g.name === '/aws/kinesisfirehose/shop-events-archive').retention_in_days,
      ).toBe(30);
    });

    it('has a role that may only read this stream and write this bucket and log group', () => {
      const statements = policyOf(s.parsed, (p) => p.role === roleRef(s.parsed, 'firehose'));
      const bucketArn = ref(s.parsed, 'aws_s3_bucket', 'arn');
      expect(statements).toEqual([
        {
          Effect: 'Allow',
          Action: [
            'kinesis:DescribeStream',
            'kinesis:DescribeStreamSummary',
            'kinesis:GetShardIterator',
            'kinesis:GetRecords',
            'kinesis:ListShards',
          ],
          Resource: [ref(s.parsed, 'aws_kinesis_stream', 'arn')],
        },
        {
          Effect: 'Allow',
          Action: [
            's3:AbortMultipartUpload',
            's3:GetBucketLocation',
            's3:GetObject',
            's3:ListBucket',
            's3:ListBucketMultipartUploads',
            's3:PutObject',
          ],
          Resource: [bucketArn, `${bucketArn}/*`],
        },
        {
          Effect: 'Allow',
          Action: ['logs:PutLogEvents'],
          Resource: [`${ref(s.parsed, 'aws_cloudwatch_log_group', 'arn', (g) => g.name.startsWith('/aws/kinesisfirehose'))}:log-stream:*`],
        },
      ]);
    });
  });

  describe('Glue and Athena', () => {
    it('has a JSON table with a column per EventRecord field and projected year/month/day partitions', () => {
      const sample: Required<EventRecord> = {
        messageId: 'm',
        type: 'track',
        event: 'e',
        userId: 'u',
        anonymousId: 'a',
        userKey: 'u',
        timestamp: 't',
        receivedAt: 'r',
        properties: {},
        featureFlags: [],
        context: {},
      };
      const table = only(s.parsed, 'aws_glue_catalog_table');
      expect(table.storage_descriptor.columns.map((c: any) => c.name)).toEqual(Object.keys(sample).map((k) => k.toLowerCase()));
      expect(table.storage_descriptor.columns.find((c: any) => c.name === 'featureflags').type).toBe(
        'array<struct<feature_flag_key:string,feature_flag_result_variant:string,feature_flag_provider_name:string>>',
      );
      expect(table.storage_descriptor.ser_de_info).toMatchObject({
        serialization_library: 'org.openx.data.jsonserde.JsonSerDe',
        parameters: { 'dots.in.keys': 'true' },
      });
      const bucket = ref(s.parsed, 'aws_s3_bucket', 'bucket');
      expect(table.storage_descriptor.location).toBe(`s3://${bucket}/events/`);
      expect(table.partition_keys).toEqual([
        { name: 'year', type: 'string' },
        { name: 'month', type: 'string' },
        { name: 'day', type: 'string' },
      ]);
      expect(table.parameters).toMatchObject({
        'projection.enabled': 'true',
        'projection.year.type': 'integer',
        'projection.year.range': '2024,2100',
        'projection.month.range': '1,12',
        'projection.month.digits': '2',
        'projection.day.range': '1,31',
        'projection.day.digits': '2',
        // `$${` is Terraform's escape for a literal `${`: Athena fills these in, not Terraform.
        'storage.location.template': `s3://${bucket}/events/year=$\${year}/month=$\${month}/day=$\${day}/`,
      });
      expect(table.database_name).toBe(ref(s.parsed, 'aws_glue_catalog_database', 'name'));
      expect(s.events.glueTableName).toBe('events');
      expect(s.events.glueDatabaseName).toBe('shop_analytics');
    });

    it('has an encrypted, enforced Athena workgroup writing results under athena-results/', () => {
      const workgroup = only(s.parsed, 'aws_athena_workgroup');
      expect(workgroup.name).toBe(s.events.athenaWorkgroupName);
      expect(workgroup.configuration).toMatchObject({
        enforce_workgroup_configuration: true,
        bytes_scanned_cutoff_per_query: 10 * 1024 ** 3,
        result_configuration: {
          output_location: `s3://${ref(s.parsed, 'aws_s3_bucket', 'bucket')}/athena-results/`,
          encryption_configuration: { encryption_option: 'SSE_S3' },
        },
      });
    });

    it('can leave the saved queries out (a local AWS cannot delete them)', () => {
      expect(synth({ savedQueries: false }).parsed.resource.aws_athena_named_query).toBeUndefined();
    });

    it('saves the feature usage, per-journey funnel, time to convert and experiment summary queries', () => {
      const queries = all(s.parsed, 'aws_athena_named_query');
      expect(queries.map((q) => q.name).sort()).toEqual([
        'shop-experiment-summary',
        'shop-feature-usage',
        'shop-funnel-checkout',
        'shop-funnel-onboarding',
        'shop-time-to-convert',
      ]);
      for (const query of queries) {
        expect(query.workgroup).toBe(ref(s.parsed, 'aws_athena_workgroup', 'id'));
        expect(query.database).toBe(ref(s.parsed, 'aws_glue_catalog_database', 'name'));
      }
      expect(queries.find((q) => q.name === 'shop-funnel-checkout').query).toContain("e.event = 'order_completed'");
    });
  });

  describe('ingestion', () => {
    it('keeps a write key generated by AWS in Secrets Manager, written write-only: never in plan, state or outputs', () => {
      const secret = only(s.parsed, 'aws_secretsmanager_secret');
      expect(secret).toMatchObject({ name: 'shop-ingest-write-keys', recovery_window_in_days: 7 });
      const version = only(s.parsed, 'aws_secretsmanager_secret_version');
      const [passwordName] = Object.keys(s.parsed.ephemeral.aws_secretsmanager_random_password);
      expect(version.secret_id).toBe(ref(s.parsed, 'aws_secretsmanager_secret', 'id'));
      expect(version.secret_string).toBeUndefined();
      expect(version.secret_string_wo).toBe(
        `\${jsonencode({ "write" = [ephemeral.aws_secretsmanager_random_password.${passwordName}.random_password] })}`,
      );
      expect(version.secret_string_wo_version).toBe(1);
      expect(s.parsed.ephemeral.aws_secretsmanager_random_password[passwordName]).toEqual({
        password_length: 40,
        exclude_punctuation: true,
      });
      expect(s.parsed.data?.aws_secretsmanager_random_password).toBeUndefined();
      expect(JSON.stringify(s.parsed.output ?? {})).not.toMatch(/random_password|secret_version/);
    });

    it('runs the ingest handler behind the HTTP API front door with the stream, key and CORS in its environment', () => {
      const ingest = all(s.parsed, 'aws_lambda_function').find((f) => f.function_name === 'shop-ingest');
      expect(ingest.environment.variables).toEqual({
        NODE_OPTIONS: '--enable-source-maps',
        EVENT_STREAM_NAME: 'shop-events',
        API_KEYS_SECRET_ARN: ref(s.parsed, 'aws_secretsmanager_secret', 'arn'),
        METRICS_NAMESPACE: 'Monoenv/Ingest',
        CORS_ALLOW_ORIGINS: 'https://shop.example.com',
      });
      expect(ingest.reserved_concurrent_executions).toBe(20);
      const fnName = ref(s.parsed, 'aws_lambda_function', 'function_name', (f) => f.function_name === 'shop-ingest');
      const api = ref(s.parsed, 'aws_apigatewayv2_api', 'id');
      expect(s.json).toHaveResourceWithProperties(Apigatewayv2Integration, {
        api_id: api,
        integration_type: 'AWS_PROXY',
        payload_format_version: '2.0',
        integration_uri: ref(s.parsed, 'aws_lambda_function', 'invoke_arn', (f) => f.function_name === 'shop-ingest'),
      });
      expect(s.json).toHaveResourceWithProperties(Apigatewayv2Route, { api_id: api, route_key: 'ANY /v1/events' });
      // Only API Gateway, only for this route of this API: no other account or API can invoke the function.
      expect(all(s.parsed, 'aws_lambda_permission')).toEqual([
        expect.objectContaining({
          function_name: fnName,
          action: 'lambda:InvokeFunction',
          principal: 'apigateway.amazonaws.com',
          source_arn: `${ref(s.parsed, 'aws_apigatewayv2_api', 'execution_arn')}/*/*/v1/events`,
        }),
      ]);
      expect(only(s.parsed, 'aws_apigatewayv2_stage')).toMatchObject({
        name: '$default',
        default_route_settings: { throttling_rate_limit: 1000, throttling_burst_limit: 2000 },
      });
    });

    it('exposes the URL, the secret ARN and the names other stacks need', () => {
      const { parsed } = synth({}, (stack, events) => {
        new TerraformOutput(stack, 'url', { value: events.ingestUrl });
        new TerraformOutput(stack, 'secret', { value: events.writeKeySecretArn });
        new TerraformOutput(stack, 'stream', { value: events.streamArn });
        new TerraformOutput(stack, 'table', { value: events.analyticsTableName });
      });
      expect(parsed.output.url.value).toBe(ref(parsed, 'aws_apigatewayv2_api', 'api_endpoint'));
      expect(parsed.output.secret.value).toBe(ref(parsed, 'aws_secretsmanager_secret', 'arn'));
      expect(parsed.output.stream.value).toBe(ref(parsed, 'aws_kinesis_stream', 'arn'));
      expect(parsed.output.table.value).toBe('shop-analytics');
    });

    it('lets the ingest function only put records on the stream and read its secret', () => {
      const statements = policyOf(s.parsed, (p) => p.role === roleRef(s.parsed, 'shop-ingest'));
      expect(statements.slice(1)).toEqual([
        { Effect: 'Allow', Action: ['kinesis:PutRecord', 'kinesis:PutRecords'], Resource: [ref(s.parsed, 'aws_kinesis_stream', 'arn')] },
        { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [ref(s.parsed, 'aws_secretsmanager_secret', 'arn')] },
      ]);
      expect(statements[0].Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    });

    it('sets no CORS origins when none are given', () => {
      const serverOnly = synth({ corsAllowOrigins: [] });
      const ingest = all(serverOnly.parsed, 'aws_lambda_function').find((f) => f.function_name === 'shop-ingest');
      expect(ingest.environment.variables.CORS_ALLOW_ORIGINS).toBeUndefined();
    });
  });

  describe('analytics and the journey processor', () => {
    it('has an on-demand pk/sk table with TTL on expiresAt, PITR, encryption and deletion protection', () => {
      expect(s.json).toHaveResourceWithProperties(DynamodbTable, {
        name: 'shop-analytics',
        billing_mode: 'PAY_PER_REQUEST',
        hash_key: 'pk',
        range_key: 'sk',
        attribute: [
          { name: 'pk', type: 'S' },
          { name: 'sk', type: 'S' },
        ],
        ttl: { attribute_name: 'expiresAt', enabled: true },
        point_in_time_recovery: { enabled: true },
        server_side_encryption: { enabled: true },
        deletion_protection_enabled: true,
      });
      expect(only(synth({ deletionProtection: false }).parsed, 'aws_dynamodb_table').deletion_protection_enabled).toBe(false);
    });

    it('passes the table, the validated journeys, the namespace and the failure queue to the processor', () => {
      const processor = all(s.parsed, 'aws_lambda_function').find((f) => f.function_name === 'shop-journey-processor');
      expect(processor.environment.variables).toMatchObject({
        ANALYTICS_TABLE: 'shop-analytics',
        METRICS_NAMESPACE: 'Monoenv/Product',
        FAILURE_QUEUE_URL: ref(s.parsed, 'aws_sqs_queue', 'url'),
      });
      expect(parseJourneys(processor.environment.variables.JOURNEYS).map((j) => j.name)).toEqual(['checkout', 'onboarding']);
      expect(processor.timeout).toBe(60);
    });

    it('maps the stream with bisecting, partial batch responses, bounded retries and a failure queue', () => {
      const queueArn = ref(s.parsed, 'aws_sqs_queue', 'arn');
      expect(s.json).toHaveResourceWithProperties(LambdaEventSourceMapping, {
        event_source_arn: ref(s.parsed, 'aws_kinesis_stream', 'arn'),
        function_name: ref(s.parsed, 'aws_lambda_function', 'arn', (f) => f.function_name === 'shop-journey-processor'),
        starting_position: 'TRIM_HORIZON',
        bisect_batch_on_function_error: true,
        function_response_types: ['ReportBatchItemFailures'],
        maximum_retry_attempts: 5,
        batch_size: 100,
        destination_config: { on_failure: { destination_arn: queueArn } },
      });
      const mapping = only(s.parsed, 'aws_lambda_event_source_mapping');
      expect(mapping.depends_on).toEqual([expect.stringMatching(/^aws_iam_role_policy\.events_processor_role-policy/)]);
      expect(s.json).toHaveResourceWithProperties(SqsQueue, {
        name: 'shop-journey-processor-failures',
        sqs_managed_sse_enabled: true,
        message_retention_seconds: 1209600,
      });
    });

    it('lets the processor only read the stream, use the table and send to its failure queue', () => {
      const statements = policyOf(s.parsed, (p) => p.role === roleRef(s.parsed, 'shop-journey-processor'));
      expect(statements.slice(1)).toEqual([
        {
          Effect: 'Allow',
          Action: [
            'kinesis:DescribeStream',
            'kinesis:DescribeStreamSummary',
            'kinesis:GetRecords',
            'kinesis:GetShardIterator',
            'kinesis:ListShards',
          ],
          Resource: [ref(s.parsed, 'aws_kinesis_stream', 'arn')],
        },
        {
          Effect: 'Allow',
          Action: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
          Resource: [ref(s.parsed, 'aws_dynamodb_table', 'arn')],
        },
        { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [ref(s.parsed, 'aws_sqs_queue', 'arn')] },
      ]);
    });
  });

  describe('alarms', () => {
    const expected: Record<string, { metric_name: string; namespace: string }> = {
      'shop-processor-iterator-age': { metric_name: 'IteratorAge', namespace: 'AWS/Lambda' },
      'shop-stream-read-lag': { metric_name: 'GetRecords.IteratorAgeMilliseconds', namespace: 'AWS/Kinesis' },
      'shop-stream-write-throttles': { metric_name: 'WriteProvisionedThroughputExceeded', namespace: 'AWS/Kinesis' },
      'shop-archive-delivery-failures': { metric_name: 'DeliveryToS3.Success', namespace: 'AWS/Firehose' },
      'shop-archive-freshness': { metric_name: 'DeliveryToS3.DataFreshness', namespace: 'AWS/Firehose' },
      'shop-ingest-events-failed': { metric_name: 'EventsFailed', namespace: 'Monoenv/Ingest' },
      'shop-ingest-api-5xx': { metric_name: '5xx', namespace: 'AWS/ApiGateway' },
      'shop-processor-failed-batches': { metric_name: 'ApproximateNumberOfMessagesVisible', namespace: 'AWS/SQS' },
    };

    it('watches lag, throttling, archive delivery, ingest failures and failed batches, all wired to the alerts topic', () => {
      const topic = ref(s.parsed, 'aws_sns_topic', 'arn');
      const alarms = all(s.parsed, 'aws_cloudwatch_metric_alarm');
      for (const [name, metric] of Object.entries(expected)) {
        const alarm = alarms.find((a) => a.alarm_name === name);
        expect(alarm).toMatchObject({ ...metric, alarm_actions: [topic], ok_actions: [topic], tags: ownership });
      }
      expect(alarms.find((a) => a.alarm_name === 'shop-archive-delivery-failures')).toMatchObject({
        comparison_operator: 'LessThanThreshold',
        threshold: 1,
        dimensions: { DeliveryStreamName: 'shop-events-archive' },
      });
      expect(alarms.find((a) => a.alarm_name === 'shop-processor-iterator-age')).toMatchObject({
        statistic: 'Maximum',
        threshold: 300000,
        dimensions: { FunctionName: 'shop-journey-processor' },
      });
      // The functions' own error alarms go to the same topic.
      expect(alarms.find((a) => a.alarm_name === 'shop-journey-processor-errors').alarm_actions).toEqual([topic]);
    });

    it("goes to the team's topic when the owner has an alert email, or to the topic given", () => {
      const team = synth({ ownership: { ...ownership, alertEmail: 'growth@example.com' } });
      const teamTopic = ref(team.parsed, 'aws_sns_topic', 'arn', (t) => t.name === 'shop-product-growth-alerts');
      const teamAlarms = all(team.parsed, 'aws_cloudwatch_metric_alarm').filter((a) => a.alarm_name.startsWith('shop-'));
      expect(teamAlarms.length).toBeGreaterThanOrEqual(Object.keys(expected).length);
      for (const alarm of teamAlarms) expect(alarm.alarm_actions).toEqual([teamTopic]);
      const given = synth({ alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:pager' });
      expect(all(given.parsed, 'aws_cloudwatch_metric_alarm').find((a) => a.alarm_name === 'shop-ingest-api-5xx').alarm_actions).toEqual([
        'arn:aws:sns:us-east-1:123456789012:pager',
      ]);
    });
  });

  describe('dashboards', () => {
    it('adds feature usage, a funnel with conversion and drop-off per journey, time to convert and experiments', () => {
      const body = JSON.parse(only(s.parsed, 'aws_cloudwatch_dashboard').dashboard_body);
      const titles: string[] = body.widgets.map((w: any) => w.properties.title).filter(Boolean);
      expect(titles).toEqual(
        expect.arrayContaining([
          'Feature usage (events per feature)',
          'Funnel checkout: users per step',
          'Funnel checkout: conversion and drop-off %',
          'Funnel onboarding: users per step',
          'Funnel onboarding: conversion and drop-off %',
          'Time to convert (seconds, per journey and variant)',
          'Experiments: users exposed per flag and variant',
          'Experiments: conversions per flag, variant and journey',
          'shop ingest: events',
          'shop stream: consumer lag (ms)',
        ]),
      );
      const widget = (title: string) => body.widgets.find((w: any) => w.properties.title === title).properties;
      expect(widget('Feature usage (events per feature)').metrics[0][0].expression).toBe(
        `SEARCH('{Monoenv/Product,Feature} MetricName="FeatureUsed"', 'Sum', 300)`,
      );
      const funnel = widget('Funnel checkout: conversion and drop-off %').metrics.map((m: any) => m[0]);
      expect(funnel[0]).toMatchObject({
        id: 's0',
        visible: false,
        expression: `SUM(SEARCH('{Monoenv/Product,Journey,Step,Variant} MetricName="StepReached" Journey="checkout" Step="cart_viewed"', 'Sum', 300))`,
      });
      expect(funnel.filter((m: any) => m.id.startsWith('c')).map((m: any) => m.expression)).toEqual([
        '100 * s1 / s0',
        '100 * s2 / s0',
        '100 * s3 / s0',
      ]);
      expect(funnel.filter((m: any) => m.id.startsWith('d')).map((m: any) => m.expression)).toEqual([
        '100 * (s0 - s1) / s0',
        '100 * (s1 - s2) / s1',
        '100 * (s2 - s3) / s2',
      ]);
      expect(widget('Time to convert (seconds, per journey and variant)').metrics.map((m: any) => m[0].expression)).toEqual([
        `SEARCH('{Monoenv/Product,Journey,Variant} MetricName="TimeToConvert"', 'p50', 300)`,
        `SEARCH('{Monoenv/Product,Journey,Variant} MetricName="TimeToConvert"', 'p90', 300)`,
      ]);
    });
  });

  describe('grants and customer keys', () => {
    it('grants stream writes and analytics reads to other functions', () => {
      const { parsed } = synth({}, (stack, events) => {
        const flags = new MonoenvFunction(stack, 'flags', { entry: HELLO_HANDLER, functionName: 'shop-flags' });
        events.grantPutRecords(flags);
        events.grantReadAnalytics(flags);
      });
      const statements = policyOf(parsed, (p) => p.role === roleRef(parsed, 'shop-flags'));
      expect(statements).toContainEqual({
        Effect: 'Allow',
        Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
        Resource: [ref(parsed, 'aws_kinesis_stream', 'arn')],
      });
      expect(statements).toContainEqual({
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'],
        Resource: [ref(parsed, 'aws_dynamodb_table', 'arn')],
      });
    });

    it('uses customer keys for the stream and archive, granting each user only what it needs', () => {
      const { json, parsed } = synth({ streamKmsKeyArn: CMK, archiveKmsKeyArn: CMK });
      expect(json).toHaveResourceWithProperties(KinesisStream, { encryption_type: 'KMS', kms_key_id: CMK });
      expect(only(parsed, 'aws_s3_bucket_server_side_encryption_configuration').rule[0]).toMatchObject({
        apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: CMK },
        bucket_key_enabled: true,
      });
      expect(only(parsed, 'aws_athena_workgroup').configuration.result_configuration.encryption_configuration).toEqual({
        encryption_option: 'SSE_KMS',
        kms_key_arn: CMK,
      });
      expect(policyOf(parsed, (p) => p.role === roleRef(parsed, 'shop-ingest'))).toContainEqual({
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey'],
        Resource: [CMK],
      });
      expect(policyOf(parsed, (p) => p.role === roleRef(parsed, 'shop-journey-processor'))).toContainEqual({
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: [CMK],
      });
      const firehose = policyOf(parsed, (p) => p.role === roleRef(parsed, 'firehose'));
      expect(firehose).toContainEqual({ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [CMK] });
      expect(firehose).toContainEqual({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: [CMK] });
    });
  });

  it('passes the monoenv guardrails (encryption, S3, least privilege, Lambda logging)', () => {
    expect(() => synth({}, (stack) => Aspects.of(stack).add(new Guardrails({ report: () => undefined, now: SYNTH_DAY })))).not.toThrow();
  });

  it('escapes free-text step names for Terraform, SQL and CloudWatch search', () => {
    const { parsed } = synth({
      journeysDir: undefined,
      journeys: [{ name: 'promo', steps: ['clicked ${x}\'s "deal"', 'bought'], conversionWindowSeconds: 60 }],
    });
    const processor = all(parsed, 'aws_lambda_function').find((f) => f.function_name === 'shop-journey-processor');
    expect(processor.environment.variables.JOURNEYS).toContain('clicked $${x}');
    const funnel = all(parsed, 'aws_athena_named_query').find((q) => q.name === 'shop-funnel-promo').query;
    expect(funnel).toContain(`'clicked $\${x}''s "deal"'`);
    const body = only(parsed, 'aws_cloudwatch_dashboard').dashboard_body;
    expect(body).toContain('clicked $${x}');
    expect(body).not.toMatch(/[^$]\$\{x\}/);
  });

  describe('bad props', () => {
    const cases: [string, Partial<Props>, RegExp][] = [
      ['archive retention under a day', { archiveRetentionDays: 0 }, /archiveRetentionDays: must be at least 1/],
      [
        'an uppercase prefix',
        { namePrefix: 'Shop' },
        /namePrefix: must be 1-28 lower-case letters, digits and '-', starting with a letter/,
      ],
      [
        'a CORS origin with a path',
        { corsAllowOrigins: ['https://shop.example.com/'] },
        /corsAllowOrigins\[0\]: must be "\*" or an origin/,
      ],
      ['stream retention past the dedupe window', { streamRetentionHours: 200 }, /streamRetentionHours: must be at most 168/],
      ['a log retention CloudWatch does not offer', { logRetentionDays: 10 }, /logRetentionDays: must be one of/],
      ['an unknown prop', { retentionDays: 3 } as Partial<Props>, /Unrecognized key.*retentionDays/],
      ['journeys and journeysDir together', { journeys: [] }, /give journeys or journeysDir, not both/],
      [
        'an invalid journey',
        { journeysDir: undefined, journeys: [{ name: 'x', steps: ['only-one'], conversionWindowSeconds: 60 }] },
        /journeys\[0\]: journey "x": steps: a journey needs at least two steps/,
      ],
      [
        'journeys too large for a Lambda environment',
        {
          journeysDir: undefined,
          journeys: Array.from({ length: 12 }, (_, i) => ({
            name: `journey-${i}`,
            steps: ['a'.repeat(200), 'b'.repeat(200)],
            conversionWindowSeconds: 60,
          })),
        },
        /journeys: 12 journeys serialize to \d+ bytes, more than a Lambda environment holds/,
      ],
    ];
    it.each(cases)('rejects %s with an error naming the field', (_, props, message) => {
      expect(() => synth(props)).toThrow(message);
      expect(() => synth(props)).toThrow(/^EventStream: invalid props/);
    });

    it('reports every bad field at once', () => {
      expect(() => synth({ archiveRetentionDays: -1, processorBatchSize: 0 })).toThrow(/archiveRetentionDays[\s\S]*processorBatchSize/);
    });
  });
});
