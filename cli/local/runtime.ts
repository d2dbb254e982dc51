/**
 * The Lambdas of local production, run in-process against the deployed tables and stream (moto
 * stores Lambdas but cannot invoke them): the OFREP flag API and the ingestion API on one loopback
 * port (their paths do not overlap), and the journey processor fed by polling the stream. The same
 * factories the Lambda handlers use, so local production behaves like AWS.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createFlagCache } from '../../lambdas/flag-evaluation/flag-cache';
import { loadFlagSet } from '../../lambdas/flag-evaluation/flag-table';
import { kinesisExposureSink } from '../../lambdas/flag-evaluation/kinesis-exposures';
import { createOfrepHandler } from '../../lambdas/flag-evaluation/ofrep';
import { createIngestHandler } from '../../lambdas/ingest/ingest-api';
import { kinesisEventWriter } from '../../lambdas/ingest/kinesis-writer';
import { createHandler as createProcessorHandler } from '../../lambdas/journey-processor/handler';
import type { Journey } from '../../lambdas/journey-processor/journey-schema';
import { secretsManagerApiKeys } from '../../lambdas/shared/api-keys';
import { jsonResponse, type HttpHandler } from '../../lambdas/shared/http';
import { serveHttp, type RunningServer } from '../../lambdas/shared/node-http';
import { motoClientConfig } from './moto-server';
import { startStreamPoller, type StreamPoller } from './stream-poller';
import type { ProductionOutputs } from './terraform-outputs';

export interface RuntimeOptions {
  readonly awsEndpoint: string;
  readonly region: string;
  readonly outputs: ProductionOutputs;
  readonly journeys: readonly Journey[];
  /** A free port, checked by the caller. */
  readonly port: number;
  /** Processor and runtime log lines (not the metric lines). @default console.error */
  readonly log?: (line: string) => void;
}

export interface LocalRuntime {
  /** Base URL of both APIs: OFREP under /ofrep/v1, ingestion at /v1/events. */
  readonly url: string;
  readonly port: number;
  readonly poller: StreamPoller;
  close(): Promise<void>;
}

/** One port, two APIs: OFREP paths go to the flag handler, everything else to ingestion (which 404s). */
export function routeByPath(flags: HttpHandler, ingest: HttpHandler): HttpHandler {
  return async (request) => {
    if (request.path === '/health') return jsonResponse(200, { status: 'ok' });
    return request.path.startsWith('/ofrep/') ? flags(request) : ingest(request);
  };
}

export async function startRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  const log = options.log ?? ((line: string) => console.error(line));
  const aws = motoClientConfig(options.awsEndpoint, options.region);
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(aws));
  // The SDK's default HTTP/2-capable handler does not talk to moto; plain HTTP/1.1 does.
  const kinesis = new KinesisClient({ ...aws, requestHandler: new NodeHttpHandler() });
  const secrets = new SecretsManagerClient(aws);
  const { outputs } = options;

  const flagCache = createFlagCache({
    load: () => loadFlagSet(dynamo, outputs.flagsTable),
    onRefreshError: (error) => log(`flags: refresh failed, serving the last good set: ${(error as Error).message}`),
  });
  const flags = createOfrepHandler({
    flags: flagCache.get,
    apiKeys: secretsManagerApiKeys(outputs.flagsApiKeysSecret, { client: secrets, ttlMs: 5_000 }),
    exposures: kinesisExposureSink(outputs.eventStream, () => kinesis),
    logError: (message, error) => log(`flags: ${message}: ${(error as Error).message}`),
  });
  const ingest = createIngestHandler({
    writer: kinesisEventWriter({ client: kinesis, streamName: outputs.eventStream }),
    apiKeys: secretsManagerApiKeys(outputs.eventsWriteKeySecret, { client: secrets, ttlMs: 5_000 }),
  });

  const processor = createProcessorHandler({
    client: dynamo,
    tableName: outputs.analyticsTable,
    journeys: options.journeys,
    // EMF metric lines would go to CloudWatch Logs in AWS; locally only the log lines are shown.
    writeLine: (line) => {
      if (!line.includes('"_aws"')) log(`journey-processor: ${line}`);
    },
  });
  // One batch at a time across shards: moto's DynamoDB deep-copies a table during a transaction while other
  // requests change it (HTTP 500s). In AWS, shards run in parallel; the processor is safe either way.
  let previous: Promise<unknown> = Promise.resolve();
  const oneAtATime = (records: Parameters<typeof processor>[0]['Records']) => {
    const run = previous.then(() => processor({ Records: records }));
    previous = run.catch(() => undefined);
    return run;
  };
  const poller = await startStreamPoller({
    client: kinesis,
    streamName: outputs.eventStream,
    processBatch: (records) => oneAtATime(records),
    onError: (error) => log(`journey-processor: reading ${outputs.eventStream} failed (retrying): ${error.message}`),
  });

  let server: RunningServer;
  try {
    server = await serveHttp(routeByPath(flags, ingest), { port: options.port, host: '127.0.0.1' });
  } catch (error) {
    await poller.stop();
    throw error;
  }
  return {
    url: server.url,
    port: server.port,
    poller,
    async close() {
      await server.close();
      await poller.stop();
      await flagCache.settled();
      dynamo.destroy();
      kinesis.destroy();
      secrets.destroy();
    },
  };
}
