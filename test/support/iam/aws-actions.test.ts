import { iamServicePrefix, mapCall, type MappingContext } from './aws-actions';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const context = (): MappingContext => ({ accountId: ACCOUNT, region: REGION, kinesisTokens: new Map() });
const map = (service: string, operation: string, input: Record<string, unknown>, output?: Record<string, unknown>, ctx = context()) =>
  mapCall(service, { operation, input, output }, ctx);

const table = (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
const stream = (name: string) => `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`;

describe('DynamoDB', () => {
  it('authorizes single-table operations as dynamodb:<Operation> on the table', () => {
    expect(map('dynamodb', 'GetItem', { TableName: 'flags', Key: {} })).toEqual([{ action: 'dynamodb:GetItem', resource: table('flags') }]);
    expect(map('dynamodb', 'PutItem', { TableName: 'flags' })).toEqual([{ action: 'dynamodb:PutItem', resource: table('flags') }]);
    expect(map('dynamodb', 'Scan', { TableName: 'flags' })).toEqual([{ action: 'dynamodb:Scan', resource: table('flags') }]);
  });

  it('accepts a table ARN as TableName', () => {
    const arn = 'arn:aws:dynamodb:us-west-2:210987654321:table/other';
    expect(map('dynamodb', 'GetItem', { TableName: arn })).toEqual([{ action: 'dynamodb:GetItem', resource: arn }]);
  });

  it('authorizes Query on an index on the index ARN', () => {
    expect(map('dynamodb', 'Query', { TableName: 'analytics', IndexName: 'by-user' })).toEqual([
      { action: 'dynamodb:Query', resource: `${table('analytics')}/index/by-user` },
    ]);
    expect(map('dynamodb', 'Query', { TableName: 'analytics' })).toEqual([{ action: 'dynamodb:Query', resource: table('analytics') }]);
  });

  it("authorizes TransactWriteItems per item, as the single-item action on that item's table", () => {
    const items = [
      { Put: { TableName: 'analytics', Item: {} } },
      { Update: { TableName: 'analytics', Key: {}, UpdateExpression: 'SET a = :a' } },
      { Delete: { TableName: 'progress', Key: {} } },
      { ConditionCheck: { TableName: 'flags', Key: {}, ConditionExpression: 'attribute_exists(pk)' } },
    ];
    expect(map('dynamodb', 'TransactWriteItems', { TransactItems: items })).toEqual([
      { action: 'dynamodb:PutItem', resource: table('analytics') },
      { action: 'dynamodb:UpdateItem', resource: table('analytics') },
      { action: 'dynamodb:DeleteItem', resource: table('progress') },
      { action: 'dynamodb:ConditionCheckItem', resource: table('flags') },
    ]);
  });

  it('authorizes TransactGetItems as GetItem per item, and batches per table', () => {
    expect(
      map('dynamodb', 'TransactGetItems', { TransactItems: [{ Get: { TableName: 'a', Key: {} } }, { Get: { TableName: 'b', Key: {} } }] }),
    ).toEqual([
      { action: 'dynamodb:GetItem', resource: table('a') },
      { action: 'dynamodb:GetItem', resource: table('b') },
    ]);
    expect(map('dynamodb', 'BatchWriteItem', { RequestItems: { a: [], b: [] } })).toEqual([
      { action: 'dynamodb:BatchWriteItem', resource: table('a') },
      { action: 'dynamodb:BatchWriteItem', resource: table('b') },
    ]);
    expect(map('dynamodb', 'BatchGetItem', { RequestItems: { a: {} } })).toEqual([
      { action: 'dynamodb:BatchGetItem', resource: table('a') },
    ]);
  });

  it('does not guess: an unknown operation or a transaction item it cannot read is unmapped', () => {
    expect(map('dynamodb', 'ExecuteStatement', { Statement: 'SELECT 1' })).toEqual({
      unknown: expect.stringContaining('ExecuteStatement'),
    });
    expect(map('dynamodb', 'TransactWriteItems', { TransactItems: [{ Frob: { TableName: 'a' } }] })).toEqual({
      unknown: expect.stringContaining('Frob'),
    });
  });
});

describe('Kinesis', () => {
  it('authorizes on the stream named by StreamName or StreamARN', () => {
    expect(map('kinesis', 'PutRecords', { StreamName: 'events', Records: [] })).toEqual([
      { action: 'kinesis:PutRecords', resource: stream('events') },
    ]);
    const arn = 'arn:aws:kinesis:us-east-1:210987654321:stream/theirs';
    expect(map('kinesis', 'PutRecords', { StreamARN: arn, Records: [] })).toEqual([{ action: 'kinesis:PutRecords', resource: arn }]);
    expect(map('kinesis', 'ListShards', { StreamName: 'events' })).toEqual([{ action: 'kinesis:ListShards', resource: stream('events') }]);
  });

  it('attributes GetRecords to the stream whose GetShardIterator (or previous GetRecords) returned the iterator', () => {
    const ctx = context();
    map('kinesis', 'GetShardIterator', { StreamName: 'events', ShardId: 'shard-0' }, { ShardIterator: 'it-1' }, ctx);
    map('kinesis', 'GetShardIterator', { StreamName: 'other', ShardId: 'shard-0' }, { ShardIterator: 'it-other' }, ctx);
    expect(map('kinesis', 'GetRecords', { ShardIterator: 'it-1' }, { Records: [], NextShardIterator: 'it-2' }, ctx)).toEqual([
      { action: 'kinesis:GetRecords', resource: stream('events') },
    ]);
    expect(map('kinesis', 'GetRecords', { ShardIterator: 'it-2' }, { Records: [] }, ctx)).toEqual([
      { action: 'kinesis:GetRecords', resource: stream('events') },
    ]);
    expect(map('kinesis', 'GetRecords', { ShardIterator: 'it-other' }, undefined, ctx)).toEqual([
      { action: 'kinesis:GetRecords', resource: stream('other') },
    ]);
  });

  it('takes a StreamARN GetRecords names over the iterator map', () => {
    const arn = 'arn:aws:kinesis:us-east-1:210987654321:stream/theirs';
    expect(map('kinesis', 'GetRecords', { ShardIterator: 'from-elsewhere', StreamARN: arn })).toEqual([
      { action: 'kinesis:GetRecords', resource: arn },
    ]);
  });

  it('leaves GetRecords with an iterator it never saw unmapped rather than guessing a stream', () => {
    expect(map('kinesis', 'GetRecords', { ShardIterator: 'from-elsewhere' })).toEqual({
      unknown: expect.stringContaining('shard iterator'),
    });
  });

  it('follows ListShards pages by their NextToken', () => {
    const ctx = context();
    map('kinesis', 'ListShards', { StreamName: 'events' }, { Shards: [], NextToken: 'page-2' }, ctx);
    expect(map('kinesis', 'ListShards', { NextToken: 'page-2' }, {}, ctx)).toEqual([
      { action: 'kinesis:ListShards', resource: stream('events') },
    ]);
  });
});

describe('Secrets Manager', () => {
  const secret = (suffix: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${suffix}`;

  it('keeps a SecretId that is an ARN', () => {
    expect(map('secretsmanager', 'GetSecretValue', { SecretId: secret('flags/api-keys-AbCdEf') })).toEqual([
      { action: 'secretsmanager:GetSecretValue', resource: secret('flags/api-keys-AbCdEf') },
    ]);
  });

  it('resolves a name to the ARN the response names, else to the name-* pattern', () => {
    expect(
      map('secretsmanager', 'GetSecretValue', { SecretId: 'flags/api-keys' }, { ARN: secret('flags/api-keys-XyZ123'), SecretString: '{}' }),
    ).toEqual([{ action: 'secretsmanager:GetSecretValue', resource: secret('flags/api-keys-XyZ123') }]);
    expect(map('secretsmanager', 'GetSecretValue', { SecretId: 'flags/api-keys' }, { __type: 'ResourceNotFoundException' })).toEqual([
      { action: 'secretsmanager:GetSecretValue', resource: secret('flags/api-keys-*') },
    ]);
  });
});

describe('SQS', () => {
  const queue = `arn:aws:sqs:${REGION}:${ACCOUNT}:journey-failures`;

  it('builds the queue ARN from the QueueUrl (AWS or moto style)', () => {
    expect(
      map('sqs', 'SendMessage', { QueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/journey-failures`, MessageBody: 'x' }),
    ).toEqual([{ action: 'sqs:SendMessage', resource: queue }]);
    expect(map('sqs', 'ReceiveMessage', { QueueUrl: `http://127.0.0.1:5000/${ACCOUNT}/journey-failures` })).toEqual([
      { action: 'sqs:ReceiveMessage', resource: queue },
    ]);
  });

  it('authorizes batch operations as the single-message action', () => {
    expect(map('sqs', 'SendMessageBatch', { QueueUrl: `http://h/${ACCOUNT}/journey-failures`, Entries: [] })).toEqual([
      { action: 'sqs:SendMessage', resource: queue },
    ]);
    expect(map('sqs', 'DeleteMessageBatch', { QueueUrl: `http://h/${ACCOUNT}/journey-failures`, Entries: [] })).toEqual([
      { action: 'sqs:DeleteMessage', resource: queue },
    ]);
  });

  it('authorizes GetQueueUrl on the named queue, in the owner account when given', () => {
    expect(map('sqs', 'GetQueueUrl', { QueueName: 'journey-failures' })).toEqual([{ action: 'sqs:GetQueueUrl', resource: queue }]);
    expect(map('sqs', 'GetQueueUrl', { QueueName: 'q', QueueOwnerAWSAccountId: '999999999999' })).toEqual([
      { action: 'sqs:GetQueueUrl', resource: `arn:aws:sqs:${REGION}:999999999999:q` },
    ]);
  });
});

