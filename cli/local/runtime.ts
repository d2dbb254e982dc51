/**
 * The Lambdas of local production, run as deployed (moto stores Lambdas but cannot invoke them): every function
 * behind the HTTP API and every stream mapping gets a LambdaHost with its deployed package and environment; the
 * API's routes are served on one loopback port (front-door.ts), and each mapped stream is polled for its function
 * (stream-poller.ts). Nothing here knows what the functions do.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import * as path from 'node:path';
import type { BatchResponse, KinesisRecordLike } from '../../lambdas/journey-processor/processor';
import type { DeployedStack } from './deployed';
import { serveFrontDoor, type RunningFrontDoor } from './front-door';
import { startLambdaHost, type LambdaHost } from './lambda-host';
import { motoClientConfig } from './moto-server';
import { startStreamPoller, type StreamPoller } from './stream-poller';

export interface RuntimeOptions {
  /** The local AWS (moto). */
  readonly awsEndpoint: string;
  /** Where the functions' own AWS calls go (e.g. a recording proxy in front of moto). @default awsEndpoint */
  readonly functionsAwsEndpoint?: string;
  readonly region: string;
  readonly deployed: DeployedStack;
  /** Where function packages are unpacked. */
  readonly codeRoot: string;
  /** A free port, checked by the caller. */
  readonly port: number;
  /** Function output and runtime notes (not the EMF metric lines). @default console.error */
  readonly log?: (line: string) => void;
}

export interface LocalRuntime {
  /** Base URL of the HTTP API: OFREP under /ofrep/v1, ingestion at /v1/events. */
  readonly url: string;
  readonly port: number;
  /** The poller of the (first) mapped stream. */
  readonly poller: StreamPoller;
  readonly functions: readonly string[];
  close(): Promise<void>;
}

const MOTO_ACCOUNT_ID = '123456789012';

export async function startRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  const log = options.log ?? ((line: string) => console.error(line));
  const { deployed } = options;
  const [api] = deployed.apis;
  if (!api) throw new Error('no HTTP API was deployed: nothing to serve');
  const mapping = deployed.streamMappings[0];
  if (!mapping) throw new Error('no stream is mapped to a function: nothing to process events');

  const wanted = new Set([...api.routes.map((r) => r.functionName), ...deployed.streamMappings.map((m) => m.functionName)]);
  const hosts = new Map<string, LambdaHost>();
  const closeAll = async () => {
    await Promise.all([...hosts.values()].map((host) => host.close()));
  };
  try {
    for (const name of wanted) {
      const fn = deployed.functions.find((f) => f.name === name);
      if (!fn) throw new Error(`${name} is wired to the API or a stream but was not deployed`);
      hosts.set(
        name,
        await startLambdaHost({
          functionName: name,
          zipFile: fn.zipFile,
          codeDir: path.join(options.codeRoot, name),
          handler: fn.handler,
          environment: fn.environment,
          awsEndpoint: options.functionsAwsEndpoint ?? options.awsEndpoint,
          region: options.region,
          timeoutSeconds: fn.timeoutSeconds,
          // EMF metric lines would go to CloudWatch in AWS; locally only the log lines are shown.
          log: (line) => {
            if (!line.includes('"_aws"')) log(`${name}: ${line}`);
          },
        }),
      );
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  const invoke = (name: string, event: unknown) => {
    const host = hosts.get(name);
    if (!host) throw new Error(`no function ${name}`);
    return host.invoke(event);
  };

  // One batch at a time across shards: moto's DynamoDB deep-copies a table during a transaction while other
  // requests change it (HTTP 500s). In AWS, shards run in parallel; the processor is safe either way.
  let previous: Promise<unknown> = Promise.resolve();
  const oneAtATime = (records: KinesisRecordLike[]): Promise<BatchResponse> => {
    const event = {
      Records: records.map((r) => ({
        eventSource: 'aws:kinesis',
        eventSourceARN: mapping.streamArn,
        kinesis: { kinesisSchemaVersion: '1.0', ...r.kinesis },
      })),
    };
    const run = previous.then(() => invoke(mapping.functionName, event) as Promise<BatchResponse>);
    previous = run.catch(() => undefined);
    return run;
  };
  // The SDK's default HTTP/2-capable handler does not talk to moto; plain HTTP/1.1 does.
  const kinesis = new KinesisClient({ ...motoClientConfig(options.awsEndpoint, options.region), requestHandler: new NodeHttpHandler() });
  let poller: StreamPoller;
  try {
    poller = await startStreamPoller({
      client: kinesis,
      streamName: mapping.streamArn.split('/').pop()!,
      batchSize: mapping.batchSize,
      processBatch: oneAtATime,
      onError: (error) => log(`${mapping.functionName}: reading its stream failed (retrying): ${error.message}`),
    });
  } catch (error) {
    kinesis.destroy();
    await closeAll();
    throw error;
  }

  let frontDoor: RunningFrontDoor;
  try {
    frontDoor = await serveFrontDoor({
      api,
      accountId: MOTO_ACCOUNT_ID,
      port: options.port,
      invoke,
      onError: (name, error) => log(`${name}: ${error.message}`),
      log,
    });
  } catch (error) {
    await poller.stop();
    kinesis.destroy();
    await closeAll();
    throw error;
  }
  return {
    url: frontDoor.url,
    port: frontDoor.port,
    poller,
    functions: [...hosts.keys()],
    async close() {
      await frontDoor.close();
      await poller.stop();
      await previous;
      kinesis.destroy();
      await closeAll();
    },
  };
}
