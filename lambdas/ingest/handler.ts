import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { apiKeysFromEnv } from '../shared/api-keys';
import { functionUrlHandler, type FunctionContext, type FunctionUrlEvent, type FunctionUrlResult } from '../shared/function-url';
import { lambdaIo, type LambdaIo } from '../shared/lambda-io';
import { createIngestHandler } from './ingest-api';
import type { EncodedRecord } from './encoded-record';
import type { EventWriter } from './event-writer';
import { kinesisEventWriter } from './kinesis-writer';
import { ingestSettings } from './contract';
import { emfMetrics } from './metrics';

/**
 * The Lambda (function URL) entry point: environment -> clients, nothing else. The environment is in contract.ts
 * (shared with the EventStream construct); write keys come from API_KEYS_SECRET_ARN or, locally, API_KEYS_JSON:
 * without either it does not start.
 */
export { createIngestHandler } from './ingest-api';
export type { IngestHandlerOptions, IngestResponseBody } from './ingest-api';

export interface IngestLambdaDependencies {
  /** Where events go. @default - Kinesis PutRecords on EVENT_STREAM_NAME (tests pass a fake) */
  readonly writer?: EventWriter;
}

export function createIngestLambda(
  env: NodeJS.ProcessEnv,
  io: Partial<LambdaIo> = {},
  deps: IngestLambdaDependencies = {},
): (event: FunctionUrlEvent, context?: FunctionContext) => Promise<FunctionUrlResult> {
  const { now, writeLine, logError } = lambdaIo(io);
  const settings = ingestSettings(env);
  // Created on first use, so a cold start that only answers a preflight or a 401 builds no client.
  let writer: EventWriter | undefined = deps.writer;
  const lazyWriter: EventWriter = {
    write: (records: readonly EncodedRecord[], options) => {
      // HTTP/1.1 with bounded timeouts; the request's deadline (options.signal) cuts a slow stream short in any case.
      writer ??= kinesisEventWriter({
        client: new KinesisClient({ requestHandler: new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 3000 }) }),
        streamName: settings.eventStreamName,
      });
      return writer.write(records, options);
    },
  };
  return functionUrlHandler(
    createIngestHandler({
      writer: lazyWriter,
      apiKeys: apiKeysFromEnv(env, { now, logError }),
      cors: settings.corsAllowOrigins.length > 0 ? { allowOrigins: settings.corsAllowOrigins } : undefined,
      metrics: emfMetrics(settings.metricsNamespace, now, writeLine),
      now,
      logError,
    }),
    logError,
  );
}

/** In Lambda (AWS_LAMBDA_FUNCTION_NAME set) built as the module loads, so a bad environment fails the init; elsewhere on the first call. */
let fromEnv = process.env.AWS_LAMBDA_FUNCTION_NAME ? createIngestLambda(process.env) : undefined;

export const handler = (event: FunctionUrlEvent, context?: FunctionContext): Promise<FunctionUrlResult> =>
  (fromEnv ??= createIngestLambda(process.env))(event, context);
