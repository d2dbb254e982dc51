import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SqsFailureQueue } from './failure-queue';
import { parseJourneys, type Journey } from '../../domain/journeys/journey-schema';
import { journeyProcessorSettings } from './contract';
import { processKinesisBatch, type BatchResponse, type KinesisRecordLike } from './processor';
import { DynamoUserStore } from './progress-store';
import { systemClock, type Clock } from '../shared/clock';

/**
 * Kinesis -> journey processor. The environment is in contract.ts (shared with the EventStream construct); the
 * analytics table's layout in table-keys.ts. The event source mapping must enable ReportBatchItemFailures
 * (`functionResponseTypes`).
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
  return (event) =>
    processKinesisBatch(event.Records, { store, failures, journeys: options.journeys, writeLine, namespace: options.namespace, now });
}

function fromEnvironment(env: NodeJS.ProcessEnv): ReturnType<typeof createHandler> {
  const settings = journeyProcessorSettings(env);
  return createHandler({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    tableName: settings.analyticsTable,
    journeys: parseJourneys(settings.journeysJson),
    failureQueue: { client: new SQSClient({}), queueUrl: settings.failureQueueUrl },
    namespace: settings.metricsNamespace,
  });
}

let fromEnv: ReturnType<typeof createHandler> | undefined;

/** Configured on the first invocation (a bad configuration fails every invocation, loudly). */
export const handler = async (event: KinesisStreamEvent): Promise<BatchResponse> => (fromEnv ??= fromEnvironment(process.env))(event);
