import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { OFREPApi } from '@openfeature/ofrep-core';
import { loadFlagDir } from '../../domain/flags/flag-files';
import { buildReport } from '../../cli/experiment/report';
import { kinesisExposureSink } from '../../lambdas/flag-evaluation/kinesis-exposures';
import { createOfrepHandler } from '../../lambdas/flag-evaluation/ofrep';
import { createIngestHandler } from '../../lambdas/ingest/ingest-api';
import { kinesisEventWriter } from '../../lambdas/ingest/kinesis-writer';
import { readExperimentSummary } from '../../domain/experiments/experiment-table';
import { createHandler } from '../../lambdas/journey-processor/handler';
import { loadJourneys } from '../../domain/journeys/journey-schema';
import type { KinesisRecordLike } from '../../lambdas/journey-processor/processor';
import { staticApiKeys } from '../../lambdas/shared/api-keys';
import { serveHttp, type RunningServer } from '../../lambdas/shared/node-http';
import { manualClock } from '../support/clock';
import { createPkSkTable, describeWithMoto, functionClientConfig, motoClientConfig } from '../support/moto';
import { REPO_ROOT } from '../support/paths';

// The whole measurement loop against Kinesis and DynamoDB on moto: flags evaluated over OFREP record
// exposures on the stream, product events are posted to the ingestion API, the stream is read back and
// processed by the journey processor, and the experiment report is computed from what it wrote.
const root = REPO_ROOT;
// The production stack's names; each function plays with its own credentials, and the suite ends with an IAM
// evaluation of every call each made against the role the stack gives it.
const STREAM = 'monoenv-events';
const TABLE = 'monoenv-analytics';
const STREAM_KEY = 'arn:aws:kms:us-east-1:123456789012:key/0b0c0d0e-1111-2222-3333-444455556666';
// One injected clock for the flag server, ingestion and the processor: the test runs the same on any date.
const START = Date.parse('2026-11-25T10:00:00Z');

