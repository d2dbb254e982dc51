import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createPkSkTable, describeWithMoto, motoClientConfig } from '../moto';
import { formatDenials, simulateCalls, startRecordingProxy, type PolicyDocument, type RecordingProxy } from '.';

const REGION = 'us-east-1';
const ARN = (service: string, resource: string) => `arn:aws:${service}:${REGION}:123456789012:${resource}`;
const FLAGS = ARN('dynamodb', 'table/flags');
const ANALYTICS = ARN('dynamodb', 'table/analytics');
const EVENTS = ARN('kinesis', 'stream/events');
const EXPOSURES = ARN('kinesis', 'stream/exposures');
const QUEUE = ARN('sqs', 'journey-failures');

describeWithMoto('recording proxy in front of moto, with real SDK clients', (moto) => {
  let proxy: RecordingProxy;
  let secretArn: string;
  let queueUrl: string;

  beforeAll(async () => {
    // Set up straight against moto, so only the calls under test go through the proxy.
    const setup = { ...motoClientConfig(moto().endpoint, REGION), requestHandler: new NodeHttpHandler() };
    const dynamo = new DynamoDBClient(setup);
    await createPkSkTable(dynamo, 'flags');
    await createPkSkTable(dynamo, 'analytics');
    const kinesis = new KinesisClient(setup);
    await kinesis.send(new CreateStreamCommand({ StreamName: 'events', ShardCount: 1 }));
    await kinesis.send(new CreateStreamCommand({ StreamName: 'exposures', ShardCount: 1 }));
    const secret = await new SecretsManagerClient(setup).send(new CreateSecretCommand({ Name: 'flags/api-keys', SecretString: '{}' }));
    secretArn = secret.ARN!;
    queueUrl = (await new SQSClient(setup).send(new CreateQueueCommand({ QueueName: 'journey-failures' }))).QueueUrl!;
    proxy = await startRecordingProxy({ target: moto().endpoint });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  // Clients as one Lambda would have them: its own access key id names it in the records.
  const clientConfig = (lambda: string) => ({
    endpoint: proxy.url,
    region: REGION,
    credentials: { accessKeyId: lambda, secretAccessKey: 'x' },
    requestHandler: new NodeHttpHandler(),
  });

  it('records each call with its principal, IAM actions and ARNs', async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig('flag-evaluation')));
    await doc.send(new PutCommand({ TableName: 'flags', Item: { pk: 'flag#a', sk: 'current', on: true } }));
    await doc.send(new GetCommand({ TableName: 'flags', Key: { pk: 'flag#a', sk: 'current' } }));
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { ConditionCheck: { TableName: 'flags', Key: { pk: 'flag#a', sk: 'current' }, ConditionExpression: 'attribute_exists(pk)' } },
          { Put: { TableName: 'analytics', Item: { pk: 'u#1', sk: 'progress', step: 1 } } },
          {
            Update: {
              TableName: 'analytics',
              Key: { pk: 'u#1', sk: 'count' },
              UpdateExpression: 'ADD n :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
          { Delete: { TableName: 'analytics', Key: { pk: 'u#1', sk: 'stale' } } },
        ],
      }),
    );
    await new SecretsManagerClient(clientConfig('flag-evaluation')).send(new GetSecretValueCommand({ SecretId: 'flags/api-keys' }));
    await new SQSClient(clientConfig('flag-evaluation')).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'failed' }));

    // Two streams, so GetRecords must be told apart by the iterator it carries.
    const kinesis = new KinesisClient(clientConfig('ingest'));
    const record = { Data: Buffer.from('{"type":"view"}'), PartitionKey: 'u#1' };
    await kinesis.send(new PutRecordsCommand({ StreamName: 'exposures', Records: [record] }));
    await kinesis.send(new PutRecordsCommand({ StreamName: 'events', Records: [record] }));
    const shards = await kinesis.send(new ListShardsCommand({ StreamName: 'events' }));
    const first = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: 'events', ShardId: shards.Shards![0].ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: first.ShardIterator! }));
    expect(page.Records).toHaveLength(1);
    await kinesis.send(new GetRecordsCommand({ ShardIterator: page.NextShardIterator! }));

    const calls = proxy.calls();
    expect(calls.filter((c) => c.unknown)).toEqual([]);
    expect(
      calls.map((c) => [c.principal, `${c.service}.${c.operation}`, c.authorizations.map((a) => `${a.action} ${a.resource}`)]),
    ).toEqual([
      ['flag-evaluation', 'dynamodb.PutItem', [`dynamodb:PutItem ${FLAGS}`]],
      ['flag-evaluation', 'dynamodb.GetItem', [`dynamodb:GetItem ${FLAGS}`]],
      [
        'flag-evaluation',
        'dynamodb.TransactWriteItems',
        [
          `dynamodb:ConditionCheckItem ${FLAGS}`,
          `dynamodb:PutItem ${ANALYTICS}`,
          `dynamodb:UpdateItem ${ANALYTICS}`,
          `dynamodb:DeleteItem ${ANALYTICS}`,
        ],
      ],
      // Asked for by name; recorded as the full ARN moto answered with.
      ['flag-evaluation', 'secretsmanager.GetSecretValue', [`secretsmanager:GetSecretValue ${secretArn}`]],
      ['flag-evaluation', 'sqs.SendMessage', [`sqs:SendMessage ${QUEUE}`]],
      ['ingest', 'kinesis.PutRecords', [`kinesis:PutRecords ${EXPOSURES}`]],
      ['ingest', 'kinesis.PutRecords', [`kinesis:PutRecords ${EVENTS}`]],
      ['ingest', 'kinesis.ListShards', [`kinesis:ListShards ${EVENTS}`]],
      ['ingest', 'kinesis.GetShardIterator', [`kinesis:GetShardIterator ${EVENTS}`]],
      ['ingest', 'kinesis.GetRecords', [`kinesis:GetRecords ${EVENTS}`]],
      ['ingest', 'kinesis.GetRecords', [`kinesis:GetRecords ${EVENTS}`]],
    ]);
    expect(secretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:flags\/api-keys-.{6}$/);
    expect(calls.every((c) => c.region === REGION && c.status === 200)).toBe(true);
  });

  it('simulates the recorded calls against the policies: one allowed, one denied', async () => {
    const policy = (...Statement: object[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
    const flagCalls = proxy
      .calls()
      .filter((c) => c.principal === 'flag-evaluation' && ['GetItem', 'TransactWriteItems'].includes(c.operation));
    const results = await simulateCalls({
      calls: flagCalls,
      identityPolicies: {
        // The journey-style transaction needs ConditionCheckItem on flags; this role forgot it.
        'flag-evaluation': [
          policy(
            { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: FLAGS },
            { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], Resource: ANALYTICS },
          ),
        ],
      },
    });
    expect(results.find((r) => r.operation === 'GetItem')).toMatchObject({
      action: 'dynamodb:GetItem',
      resource: FLAGS,
      decision: 'Allowed',
    });
    expect(formatDenials(results)).toBe(
      `flag-evaluation: dynamodb:ConditionCheckItem on ${FLAGS} (DynamoDB.TransactWriteItems) would be denied: no Allow in the role policy`,
    );
  });
});
