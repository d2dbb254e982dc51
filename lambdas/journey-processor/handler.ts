import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SqsFailureQueue } from './failure-queue';
import { parseJourneys, type Journey } from './journey-schema';
import { processKinesisBatch, type BatchResponse, type KinesisRecordLike } from './processor';
import { DynamoUserStore } from './progress-store';
import { systemClock, type Clock } from '../shared/clock';

/**
 * Kinesis -> journey processor. Environment:
 * - ANALYTICS_TABLE: the analytics table (layout in table-keys.ts);
 * - JOURNEYS: the journeys as a JSON array (`serializeJourneys(loadJourneys(dir))` at synth);
 * - FAILURE_QUEUE_URL: where records that can never succeed are recorded before they are skipped (failures.ts);
 * - METRICS_NAMESPACE: EMF namespace, default `Monoenv/Product`.
 * The event source mapping must enable ReportBatchItemFailures (`functionResponseTypes`).
 */
export interface KinesisStreamEvent {
  readonly Records: readonly KinesisRecordLike[];
}

export interface HandlerOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly journeys: readonly Journey[];
  readonly failureQueue: { readonly client: SQSClient; readonly queueUrl: string };
  readonly namespace?: string;
  readonly writeLine?: (line: string) => void;
  /** @default systemClock */
  readonly now?: Clock;
}

export function createHandler(options: HandlerOptions): (event: KinesisStreamEvent) => Promise<BatchResponse> {
  const now = options.now ?? systemClock;
  const store = new DynamoUserStore(options.client, options.tableName, options.journeys, now);
  const failures = new SqsFailureQueue(options.failureQueue.client, options.failureQueue.queueUrl, now);
  const writeLine = options.writeLine ?? ((line: string) => process.stdout.write(`${line}\n`));
  return (event) => processKinesisBatch(event.Records, { store, failures, journeys: options.journeys, writeLine, namespace: options.namespace, now });
}

function fromEnvironment(env: NodeJS.ProcessEnv): ReturnType<typeof createHandler> {
  const tableName = env.ANALYTICS_TABLE;
  if (!tableName) throw new Error('ANALYTICS_TABLE is not set');
  const journeys = parseJourneys(env.JOURNEYS);
  const queueUrl = env.FAILURE_QUEUE_URL;
  if (!queueUrl) throw new Error('FAILURE_QUEUE_URL is not set: records that can never succeed are recorded there before they are skipped');
  return createHandler({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    tableName,
    journeys,
    failureQueue: { client: new SQSClient({}), queueUrl },
    namespace: env.METRICS_NAMESPACE || undefined,
  });
}

let fromEnv: ReturnType<typeof createHandler> | undefined;

/** Configured on the first invocation (a bad configuration fails every invocation, loudly). */
export const handler = async (event: KinesisStreamEvent): Promise<BatchResponse> => (fromEnv ??= fromEnvironment(process.env))(event);