describeWithMoto(
  'flags -> exposures and events -> stream -> journey processor -> experiment report',
  (moto) => {
    let kinesis: KinesisClient;
    let documents: DynamoDBDocumentClient;
    let flagsServer: RunningServer;
    let ingestServer: RunningServer;
    const clock = manualClock(START);
    const functionClients = new Map<string, KinesisClient>();
    const asFunction = (name: string) => {
      if (!functionClients.has(name))
        functionClients.set(
          name,
          new KinesisClient({ ...functionClientConfig(moto().endpoint, name), requestHandler: new NodeHttpHandler() }),
        );
      return functionClients.get(name)!;
    };

    beforeAll(async () => {
      const config = motoClientConfig(moto().endpoint);
      kinesis = new KinesisClient({ ...config, requestHandler: new NodeHttpHandler() });
      const dynamo = new DynamoDBClient(config);
      documents = DynamoDBDocumentClient.from(dynamo);
      await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 2 }));
      for (let i = 0; i < 50; i++) {
        const status = (await kinesis.send(new DescribeStreamCommand({ StreamName: STREAM }))).StreamDescription?.StreamStatus;
        if (status === 'ACTIVE') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await createPkSkTable(dynamo, TABLE);
      const { set } = loadFlagDir(path.join(root, 'flags'));
      flagsServer = await serveHttp(
        createOfrepHandler({
          flags: async () => ({ set, stale: false, ageSeconds: 0 }),
          apiKeys: staticApiKeys({ server: ['flag-key'] }),
          exposures: kinesisExposureSink(STREAM, () => asFunction('monoenv-flags-evaluate')),
          now: clock.now,
        }),
      );
      ingestServer = await serveHttp(
        createIngestHandler({
          writer: kinesisEventWriter({ client: asFunction('monoenv-ingest'), streamName: STREAM }),
          apiKeys: staticApiKeys({ write: ['write-key'] }),
          now: clock.now,
        }),
      );
    }, 60000);

    afterAll(async () => {
      await flagsServer?.close();
      await ingestServer?.close();
      for (const client of functionClients.values()) client.destroy();
    });

    /** Read as the processor's event source mapping reads: with the processor's role. */
    async function readStream(): Promise<KinesisRecordLike[]> {
      const kinesis = asFunction('monoenv-journey-processor');
      const shards = (await kinesis.send(new ListShardsCommand({ StreamName: STREAM }))).Shards ?? [];
      const records: KinesisRecordLike[] = [];
      for (const shard of shards) {
        let iterator = (
          await kinesis.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))
        ).ShardIterator;
        while (iterator) {
          const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
          for (const r of out.Records ?? []) {
            records.push({ kinesis: { sequenceNumber: r.SequenceNumber!, data: Buffer.from(r.Data!).toString('base64') } });
          }
          if ((out.Records ?? []).length === 0) break;
          iterator = out.NextShardIterator;
        }
      }
      return records;
    }

    it('counts exposures and conversions per variant once, even when events are sent twice', async () => {
      const ofrep = new OFREPApi({ baseUrl: flagsServer.url, headers: [['Authorization', 'Bearer flag-key']] });
      const users = Array.from({ length: 60 }, (_, i) => `user-${i}`);
      const variantOf = new Map<string, string>();
      for (const user of users) {
        const { value } = await ofrep.postEvaluateFlag('new-checkout', { context: { targetingKey: user } });
        if (!('variant' in value)) throw new Error(`evaluation failed: ${JSON.stringify(value)}`);
        variantOf.set(user, value.variant as string);
      }
      const onUsers = users.filter((u) => variantOf.get(u) === 'on');
      expect(onUsers.length).toBeGreaterThan(10);
      expect(onUsers.length).toBeLessThan(50);

      // Everyone views the cart; users on the new checkout all buy, the others only every third one.
      const steps = ['cart_viewed', 'checkout_started', 'payment_submitted', 'order_completed'];
      // Exposures were stamped at START; the journeys happen in the minutes after, and are sent 10 minutes later.
      const start = START;
      clock.advance(10 * 60_000);
      const batch = users.flatMap((user, u) => {
        const buys = variantOf.get(user) === 'on' || u % 3 === 0;
        return (buys ? steps : steps.slice(0, 1)).map((event, s) => ({
          messageId: `${user}-${event}`,
          type: 'track',
          event,
          userId: user,
          timestamp: new Date(start + u * 1000 + s * 60_000 + 5_000).toISOString(),
          context: { featureFlags: [{ 'feature_flag.key': 'new-checkout', 'feature_flag.result.variant': variantOf.get(user) }] },
        }));
      });
      const post = (events: unknown[]) =>
        fetch(`${ingestServer.url}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer write-key' },
          body: JSON.stringify({ batch: events }),
        });
      const first = await post(batch);
      expect(first.status).toBe(200);
      expect((await first.json()).accepted).toBe(batch.length);
      // A client retry of the same events: stored again on the stream, counted once by the processor.
      expect((await (await post(batch.slice(0, 20))).json()).accepted).toBe(20);

      const records = await readStream();
      expect(records).toHaveLength(users.length + batch.length + 20);

      const lines: string[] = [];
      const processorDocuments = DynamoDBDocumentClient.from(
        new DynamoDBClient(functionClientConfig(moto().endpoint, 'monoenv-journey-processor')),
      );
      const failureQueueUrl = (
        await new SQSClient(motoClientConfig(moto().endpoint)).send(
          new CreateQueueCommand({ QueueName: 'monoenv-journey-processor-failures' }),
        )
      ).QueueUrl!;
      const process = createHandler({
        client: processorDocuments,
        tableName: TABLE,
        journeys: loadJourneys(path.join(root, 'journeys')),
        failureQueue: {
          client: new SQSClient(functionClientConfig(moto().endpoint, 'monoenv-journey-processor')),
          queueUrl: failureQueueUrl,
        },
        writeLine: (line) => lines.push(line),
        now: clock.now,
      });
      expect(await process({ Records: records })).toEqual({ batchItemFailures: [] });
      // A replay of the whole stream (e.g. after a failure) changes nothing.
      expect(await process({ Records: records })).toEqual({ batchItemFailures: [] });

      const metrics = lines.map((line) => JSON.parse(line));
      const total = (name: string, where: Record<string, string> = {}) =>
        metrics
          .filter((m) => Object.entries(where).every(([k, v]) => m[k] === v))
          .reduce((sum, m) => sum + (typeof m[name] === 'number' ? m[name] : Array.isArray(m[name]) ? m[name].length : 0), 0);
      expect(total('ExperimentExposure', { Flag: 'new-checkout', Variant: 'on' })).toBe(onUsers.length);
      expect(total('ExperimentExposure', { Flag: 'new-checkout', Variant: 'off' })).toBe(users.length - onUsers.length);
      const buyers = users.filter((u, i) => variantOf.get(u) === 'on' || i % 3 === 0).length;
      expect(total('JourneyCompleted', { Journey: 'checkout' })).toBe(buyers);
      for (const metric of metrics) {
        expect(JSON.stringify(metric._aws.CloudWatchMetrics[0].Dimensions)).not.toMatch(/user/i);
      }

      const summary = await readExperimentSummary(documents, TABLE, 'new-checkout');
      const on = summary.variants.find((v) => v.name === 'on')!;
      const off = summary.variants.find((v) => v.name === 'off')!;
      expect(on.users).toBe(onUsers.length);
      expect(on.metrics.checkout).toMatchObject({ n: onUsers.length, sum: onUsers.length });
      expect(off.metrics.checkout.sum).toBe(buyers - onUsers.length);

      const report = buildReport({ ...summary, control: 'off' }, { metric: 'checkout' });
      const [control, treatment] = report.metrics[0].variants;
      expect(control).toMatchObject({ variant: 'off', users: users.length - onUsers.length });
      expect(treatment).toMatchObject({ variant: 'on', users: onUsers.length, value: 1 });
      expect(treatment.verdict).toMatchObject({ code: 'increase', reliable: true });
    }, 120000);
  },
  {
    // With a customer managed key on the stream, as `encryption.kmsKeyArn` sets: producers need kms:GenerateDataKey and
    // the reader kms:Decrypt, which the local AWS never checks and the evaluation does.
    iam: {
      config: { encryption: { kmsKeyArn: STREAM_KEY } },
      keyOf: (arn) => (arn.endsWith(`:stream/${STREAM}`) ? STREAM_KEY : undefined),
    },
  },
);
