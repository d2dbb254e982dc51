import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { streamEventWriter, type EventWriter } from './event-writer';
import type { RetryPolicy, SendEntries } from './put-in-order';

/** PutRecords on one stream as a `send` for put-in-order.ts: per-record results in the order sent. */
export function kinesisSend(client: Pick<KinesisClient, 'send'>, streamName: string): SendEntries {
  return async (entries, signal) => {
    const out = await client.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: entries.map((entry) => ({ PartitionKey: entry.partitionKey, Data: entry.data })),
      }),
      // Cancels the HTTP request (and the SDK's own retries) at the write's deadline.
      { abortSignal: signal },
    );
    const records = out.Records ?? [];
    if (records.length !== entries.length) {
      throw new Error(`PutRecords answered ${records.length} results for ${entries.length} records`);
    }
    return records.map((record) => (record.ErrorCode ? { errorCode: record.ErrorCode, errorMessage: record.ErrorMessage } : {}));
  };
}

export function kinesisEventWriter(options: {
  client: Pick<KinesisClient, 'send'>;
  streamName: string;
  policy?: Partial<RetryPolicy>;
}): EventWriter {
  return streamEventWriter({ send: kinesisSend(options.client, options.streamName), policy: options.policy });
}
