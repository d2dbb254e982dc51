import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  type PutRecordsCommandOutput,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { EventRecord } from '../../../domain/events/event-record';
import { serveHttp, type RunningServer } from '../../../lambdas/shared/node-http';
import { staticApiKeys } from '../../../lambdas/shared/api-keys';
import { createIngestHandler } from '../../../lambdas/ingest/ingest-api';
import { kinesisEventWriter } from '../../../lambdas/ingest/kinesis-writer';
import { describeWithMoto, functionClientConfig, motoClientConfig } from '../../support/moto';

const WRITE_KEY = 'write-key-for-tests';
let streamCounter = 0;

async function createStream(kinesis: KinesisClient, shards = 2): Promise<string> {
  const name = `events-${process.pid}-${++streamCounter}`;
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  for (let i = 0; i < 50; i++) {
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return name;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`stream ${name} never became ACTIVE`);
}

/** Every record in the stream, per shard in stored order. */
async function readStream(kinesis: KinesisClient, stream: string): Promise<EventRecord[][]> {
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  const perShard: EventRecord[][] = [];
  for (const shard of shards) {
    let iterator = (
      await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))
    ).ShardIterator;
    const records: EventRecord[] = [];
    while (iterator) {
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
      records.push(...(out.Records ?? []).map((r) => JSON.parse(Buffer.from(r.Data ?? new Uint8Array()).toString('utf8')) as EventRecord));
      if ((out.Records ?? []).length === 0) break;
      iterator = out.NextShardIterator;
    }
    perShard.push(records);
  }
  return perShard;
}

/** A user's messageIds in the order of their last occurrence on the shard. */
function settledOrder(records: readonly EventRecord[], user: string): string[] {
  const ids = records.filter((r) => r.userKey === user).map((r) => r.messageId);
  return ids.filter((id, i) => ids.lastIndexOf(id) === i);
}

const event = (messageId: string, userId: string, overrides: Record<string, unknown> = {}) => ({
  messageId,
  type: 'track',
  event: `step-${messageId}`,
  userId,
  timestamp: '2024-05-01T11:59:00.000Z',
  sentAt: '2024-05-01T12:00:00.000Z',
  ...overrides,
});

