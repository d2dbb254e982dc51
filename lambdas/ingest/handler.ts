import { KinesisClient } from '@aws-sdk/client-kinesis';
import { apiKeysFromEnv } from '../shared/api-keys';
import { functionUrlHandler } from '../shared/function-url';
import { createIngestHandler } from './ingest-api';
import type { EncodedRecord } from './encoded-record';
import type { EventWriter } from './event-writer';
import { kinesisEventWriter } from './kinesis-writer';
import { DEFAULT_METRICS_NAMESPACE, emfMetrics } from './metrics';

/**
 * The Lambda (function URL) entry point: environment -> clients, nothing else.
 * - EVENT_STREAM_NAME (required): the Kinesis stream
 * - API_KEYS_SECRET_ARN or API_KEYS_JSON: write keys (`{"write": ["..."]}`); none = no auth (local dev)
 * - CORS_ALLOW_ORIGINS: comma-separated origins, or `*`
 * - METRICS_NAMESPACE: @default Monoenv/Ingest
 */
export { createIngestHandler } from './ingest-api';
export type { IngestHandlerOptions, IngestResponseBody } from './ingest-api';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

// Created on first use, so a cold start that only answers a preflight or a 401 builds no client.
let writer: EventWriter | undefined;
const lazyWriter: EventWriter = {
  write: (records: readonly EncodedRecord[]) => {
    writer ??= kinesisEventWriter({ client: new KinesisClient({}), streamName: requiredEnv('EVENT_STREAM_NAME') });
    return writer.write(records);
  },
};

const allowOrigins = (process.env.CORS_ALLOW_ORIGINS ?? '')
  .split(',')
  .map((origin) => origin.trim())
  .filter((origin) => origin.length > 0);

export const handler = functionUrlHandler(
  createIngestHandler({
    writer: lazyWriter,
    apiKeys: apiKeysFromEnv(),
    cors: allowOrigins.length > 0 ? { allowOrigins } : undefined,
    metrics: emfMetrics(process.env.METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE),
  }),
);
