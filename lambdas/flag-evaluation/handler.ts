import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { apiKeysFromEnv } from '../shared/api-keys';
import { functionUrlHandler, type FunctionUrlEvent, type FunctionUrlResult } from '../shared/function-url';
import { lambdaIo, type LambdaIo } from '../shared/lambda-io';
import { createFlagCache } from './flag-cache';
import { loadFlagSet } from './flag-table';
import type { ExposureSink } from './exposures';
import { kinesisExposureSink } from './kinesis-exposures';
import { DEFAULT_METRICS_NAMESPACE, emfRecorder } from './metrics';
import { createOfrepHandler } from './ofrep';
import { tokenBucketLimiter } from './rate-limiter';

/**
 * The flag Lambda (function URL). Environment:
 *   FLAGS_TABLE            the flag table (required)
 *   API_KEYS_SECRET_ARN    Secrets Manager secret {"server": [...], "client": [...]}; or API_KEYS_JSON locally
 *                          (one of the two is required: without keys the function does not start)
 *   EVENT_STREAM_NAME      Kinesis stream for experiment exposures (none recorded when unset)
 *   CORS_ALLOW_ORIGINS     comma-separated origins allowed from browsers (`*` for any)
 *   RATE_LIMIT_PER_SECOND  per API key, per instance (default 100)
 *   METRICS_NAMESPACE      EMF namespace (default Monoenv/Flags)
 * Built once per instance; AWS clients are created on first use.
 */
function lazy<T>(create: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= create());
}

/** The Kinesis SDK is loaded only when exposures are on: it adds tens of ms to a cold start. */
function exposureSink(streamName: string | undefined): ExposureSink | undefined {
  if (!streamName) return undefined;
  const { KinesisClient } = require('@aws-sdk/client-kinesis') as typeof import('@aws-sdk/client-kinesis');
  const { NodeHttpHandler } = require('@smithy/node-http-handler') as typeof import('@smithy/node-http-handler');
  // HTTP/1.1 with a short timeout: a slow stream must not hold up flag answers.
  const requestHandler = new NodeHttpHandler({ connectionTimeout: 500, requestTimeout: 1000 });
  return kinesisExposureSink(streamName, lazy(() => new KinesisClient({ maxAttempts: 2, requestHandler })));
}

export function createFlagHandler(env: NodeJS.ProcessEnv, io: Partial<LambdaIo> = {}): (event: FunctionUrlEvent) => Promise<FunctionUrlResult> {
  const { now, writeLine, logError } = lambdaIo(io);
  const table = env.FLAGS_TABLE;
  if (!table) throw new Error('environment variable FLAGS_TABLE is required');
  const ratePerSecond = Number(env.RATE_LIMIT_PER_SECOND ?? 100);
  if (!(ratePerSecond > 0)) throw new Error(`RATE_LIMIT_PER_SECOND must be a positive number, got '${env.RATE_LIMIT_PER_SECOND}'`);

  const documentClient = lazy(() => DynamoDBDocumentClient.from(new DynamoDBClient({})));
  const flagCache = createFlagCache({
    load: () => loadFlagSet(documentClient(), table),
    now,
    onRefreshError: (error) => logError('flag set refresh failed; serving the last good set', error),
  });
  const allowOrigins = (env.CORS_ALLOW_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  return functionUrlHandler(
    createOfrepHandler({
      flags: flagCache.get,
      apiKeys: apiKeysFromEnv(env, { now, logError }),
      exposures: exposureSink(env.EVENT_STREAM_NAME),
      rateLimiter: tokenBucketLimiter({ ratePerSecond }),
      cors: allowOrigins.length > 0 ? { allowOrigins } : undefined,
      metrics: emfRecorder(env.METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE, writeLine, now),
      now,
      logError,
    }),
    logError,
  );
}

/**
 * In Lambda (whose runtime sets AWS_LAMBDA_FUNCTION_NAME) built as the module loads, so a bad environment (no
 * table, no key secret) fails the function's init, before any request; elsewhere (tests) on the first call.
 */
let fromEnv = process.env.AWS_LAMBDA_FUNCTION_NAME ? createFlagHandler(process.env) : undefined;

export const handler = (event: FunctionUrlEvent): Promise<FunctionUrlResult> => (fromEnv ??= createFlagHandler(process.env))(event);
