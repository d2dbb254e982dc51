import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { writeFlagDocument } from '../../../domain/flags/flag-table';
import { createFlagHandler } from '../../../lambdas/flag-evaluation/handler';
import type { FunctionUrlEvent, FunctionUrlResult } from '../../../lambdas/shared/function-url';
import { createPkSkTable, describeWithMoto, motoClientConfig, useFunctionEnvironment } from '../../support/moto';
import { fixtureDocument } from '../../support/flag-fixtures';

/** The Lambda entry point as deployed, configured only through its environment, against moto. */
describeWithMoto(
  'flag Lambda handler (function URL event) on moto',
  (moto) => {
    // The production stack's names and the function's own credentials: the suite ends with an IAM evaluation of its calls.
    const table = 'monoenv-flags';
    const stream = 'monoenv-events';
    let handler: (event: FunctionUrlEvent) => Promise<FunctionUrlResult>;
    let restoreEnv: () => void = () => undefined;
    const metricLines: string[] = [];

    const event = (path: string, body: unknown, headers: Record<string, string> = {}): FunctionUrlEvent => ({
      rawPath: path,
      headers: { 'content-type': 'application/json', 'x-api-key': 'server-secret', ...headers },
      body: JSON.stringify(body),
      requestContext: { http: { method: 'POST', sourceIp: '127.0.0.1' } },
    });

    beforeAll(async () => {
      const config = motoClientConfig(moto().endpoint);
      const dynamo = new DynamoDBClient(config);
      await createPkSkTable(dynamo, table);
      await writeFlagDocument(DynamoDBDocumentClient.from(dynamo), table, fixtureDocument());
      await new KinesisClient({ ...config, requestHandler: new NodeHttpHandler() }).send(
        new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }),
      );

      // The SDK's own settings come from the process environment, as in Lambda.
      restoreEnv = useFunctionEnvironment(moto().endpoint, 'monoenv-flags-evaluate');
      handler = createFlagHandler(
        {
          FLAGS_TABLE: table,
          EVENT_STREAM_NAME: stream,
          API_KEYS_JSON: JSON.stringify({ server: ['server-secret'], client: [] }),
          CORS_ALLOW_ORIGINS: 'https://shop.example.com',
        },
        { writeLine: (line) => metricLines.push(line) },
      );
    });
    afterAll(() => {
      restoreEnv();
    });

    it('evaluates a flag from the table', async () => {
      const result = await handler(event('/ofrep/v1/evaluate/flags/number-flag', { context: {} }));
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body)).toMatchObject({ key: 'number-flag', value: 100, variant: 'big' });
      // One EMF line per request, to stdout in Lambda.
      expect(JSON.parse(metricLines[metricLines.length - 1])).toMatchObject({
        Route: 'single',
        Evaluations: 1,
        EvaluationErrors: 0,
        _aws: { CloudWatchMetrics: [{ Namespace: 'Monoenv/Flags' }] },
      });
    });

    it('refuses a wrong key with 403 and adds CORS headers for an allowed origin', async () => {
      const result = await handler(event('/ofrep/v1/evaluate/flags', {}, { 'x-api-key': 'guess', origin: 'https://shop.example.com' }));
      expect(result.statusCode).toBe(403);
      expect(result.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    });

    it('writes exposures of experiment flags to the event stream, partitioned by user', async () => {
      const result = await handler(event('/ofrep/v1/evaluate/flags/experiment-flag', { context: { targetingKey: 'user-42' } }));
      const variant = JSON.parse(result.body).variant;
      const kinesis = new KinesisClient({ ...motoClientConfig(moto().endpoint), requestHandler: new NodeHttpHandler() });
      const shard = (await kinesis.send(new DescribeStreamCommand({ StreamName: stream }))).StreamDescription?.Shards?.[0]?.ShardId;
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({ StreamName: stream, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const records = (await kinesis.send(new GetRecordsCommand({ ShardIterator }))).Records ?? [];
      expect(records).toHaveLength(1);
      expect(records[0].PartitionKey).toBe('user-42');
      expect(JSON.parse(Buffer.from(records[0].Data as Uint8Array).toString())).toMatchObject({
        type: 'exposure',
        event: '$exposure',
        userKey: 'user-42',
        featureFlags: [{ 'feature_flag.key': 'experiment-flag', 'feature_flag.result.variant': variant }],
      });
    });
  },
  { iam: {} },
);
