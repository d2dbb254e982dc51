import { spawnSync } from 'node:child_process';
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { motoLaunch } from '../../../cli/local/moto-launcher';
import { createPkSkTable, describeWithMoto, motoClientConfig } from '../../support/moto';

const TABLE = 'launcher-tx';
const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'item' } });

describeWithMoto('moto as local production starts it', (moto) => {
  let client: DynamoDBClient;
  beforeAll(async () => {
    client = new DynamoDBClient(motoClientConfig(moto().endpoint));
    await createPkSkTable(client, TABLE);
  });
  afterAll(() => client.destroy());

  const read = async (pk: string) => (await client.send(new GetItemCommand({ TableName: TABLE, Key: key(pk) }))).Item;
  const put = (pk: string, v: string) => client.send(new PutItemCommand({ TableName: TABLE, Item: { ...key(pk), v: { N: v } } }));

  it('runs with the transaction fix applied (python3 with moto is what CI installs)', () => {
    const launch = motoLaunch();
    expect(launch).toMatchObject({ patched: true, args: ['-c', expect.any(String)] });
    const help = spawnSync(launch.command, [...launch.args, '--help'], { encoding: 'utf8', timeout: 30000 });
    expect({ status: help.status, stderr: help.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('a cancelled transaction leaves every item it touched as it was: updated, put, deleted', async () => {
    await put('kept', '1');
    await put('deleted', '1');
    const cancelled = client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: {
              TableName: TABLE,
              Key: key('kept'),
              UpdateExpression: 'SET v = :two',
              ExpressionAttributeValues: { ':two': { N: '2' } },
            },
          },
          { Put: { TableName: TABLE, Item: { ...key('new'), v: { N: '1' } } } },
          { Delete: { TableName: TABLE, Key: key('deleted') } },
          { ConditionCheck: { TableName: TABLE, Key: key('missing'), ConditionExpression: 'attribute_exists(pk)' } },
        ],
      }),
    );
    await expect(cancelled).rejects.toBeInstanceOf(TransactionCanceledException);
    await expect(cancelled).rejects.toMatchObject({
      CancellationReasons: [{ Code: 'None' }, { Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
    });
    expect(await read('kept')).toMatchObject({ v: { N: '1' } });
    expect(await read('new')).toBeUndefined();
    expect(await read('deleted')).toMatchObject({ v: { N: '1' } });
  });

  it('a transaction that touches one item twice is refused whole', async () => {
    await put('twice', '1');
    const refused = client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: TABLE, Item: { ...key('other'), v: { N: '1' } } } },
          {
            Update: {
              TableName: TABLE,
              Key: key('twice'),
              UpdateExpression: 'SET v = :two',
              ExpressionAttributeValues: { ':two': { N: '2' } },
            },
          },
          { Delete: { TableName: TABLE, Key: key('twice') } },
        ],
      }),
    );
    await expect(refused).rejects.toThrow(/multiple operations on one item/);
    expect(await read('twice')).toMatchObject({ v: { N: '1' } });
    expect(await read('other')).toBeUndefined();
  });

  it('a transaction that goes through writes all of its items', async () => {
    await put('to-delete', '1');
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: TABLE, Item: { ...key('written'), v: { N: '3' } } } },
          { Delete: { TableName: TABLE, Key: key('to-delete') } },
        ],
      }),
    );
    expect(await read('written')).toMatchObject({ v: { N: '3' } });
    expect(await read('to-delete')).toBeUndefined();
  });

  it('a stream hands out every record once, in order, read in pages and from a sequence number', async () => {
    const kinesis = new KinesisClient({ ...motoClientConfig(moto().endpoint), requestHandler: new NodeHttpHandler() });
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: 'launcher-stream', ShardCount: 1 }));
      const put = (from: number) =>
        kinesis.send(
          new PutRecordsCommand({
            StreamName: 'launcher-stream',
            Records: Array.from({ length: 5 }, (_, i) => ({ PartitionKey: 'user', Data: Buffer.from(String(from + i)) })),
          }),
        );
      await put(0);
      await put(5);
      const shardId = (await kinesis.send(new DescribeStreamCommand({ StreamName: 'launcher-stream' }))).StreamDescription!.Shards![0]
        .ShardId!;
      const read: string[] = [];
      const sequences: string[] = [];
      let iterator = (
        await kinesis.send(
          new GetShardIteratorCommand({ StreamName: 'launcher-stream', ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
        )
      ).ShardIterator;
      for (let page = 0; page < 6 && iterator; page += 1) {
        const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 3 }));
        for (const record of out.Records ?? []) {
          read.push(Buffer.from(record.Data!).toString());
          sequences.push(record.SequenceNumber!);
        }
        expect(typeof out.MillisBehindLatest).toBe('number');
        iterator = out.NextShardIterator;
      }
      expect(read).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      const after = (
        await kinesis.send(
          new GetShardIteratorCommand({
            StreamName: 'launcher-stream',
            ShardId: shardId,
            ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
            StartingSequenceNumber: sequences[6],
          }),
        )
      ).ShardIterator;
      const rest = await kinesis.send(new GetRecordsCommand({ ShardIterator: after }));
      expect((rest.Records ?? []).map((r) => Buffer.from(r.Data!).toString())).toEqual(['7', '8', '9']);
    } finally {
      kinesis.destroy();
    }
  });
});
