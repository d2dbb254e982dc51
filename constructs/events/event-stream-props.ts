import { z } from 'zod';
import { loadJourneys, validateJourneys, type Journey, type JourneyInput } from '../../domain/journeys/journey-schema';
import type { IMonitoring } from '../monitoring/monitoring';
import { corsOriginSchema, kmsKeyArnSchema, logRetentionDaysSchema, namePrefixSchema, parseProps, tokenOr } from '../core/props';
import type { OwnershipTags } from '../core/ownership';
import type { IPublicApi } from '../front-door/public-api';

/** Props of `EventStream`; every optional knob says its default. */
export interface EventStreamProps {
  /** Lowercase prefix of every name (bucket, stream, table, functions): 1-28 of a-z 0-9 '-' (S3 bucket prefixes are short). */
  readonly namePrefix: string;
  readonly monitoring: IMonitoring;
  /** Journey definitions (validated here). Give this or `journeysDir`, not both. @default - no journeys */
  readonly journeys?: readonly JourneyInput[];
  /** A directory of `<journey>.json` files, loaded with `loadJourneys`. */
  readonly journeysDir?: string;
  /** Browser origins allowed to send events (`https://shop.example.com`), or `['*']`. Empty: server-side senders only. */
  readonly corsAllowOrigins: readonly string[];
  /** Days the S3 archive keeps events (and delivery errors). */
  readonly archiveRetentionDays: number;
  /** Tags every resource; with `alertEmail`, alarms go to the team's own topic. */
  readonly ownership: OwnershipTags & { readonly alertEmail?: string };
  /** @default - `monitoring.topicArnFor(ownership)` */
  readonly alarmTopicArn?: string;

  /** Kinesis retention, 24-168 h: the processor's dedupe markers live 8 days, so a replay must not reach further back. @default 24 */
  readonly streamRetentionHours?: number;
  /** Customer managed key for the stream. @default 'alias/aws/kinesis' (the AWS managed key) */
  readonly streamKmsKeyArn?: string;
  /** Customer managed key for the archive bucket and Athena results. @default - SSE-S3 (AES256) */
  readonly archiveKmsKeyArn?: string;
  /** Customer managed key for the processor's failure queue. @default - SQS managed encryption (SSE-SQS) */
  readonly failureQueueKmsKeyArn?: string;
  /** Customer managed key for the write-key secret. @default - the AWS managed key (aws/secretsmanager) */
  readonly writeKeyKmsKeyArn?: string;
  /** Lets `terraform destroy` delete a non-empty bucket and the Athena workgroup's queries. @default false */
  readonly forceDestroy?: boolean;
  /** Athena saved queries (feature usage, funnels, time to convert, experiment summary). @default true */
  readonly savedQueries?: boolean;
  /** DynamoDB deletion protection on the analytics table. @default true */
  readonly deletionProtection?: boolean;
  /** Firehose buffering before an S3 object is written. @default 64 MB / 300 s */
  readonly archiveBufferSizeMb?: number;
  readonly archiveBufferIntervalSeconds?: number;
  /** Days Athena query results are kept. @default 30 */
  readonly athenaResultsRetentionDays?: number;
  /** Athena stops a query that scans more than this. @default 10 GiB */
  readonly athenaBytesScannedCutoffPerQuery?: number;
  /** First year of the Glue partition projection. @default 2024 */
  readonly archiveStartYear?: number;
  /** Retention of the Lambda and Firehose log groups (a CloudWatch Logs value). @default 30 */
  readonly logRetentionDays?: number;
  /** Days a deleted write-key secret can be restored (0 = at once, else 7-30). @default 7 */
  readonly writeKeyRecoveryWindowDays?: number;

  /** Journey processor: records per invocation. @default 100 */
  readonly processorBatchSize?: number;
  /** @default 1 */
  readonly processorBatchingWindowSeconds?: number;
  /** Retries of a failing batch (after bisecting) before it goes to the failure queue. @default 5 */
  readonly processorMaxRetryAttempts?: number;
  /** Concurrent batches per shard; a user's events stay in order (same partition key). @default 1 */
  readonly processorParallelizationFactor?: number;
  /** @default 512 */
  readonly processorMemoryMiB?: number;
  /** @default 60 */
  readonly processorTimeoutSeconds?: number;
  /** Alarm when the processor falls this far behind. @default 300000 (5 min) */
  readonly iteratorAgeAlarmMs?: number;
  /** Alarm when the newest archived record is older than this. @default 3600 */
  readonly archiveFreshnessAlarmSeconds?: number;

