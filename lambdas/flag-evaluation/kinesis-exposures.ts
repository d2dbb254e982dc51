import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { EventRecord } from '../../domain/events/event-record';
import type { ExposureSink } from './exposures';

/** Kinesis PutRecords allows 500 records per call. */
const MAX_RECORDS_PER_CALL = 500;

/**
 * The most an evaluation waits for its exposures to be stored, SDK retries included. The flag API records them
 * before it answers, and a client that gives up (the provider's default is 2 s) shows its default value to a user
 * already counted in a variant; past this budget the exposure is counted as failed and the answer goes out.
 */
export const EXPOSURE_BUDGET_MS = 1000;

export interface KinesisExposureSinkOptions {
  /** @default EXPOSURE_BUDGET_MS */
  readonly budgetMs?: number;
}

/**
 * Writes exposures to the event stream, partition key = userKey (one user's events keep their order).
 * Throws when any record was refused or the budget ran out, so the caller can count the failure; it never
 * retries here, to keep evaluation latency bounded (duplicates would be harmless: message ids are deterministic).
 */
export function kinesisExposureSink(
  streamName: string,
  client: () => Pick<KinesisClient, 'send'>,
  options: KinesisExposureSinkOptions = {},
): ExposureSink {
  return {
    async record(exposures: EventRecord[]) {
      const abortSignal = AbortSignal.timeout(options.budgetMs ?? EXPOSURE_BUDGET_MS);
      // Required here, not imported: the flag Lambda bundles this module but must not load the Kinesis SDK at init.
      const { PutRecordsCommand } = require('@aws-sdk/client-kinesis') as typeof import('@aws-sdk/client-kinesis');
      for (let start = 0; start < exposures.length; start += MAX_RECORDS_PER_CALL) {
        const batch = exposures.slice(start, start + MAX_RECORDS_PER_CALL);
        const out = await client().send(
          new PutRecordsCommand({
            StreamName: streamName,
            Records: batch.map((e) => ({ PartitionKey: e.userKey, Data: Buffer.from(JSON.stringify(e)) })),
          }),
          { abortSignal },
        );
        if (out.FailedRecordCount) {
          const reason = out.Records?.find((r) => r.ErrorCode)?.ErrorMessage ?? 'unknown';
          throw new Error(`${out.FailedRecordCount} of ${batch.length} exposures refused by stream ${streamName}: ${reason}`);
        }
      }
    },
  };
}
