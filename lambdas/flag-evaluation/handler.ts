import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { apiKeysFromEnv } from '../shared/api-keys';
import { functionUrlHandler, type FunctionUrlEvent, type FunctionUrlResult } from '../shared/function-url';
import { lambdaIo, type LambdaIo } from '../shared/lambda-io';
import { createFlagCache } from './flag-cache';
import { loadFlagSet } from '../../domain/flags/flag-table';
import type { ExposureSink } from './exposures';
import { kinesisExposureSink } from './kinesis-exposures';
import { flagEvaluationSettings } from './contract';
import { emfRecorder } from './metrics';
import { createOfrepHandler } from './ofrep';
import { tokenBucketLimiter } from './rate-limiter';

/**
 * The flag Lambda (function URL). Its environment is in contract.ts (shared with the FlagStore construct); API keys
 * come from API_KEYS_SECRET_ARN or, locally, API_KEYS_JSON: without either the function does not start.
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
  return kinesisExposureSink(
    streamName,
    lazy(() => new KinesisClient({ maxAttempts: 2, requestHandler })),
  );
}

export function createFlagHandler(
  env: NodeJS.ProcessEnv,
  io: Partial<LambdaIo> = {},
): (event: FunctionUrlEvent) => Promise<FunctionUrlResult> {
  const { now, writeLine, logError } = lambdaIo(io);
  const settings = flagEvaluationSettings(env);

  const documentClient = lazy(() => DynamoDBDocumentClient.from(new DynamoDBClient({})));
  const flagCache = createFlagCache({
    load: () => loadFlagSet(documentClient(), settings.flagsTable),
    now,
    onRefreshError: (error) => logError('flag set refresh failed; serving the last good set', error),
  });
  return functionUrlHandler(
    createOfrepHandler({
      flags: flagCache.get,
      apiKeys: apiKeysFromEnv(env, { now, logError }),
      exposures: exposureSink(settings.eventStreamName),
      rateLimiter: tokenBucketLimiter({ ratePerSecond: settings.rateLimitPerSecond }),
      cors: settings.corsAllowOrigins.length > 0 ? { allowOrigins: settings.corsAllowOrigins } : undefined,
      metrics: emfRecorder(settings.metricsNamespace, writeLine, now),
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