async function postEvents(server: RunningServer, body: unknown) {
  const response = await fetch(`${server.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_KEY}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

describeWithMoto(
  'ingestion over HTTP into Kinesis (moto)',
  (moto) => {
    let kinesis: KinesisClient;
    /** The ingest function's own client: its calls are IAM-evaluated against the stack's ingest role after the suite. */
    let ingestKinesis: KinesisClient;
    const servers: RunningServer[] = [];

    beforeAll(() => {
      kinesis = new KinesisClient({ ...motoClientConfig(moto().endpoint), requestHandler: new NodeHttpHandler() });
      ingestKinesis = new KinesisClient({
        ...functionClientConfig(moto().endpoint, 'monoenv-ingest'),
        requestHandler: new NodeHttpHandler(),
      });
    });
    afterAll(async () => {
      await Promise.all(servers.map((s) => s.close()));
      kinesis.destroy();
      ingestKinesis.destroy();
    });

    async function serve(client: Pick<KinesisClient, 'send'>, stream: string): Promise<RunningServer> {
      const writer = kinesisEventWriter({ client, streamName: stream, policy: { baseDelayMs: 1, maxDelayMs: 5 } });
      const server = await serveHttp(createIngestHandler({ writer, apiKeys: staticApiKeys({ write: [WRITE_KEY] }) }));
      servers.push(server);
      return server;
    }

    it("stores posted events as EventRecords, each user's on one shard in batch order", async () => {
      const stream = await createStream(kinesis);
      const server = await serve(ingestKinesis, stream);
      const users = ['alice', 'bob', 'carol', 'dave'];
      const batch = Array.from({ length: 40 }, (_, i) => event(`m-${i}`, users[i % users.length]));
      const response = await postEvents(server, { batch });
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ accepted: 40, duplicates: [], rejected: [], failed: [] });

      const shards = await readStream(kinesis, stream);
      expect(shards.flat()).toHaveLength(40);
      for (const user of users) {
        const holding = shards.filter((records) => records.some((r) => r.userKey === user));
        expect(holding).toHaveLength(1);
        expect(holding[0].filter((r) => r.userKey === user).map((r) => r.messageId)).toEqual(
          batch.filter((e) => e.userId === user).map((e) => e.messageId),
        );
      }
      const first = shards.flat().find((r) => r.messageId === 'm-0');
      expect(first).toMatchObject({
        type: 'track',
        event: 'step-m-0',
        userId: 'alice',
        userKey: 'alice',
        properties: {},
        featureFlags: [],
        context: {},
      });
      expect(Date.parse(first!.receivedAt)).toBeGreaterThan(Date.parse('2024-05-02T00:00:00Z'));
    });

    it('retries records Kinesis refused: none lost, and each user settles in batch order', async () => {
      const stream = await createStream(kinesis);
      // Wraps the real client: the first PutRecords call refuses positions 0 and 5 (as a hot shard would),
      // sending only the others to moto; later calls go through untouched.
      let putCalls = 0;
      const flaky: Pick<KinesisClient, 'send'> = {
        send: (async (command: unknown) => {
          if (!(command instanceof PutRecordsCommand) || putCalls++ > 0) return ingestKinesis.send(command as never);
          const records = command.input.Records ?? [];
          const refused = new Set([0, 5]);
          const out = await ingestKinesis.send(
            new PutRecordsCommand({ ...command.input, Records: records.filter((_, i) => !refused.has(i)) }),
          );
          const passed = [...(out.Records ?? [])];
          return {
            ...out,
            FailedRecordCount: refused.size,
            Records: records.map((_, i) =>
              refused.has(i)
                ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' }
                : passed.shift()!,
            ),
          } satisfies PutRecordsCommandOutput;
        }) as KinesisClient['send'],
      };
      const server = await serve(flaky, stream);
      const users = ['alice', 'bob', 'carol'];
      const batch = Array.from({ length: 12 }, (_, i) => event(`m-${i}`, users[i % users.length]));
      const response = await postEvents(server, { batch });
      expect(response.status).toBe(200);
      expect(response.json.accepted).toBe(12);
      expect(response.json.failed).toEqual([]);
      expect(putCalls).toBe(2);

      const stored = (await readStream(kinesis, stream)).flat();
      expect(new Set(stored.map((r) => r.messageId))).toEqual(new Set(batch.map((e) => e.messageId)));
      for (const user of users) {
        expect(settledOrder(stored, user)).toEqual(batch.filter((e) => e.userId === user).map((e) => e.messageId));
      }
      // m-0 (alice) and m-5 (carol) were refused, so only their users' later events were sent again.
      expect(stored.filter((r) => r.userKey === 'bob')).toHaveLength(4);
    });

    it("retries whole calls Kinesis throttled, within the function's time: every event stored, 200", async () => {
      const stream = await createStream(kinesis);
      // The first two PutRecords calls are refused as a whole (as a throttled stream answers); later ones reach moto.
      let putCalls = 0;
      const throttled: Pick<KinesisClient, 'send'> = {
        send: (async (command: unknown, options?: unknown) => {
          if (command instanceof PutRecordsCommand && putCalls++ < 2) {
            throw Object.assign(new Error('Rate exceeded for stream'), {
              name: 'ProvisionedThroughputExceededException',
              $metadata: { httpStatusCode: 400 },
            });
          }
          return ingestKinesis.send(command as never, options as never);
        }) as KinesisClient['send'],
      };
      const writer = kinesisEventWriter({ client: throttled, streamName: stream, policy: { baseDelayMs: 1, maxDelayMs: 5 } });
      const handler = createIngestHandler({ writer, apiKeys: staticApiKeys({ write: [WRITE_KEY] }) });
      const batch = Array.from({ length: 8 }, (_, i) => event(`m-${i}`, i % 2 ? 'alice' : 'bob'));
      const started = Date.now();
      const response = await handler(
        {
          method: 'POST',
          path: '/v1/events',
          headers: { 'content-type': 'application/json', 'x-api-key': WRITE_KEY },
          query: {},
          body: JSON.stringify({ batch }),
        },
        { remainingTimeMs: () => 10_000 - (Date.now() - started) },
      );
      expect([response.status, JSON.parse(response.body).accepted]).toEqual([200, 8]);
      expect(putCalls).toBe(3);
      const stored = (await readStream(kinesis, stream)).flat();
      expect(stored.map((r) => r.messageId).sort()).toEqual(batch.map((e) => e.messageId).sort());
    });

    it('reports 503 with Retry-After and the events as failed when the stream does not exist', async () => {
      const server = await serve(ingestKinesis, 'no-such-stream');
      const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      const response = await postEvents(server, { batch: [event('m-1', 'alice')] });
      spy.mockRestore();
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.json).toMatchObject({
        accepted: 0,
        failed: [{ index: 0, messageId: 'm-1', errorCode: 'ResourceNotFoundException' }],
      });
    });

    describe('bad input: 4xx with reasons, nothing written for the bad events', () => {
      let stream: string;
      let server: RunningServer;
      beforeAll(async () => {
        stream = await createStream(kinesis, 1);
        server = await serve(ingestKinesis, stream);
      });

      it.each([
        ['malformed JSON', '{"batch": [', 400, 'PARSE_ERROR'],
        ['a body over 500 KB', { batch: [event('m', 'u', { properties: { blob: 'x'.repeat(510 * 1024) } })] }, 413, 'PARSE_ERROR'],
        ['too many events', { batch: Array.from({ length: 501 }, (_, i) => event(`m-${i}`, 'u')) }, 413, 'TOO_MANY_EVENTS'],
      ])('%s', async (_name, body, status, errorCode) => {
        const response = await postEvents(server, body);
        expect(response.status).toBe(status);
        expect(response.json.errorCode).toBe(errorCode);
        expect((await readStream(kinesis, stream)).flat()).toEqual([]);
      });

      it('400 with a reason per event when every event is invalid', async () => {
        const response = await postEvents(server, {
          batch: [
            event('no-user', 'u', { userId: undefined }),
            { event: 'no-id', userId: 'u' },
            event('wrong-type', 'u', { properties: 'x' }),
            event('too-big', 'u', { properties: { blob: 'x'.repeat(33 * 1024) } }),
            event('bad-time', 'u', { timestamp: 'tomorrow' }),
          ],
        });
        expect(response.status).toBe(400);
        expect(
          response.json.rejected.map((r: { index: number; messageId?: string; errorCode: string }) => [r.index, r.messageId, r.errorCode]),
        ).toEqual([
          [0, 'no-user', 'INVALID_EVENT'],
          [1, undefined, 'INVALID_EVENT'],
          [2, 'wrong-type', 'INVALID_EVENT'],
          [3, 'too-big', 'EVENT_TOO_LARGE'],
          [4, 'bad-time', 'INVALID_EVENT'],
        ]);
        expect((await readStream(kinesis, stream)).flat()).toEqual([]);
      });

      it('stores only the valid events of a mixed batch', async () => {
        const response = await postEvents(server, {
          batch: [event('good-1', 'u'), event('bad', 'u', { userId: 3 }), event('good-2', 'u')],
        });
        expect(response.status).toBe(200);
        expect(response.json).toMatchObject({ accepted: 2, rejected: [{ index: 1, messageId: 'bad' }] });
        expect((await readStream(kinesis, stream)).flat().map((r) => r.messageId)).toEqual(['good-1', 'good-2']);
      });
    });
  },
  {
    // Each test has a stream of its own (or a missing one); all stand for the stack's event stream.
    iam: { alias: (arn) => arn.replace(/:stream\/(events-\d+-\d+|no-such-stream)$/, ':stream/monoenv-events') },
  },
);
