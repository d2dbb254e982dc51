import { impliedKmsActions } from './implied-kms';
import { recordedCall, type Authorization } from './recorded-call';

const STREAM = 'arn:aws:kinesis:eu-west-1:123456789012:stream/events';
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:flags/api-keys-AbCdEf';
const QUEUE = 'arn:aws:sqs:eu-west-1:123456789012:journey-failures';
const TABLE = 'arn:aws:dynamodb:eu-west-1:123456789012:table/analytics';
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1111-2222';

const call = (...authorizations: Authorization[]) =>
  recordedCall({ principal: 'p', service: 'x', operation: 'Op', region: 'eu-west-1', status: 200 }, authorizations);

// Every resource above is encrypted with KEY except the ones listed as using AWS managed keys.
const keyOf =
  (awsManaged: string[] = []) =>
  (resource: string) =>
    awsManaged.includes(resource) ? undefined : KEY;

describe('impliedKmsActions', () => {
  it('Kinesis: writing needs GenerateDataKey and reading needs Decrypt on the stream key', () => {
    expect(impliedKmsActions(call({ action: 'kinesis:PutRecords', resource: STREAM }), keyOf())).toEqual([
      { action: 'kms:GenerateDataKey', resource: KEY },
    ]);
    expect(impliedKmsActions(call({ action: 'kinesis:GetRecords', resource: STREAM }), keyOf())).toEqual([
      { action: 'kms:Decrypt', resource: KEY },
    ]);
  });

  it('Secrets Manager: reading a secret needs Decrypt on its key', () => {
    expect(impliedKmsActions(call({ action: 'secretsmanager:GetSecretValue', resource: SECRET }), keyOf())).toEqual([
      { action: 'kms:Decrypt', resource: KEY },
    ]);
  });

  it('SQS: sending needs GenerateDataKey and Decrypt', () => {
    expect(impliedKmsActions(call({ action: 'sqs:SendMessage', resource: QUEUE }), keyOf())).toEqual([
      { action: 'kms:GenerateDataKey', resource: KEY },
      { action: 'kms:Decrypt', resource: KEY },
    ]);
  });

  it('DynamoDB: reads decrypt, writes also encrypt; an index uses its table key; one pair per key and action', () => {
    const transaction = call({ action: 'dynamodb:PutItem', resource: TABLE }, { action: 'dynamodb:UpdateItem', resource: TABLE });
    expect(impliedKmsActions(transaction, keyOf())).toEqual([
      { action: 'kms:Decrypt', resource: KEY },
      { action: 'kms:Encrypt', resource: KEY },
    ]);
    const asked: string[] = [];
    impliedKmsActions(call({ action: 'dynamodb:Query', resource: `${TABLE}/index/by-user` }), (resource) => {
      asked.push(resource);
      return KEY;
    });
    expect(asked).toEqual([TABLE]);
  });

  it('needs nothing for resources with AWS owned or managed keys, or actions that touch no data', () => {
    expect(impliedKmsActions(call({ action: 'kinesis:PutRecords', resource: STREAM }), keyOf([STREAM]))).toEqual([]);
    expect(impliedKmsActions(call({ action: 'kinesis:ListShards', resource: STREAM }), keyOf())).toEqual([]);
    expect(impliedKmsActions(call({ action: 'dynamodb:DescribeTable', resource: TABLE }), keyOf())).toEqual([]);
  });
});