describe('image re-scan: ECR, ECS, Inspector2', () => {
  const repository = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/storefront/web`;

  it('authorizes ECR repository operations on the repository', () => {
    expect(map('ecr', 'DescribeRepositories', { repositoryNames: ['storefront/web'] })).toEqual([
      { action: 'ecr:DescribeRepositories', resource: repository },
    ]);
    expect(map('ecr', 'DescribeImages', { repositoryName: 'storefront/web', nextToken: 't' })).toEqual([
      { action: 'ecr:DescribeImages', resource: repository },
    ]);
    expect(map('ecr', 'StartImageScan', { repositoryName: 'storefront/web', imageId: { imageDigest: 'sha256:1' } })).toEqual([
      { action: 'ecr:StartImageScan', resource: repository },
    ]);
    expect(map('ecr', 'StartImageScan', { repositoryName: 'r', registryId: '210987654321', imageId: {} })).toEqual([
      { action: 'ecr:StartImageScan', resource: `arn:aws:ecr:${REGION}:210987654321:repository/r` },
    ]);
  });

  it('authorizes ECS reads on their tasks, narrowed by the ecs:cluster key', () => {
    const cluster = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/web`;
    expect(map('ecs', 'ListClusters', {})).toEqual([{ action: 'ecs:ListClusters', resource: '*' }]);
    expect(map('ecs', 'ListTasks', { cluster, desiredStatus: 'RUNNING' })).toEqual([
      {
        action: 'ecs:ListTasks',
        resource: `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/web/*`,
        context: { 'ecs:cluster': cluster },
      },
    ]);
    const taskArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/web/0123`;
    expect(map('ecs', 'DescribeTasks', { cluster: 'web', tasks: [taskArn, '4567'] })).toEqual([
      { action: 'ecs:DescribeTasks', resource: taskArn, context: { 'ecs:cluster': cluster } },
      { action: 'ecs:DescribeTasks', resource: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/web/4567`, context: { 'ecs:cluster': cluster } },
    ]);
    expect(map('ecs', 'DescribeServices', { services: ['api'] })).toEqual([
      {
        action: 'ecs:DescribeServices',
        resource: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/default/api`,
        context: { 'ecs:cluster': `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/default` },
      },
    ]);
  });

  it('authorizes Inspector2 ListCoverage on *', () => {
    expect(map('inspector2', 'ListCoverage', { filterCriteria: {} })).toEqual([{ action: 'inspector2:ListCoverage', resource: '*' }]);
  });
});

describe('other services', () => {
  it('maps CloudWatch (signed as monitoring) PutMetricData on * with its namespace key', () => {
    expect(iamServicePrefix('monitoring')).toBe('cloudwatch');
    expect(map('cloudwatch', 'PutMetricData', { Namespace: 'monoenv/flags' })).toEqual([
      { action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': 'monoenv/flags' } },
    ]);
  });

  it('maps STS GetCallerIdentity and SSM parameters', () => {
    expect(map('sts', 'GetCallerIdentity', {})).toEqual([{ action: 'sts:GetCallerIdentity', resource: '*' }]);
    expect(map('ssm', 'GetParameter', { Name: '/monoenv/x' })).toEqual([
      { action: 'ssm:GetParameter', resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/monoenv/x` },
    ]);
  });

  it('records a service it does not know as unmapped', () => {
    expect(map('lambda', 'Invoke', {})).toEqual({ unknown: 'service lambda is not mapped' });
    expect(map('', '', {})).toEqual({ unknown: 'service (unsigned request) is not mapped' });
  });
});
