import { CreateStreamCommand, KinesisClient, PutRecordsCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startStreamPoller } from '../../../cli/local/stream-poller';
import type { BatchResponse, KinesisRecordLike } from '../../../lambdas/journey-processor/processor';
import { describeWithMoto, motoClientConfig } from '../../support/moto';

const decode = (record: KinesisRecordLike) => Buffer.from(record.kinesis.data, 'base64').toString('utf8');

describeWithMoto('stream poller (the local stand-in for the event source mapping)', (moto) => {
  let kinesis: KinesisClient;
  const put = (stream: string, values: string[]) =>
    kinesis.send(
      new PutRecordsCommand({ StreamName: stream, Records: values.map((v) => ({ PartitionKey: 'one-user', Data: Buffer.from(v) })) }),
    );
  const createStream = async (name: string, shards: number) => {
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30 }, { StreamName: name });
  };

  beforeAll(() => {
    kinesis = new KinesisClient({ ...motoClientConfig(moto().endpoint), requestHandler: new NodeHttpHandler() });
  });
  afterAll(() => kinesis.destroy());

  it('hands every record of every shard to the processor in order, and caughtUp() waits for records already written', async () => {
    await createStream('poller-order', 3);
    const seen: string[] = [];
    const poller = await startStreamPoller({
      client: kinesis,
      streamName: 'poller-order',
      idleMs: 20,
      processBatch: async (records) => {
        seen.push(...records.map(decode));
        return { batchItemFailures: [] };
      },
    });
    try {
      await put('poller-order', ['a', 'b', 'c']);
      await put('poller-order', ['d', 'e']);
      await poller.caughtUp();
      expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(poller.processedCount()).toBe(5);
    } finally {
      await poller.stop();
    }
  });

  it('reads a batch again from its first failed record, like ReportBatchItemFailures', async () => {
    await createStream('poller-retry', 1);
    const calls: string[][] = [];
    let failOnce = true;
    const poller = await startStreamPoller({
      client: kinesis,
      streamName: 'poller-retry',
      idleMs: 20,
      processBatch: async (records): Promise<BatchResponse> => {
        calls.push(records.map(decode));
        const b = records.findIndex((r) => decode(r) === 'b');
        if (failOnce && b >= 0) {
          failOnce = false;
          return { batchItemFailures: records.slice(b).map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) };
        }
        return { batchItemFailures: [] };
      },
    });
    try {
      await put('poller-retry', ['a', 'b', 'c']);
      await poller.caughtUp();
      expect(calls).toEqual([
        ['a', 'b', 'c'],
        ['b', 'c'],
      ]);
      expect(poller.processedCount()).toBe(3);
    } finally {
      await poller.stop();
    }
  });

  it('reports read errors and keeps going instead of crashing', async () => {
    await createStream('poller-errors', 1);
    const errors: string[] = [];
    let broken = true;
    const flaky = {
      send: (command: unknown) =>
        broken && (command as { constructor: { name: string } }).constructor.name === 'GetRecordsCommand'
          ? ((broken = false), Promise.reject(new Error('connection refused')))
          : kinesis.send(command as never),
    } as Pick<KinesisClient, 'send'>;
    const seen: string[] = [];
    const poller = await startStreamPoller({
      client: flaky,
      streamName: 'poller-errors',
      idleMs: 20,
      onError: (error) => errors.push(error.message),
      processBatch: async (records) => {
        seen.push(...records.map(decode));
        return { batchItemFailures: [] };
      },
    });
    try {
      await put('poller-errors', ['x']);
      await poller.caughtUp();
      expect(errors).toEqual(['connection refused']);
      expect(seen).toEqual(['x']);
    } finally {
      await poller.stop();
    }
  });

  it('refuses a stream that does not exist', async () => {
    await expect(
      startStreamPoller({ client: kinesis, streamName: 'no-such-stream', processBatch: async () => ({ batchItemFailures: [] }) }),
    ).rejects.toThrow();
  });
});