  /**
   * The front door `ANY /v1/events` is added to.
   * @default - an HTTP API of its own, `<namePrefix>-ingest-api`
   */
  readonly api?: IPublicApi;
  /**
   * Concurrent executions reserved for (and capping) the ingestion function, so a flood cannot take the account's
   * concurrency from the journey processor. Leave the account 100 unreserved. @default 20
   */
  readonly ingestReservedConcurrentExecutions?: number;

  /** EMF namespace of the ingest Lambda. @default 'Monoenv/Ingest' */
  readonly ingestMetricsNamespace?: string;
  /** EMF namespace of the journey processor (product metrics). @default 'Monoenv/Product' */
  readonly productMetricsNamespace?: string;
}

const int = (min: number, max: number) =>
  z.number().int(`must be a whole number`).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
const namespace = z.string().regex(/^[A-Za-z0-9/_.#:-]{1,255}$/, 'must be a CloudWatch namespace (letters, digits, / _ . # : -)');

/** The rules of the props the config shares (`events.*`), so the config composes them instead of restating them. */
export const eventStreamFields = {
  archiveRetentionDays: int(1, 36500),
  ingestReservedConcurrentExecutions: int(1, 10_000),
};

/** Scalar props with defaults applied (zod keeps the rules and the messages in one place). */
export const eventStreamSettingsSchema = z.strictObject({
  namePrefix: namePrefixSchema,
  corsAllowOrigins: z.array(corsOriginSchema),
  archiveRetentionDays: eventStreamFields.archiveRetentionDays,
  alarmTopicArn: z.string().min(1).optional(),
  streamRetentionHours: int(24, 168).default(24),
  streamKmsKeyArn: tokenOr(kmsKeyArnSchema).optional(),
  archiveKmsKeyArn: tokenOr(kmsKeyArnSchema).optional(),
  failureQueueKmsKeyArn: tokenOr(kmsKeyArnSchema).optional(),
  writeKeyKmsKeyArn: tokenOr(kmsKeyArnSchema).optional(),
  forceDestroy: z.boolean().default(false),
  savedQueries: z.boolean().default(true),
  deletionProtection: z.boolean().default(true),
  archiveBufferSizeMb: int(1, 128).default(64),
  archiveBufferIntervalSeconds: int(0, 900).default(300),
  athenaResultsRetentionDays: int(1, 3650).default(30),
  athenaBytesScannedCutoffPerQuery: int(10 * 1024 * 1024, Number.MAX_SAFE_INTEGER).default(10 * 1024 ** 3),
  archiveStartYear: int(2000, 2100).default(2024),
  logRetentionDays: logRetentionDaysSchema.default(30),
  writeKeyRecoveryWindowDays: z
    .number()
    .int()
    .refine((d) => d === 0 || (d >= 7 && d <= 30), 'must be 0 or 7-30')
    .default(7),
  processorBatchSize: int(1, 10000).default(100),
  processorBatchingWindowSeconds: int(0, 300).default(1),
  processorMaxRetryAttempts: int(0, 10000).default(5),
  processorParallelizationFactor: int(1, 10).default(1),
  processorMemoryMiB: int(128, 10240).default(512),
  processorTimeoutSeconds: int(1, 900).default(60),
  iteratorAgeAlarmMs: int(1000, 7 * 24 * 3600 * 1000).default(300_000),
  archiveFreshnessAlarmSeconds: int(60, 86400).default(3600),
  ingestReservedConcurrentExecutions: eventStreamFields.ingestReservedConcurrentExecutions.default(20),
  ingestMetricsNamespace: namespace.default('Monoenv/Ingest'),
  productMetricsNamespace: namespace.default('Monoenv/Product'),
});

export type EventStreamSettings = z.output<typeof eventStreamSettingsSchema> & {
  readonly journeys: Journey[];
  readonly ownership: EventStreamProps['ownership'];
  readonly monitoring: IMonitoring;
};

/** Validates props; throws one Error naming every bad field. */
export function resolveEventStreamProps(props: EventStreamProps): EventStreamSettings {
  const { monitoring, journeys, journeysDir, ownership, api: _api, ...scalars } = props;
  const settings = parseProps('EventStream', eventStreamSettingsSchema, scalars);
  if (!ownership?.domain || !ownership?.team) throw new Error('EventStream: invalid props:\n  ownership: domain and team are required');
  if (journeys && journeysDir) throw new Error('EventStream: invalid props:\n  journeys: give journeys or journeysDir, not both');
  let validated: Journey[];
  try {
    validated = journeysDir
      ? loadJourneys(journeysDir)
      : validateJourneys((journeys ?? []).map((value, i) => ({ source: `journeys[${i}]`, value })));
  } catch (err) {
    throw new Error(`EventStream: invalid props:\n  ${(err as Error).message}`, { cause: err });
  }
  return { ...settings, journeys: validated, ownership, monitoring };
}
