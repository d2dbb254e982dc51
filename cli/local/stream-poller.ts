/**
 * Stands in for Lambda's Kinesis event source mapping, which moto does not run: reads every shard of
 * the stream in order and hands batches to the journey processor. Like the mapping (with
 * ReportBatchItemFailures), a batch's failed records are read again from the first failure on.
 * Written by hand: the Kinesis Client Library needs a Java daemon and a lease table, far too much
 * for one local stream.
 */
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { BatchResponse, KinesisRecordLike } from '../../lambdas/journey-processor/processor';

export interface StreamPollerOptions {
  readonly client: Pick<KinesisClient, 'send'>;
  readonly streamName: string;
  readonly processBatch: (records: KinesisRecordLike[]) => Promise<BatchResponse>;
  /** Pause after an empty read, per shard. @default 200 */
  readonly idleMs?: number;
  /** @default 100 (the mapping's default batch size) */
  readonly batchSize?: number;
  /** Read errors (e.g. moto gone) are reported here and retried after a pause. */
  readonly onError?: (error: Error) => void;
}

export interface StreamPoller {
  /** Records handed to the processor and not reported as failed. */
  processedCount(): number;
  /** Resolves once every shard has come back empty on a read that began after this call. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const { client, streamName } = options;
  const idleMs = options.idleMs ?? 200;
  const shards = await client.send(new ListShardsCommand({ StreamName: streamName }));
  const shardIds = (shards.Shards ?? []).map((shard) => shard.ShardId!).filter(Boolean);
  if (shardIds.length === 0) throw new Error(`stream ${streamName} has no shards`);

  let stopped = false;
  let processed = 0;
  // A logical clock: per shard, when its last empty read began; caughtUp() waits for all to pass its call.
  let clock = 0;
  const lastEmptyReadStart = new Map<string, number>();
  const waiters: Array<{ since: number; resolve: () => void }> = [];
  const settleWaiters = () => {
    for (const waiter of [...waiters]) {
      if (shardIds.every((id) => (lastEmptyReadStart.get(id) ?? -1) > waiter.since)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };

  async function iteratorAfter(shardId: string, lastSequence: string | undefined, at?: string): Promise<string> {
    const position = at
      ? { ShardIteratorType: 'AT_SEQUENCE_NUMBER' as const, StartingSequenceNumber: at }
      : lastSequence
        ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: lastSequence }
        : { ShardIteratorType: 'TRIM_HORIZON' as const };
    const out = await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ...position }));
    return out.ShardIterator!;
  }

  async function pollShard(shardId: string): Promise<void> {
    let lastSequence: string | undefined;
    let iterator: string | undefined;
    while (!stopped) {
      const readStart = ++clock;
      try {
        iterator ??= await iteratorAfter(shardId, lastSequence);
        const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: options.batchSize ?? 100 }));
        const records = out.Records ?? [];
        if (records.length === 0) {
          lastEmptyReadStart.set(shardId, readStart);
          settleWaiters();
          iterator = out.NextShardIterator;
          await sleep(idleMs);
          continue;
        }
        const batch = records.map((r) => ({
          kinesis: { sequenceNumber: r.SequenceNumber!, data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64') },
        }));
        const { batchItemFailures } = await options.processBatch(batch);
        const firstFailure = batchItemFailures[0]?.itemIdentifier;
        const done = firstFailure ? batch.findIndex((r) => r.kinesis.sequenceNumber === firstFailure) : batch.length;
        processed += done;
        if (done > 0) lastSequence = batch[done - 1].kinesis.sequenceNumber;
        if (firstFailure) {
          iterator = await iteratorAfter(shardId, lastSequence, firstFailure);
          await sleep(idleMs * 5);
        } else {
          iterator = out.NextShardIterator;
        }
      } catch (error) {
        if (stopped) return;
        options.onError?.(error as Error);
        iterator = undefined; // re-read from the last processed record
        await sleep(Math.max(1000, idleMs));
      }
    }
  }

  const loops = shardIds.map((id) => pollShard(id));

  return {
    processedCount: () => processed,
    caughtUp: () =>
      new Promise<void>((resolve) => {
        waiters.push({ since: ++clock, resolve });
        settleWaiters();
      }),
    async stop() {
      stopped = true;
      await Promise.all(loops);
      for (const waiter of waiters.splice(0)) waiter.resolve();
    },
  };
}
