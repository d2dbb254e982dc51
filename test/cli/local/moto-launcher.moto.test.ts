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
import { startMoto } from '../../../cli/local/moto-server';
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

  it('concurrent transactions are serialized, as in DynamoDB: of 10 writers on one version, one wins, and stays won', async () => {
    // Each writer sets version 1 -> 2 on that condition and updates large items of its own (their backups take a
    // while). moto serves each request in a thread of its own: without the lock, a transaction cancelled by the
    // winner's write restored the backup it took before that write, undoing it (a scheduled change fired twice in CI).
    // Python switching threads every microsecond makes such a race show here as it did on a loaded CI machine.
    const launch = motoLaunch();
    const racy = await startMoto({
      launch: { ...launch, args: ['-c', `import sys; sys.setswitchinterval(1e-6)\n${launch.args[1]}`] },
    });
    const racyClient = new DynamoDBClient(motoClientConfig(racy.endpoint));
    const clients: DynamoDBClient[] = [];
    try {
      await createPkSkTable(racyClient, TABLE);
      const item = (pk: string, v: string) => ({ ...key(pk), v: { N: v } });
      await racyClient.send(new PutItemCommand({ TableName: TABLE, Item: item('contended', '1') }));
      const writers = Array.from({ length: 10 }, (_, i) => `writer-${i}`);
      const large = { L: Array.from({ length: 4000 }, (_, i) => ({ S: `value-${i}` })) };
      for (const writer of writers) {
        for (let i = 0; i < 4; i++)
          await racyClient.send(new PutItemCommand({ TableName: TABLE, Item: { ...key(`${writer}-${i}`), large } }));
      }
      clients.push(...writers.map(() => new DynamoDBClient(motoClientConfig(racy.endpoint))));
      const outcomes = await Promise.allSettled(
        writers.map((writer, w) =>
          clients[w].send(
            new TransactWriteItemsCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: TABLE,
                    Key: key('contended'),
                    UpdateExpression: 'SET v = :next',
                    ConditionExpression: 'v = :read',
                    ExpressionAttributeValues: { ':read': { N: '1' }, ':next': { N: '2' } },
                  },
                },
                ...Array.from({ length: 4 }, (_, i) => ({
                  Update: {
                    TableName: TABLE,
                    Key: key(`${writer}-${i}`),
                    UpdateExpression: 'SET v = :one',
                    ExpressionAttributeValues: { ':one': { N: '1' } },
                  },
                })),
              ],
            }),
          ),
        ),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      const contended = await racyClient.send(new GetItemCommand({ TableName: TABLE, Key: key('contended') }));
      expect(contended.Item).toMatchObject({ v: { N: '2' } });
    } finally {
      for (const c of [racyClient, ...clients]) c.destroy();
      await racy.stop();
    }
  }, 60_000);

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
