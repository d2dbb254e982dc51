import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import { KinesisFirehoseDeliveryStream } from '@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { TerraformVariable } from 'cdktf';
import { findingsOf } from '../../../support/guardrails-harness';

const table = { name: 'events', hashKey: 'pk', attribute: [{ name: 'pk', type: 'S' }] };
const s3Destination = { roleArn: 'arn:aws:iam::111111111111:role/firehose', bucketArn: 'arn:aws:s3:::lake' };

describe('MONO-DDB-1 DynamoDB encryption', () => {
  it('passes a table with server-side encryption', () => {
    expect(findingsOf('MONO-DDB-1', (s) => new DynamodbTable(s, 'Table', { ...table, serverSideEncryption: { enabled: true } }))).toEqual(
      [],
    );
  });
  it('flags a table without it', () => {
    expect(findingsOf('MONO-DDB-1', (s) => new DynamodbTable(s, 'Table', table))).toEqual([
      'test/Table: server_side_encryption.enabled is not true',
    ]);
  });
  it('treats an unresolved value as set', () => {
    expect(
      findingsOf('MONO-DDB-1', (s) => {
        const enabled = new TerraformVariable(s, 'sse', { type: 'bool' });
        new DynamodbTable(s, 'Table', { ...table, serverSideEncryption: { enabled: enabled.booleanValue } });
      }),
    ).toEqual([]);
  });
});

describe('MONO-KIN-1 Kinesis encryption', () => {
  it('passes a KMS-encrypted stream', () => {
    expect(
      findingsOf(
        'MONO-KIN-1',
        (s) => new KinesisStream(s, 'Stream', { name: 'events', encryptionType: 'KMS', kmsKeyId: 'alias/aws/kinesis' }),
      ),
    ).toEqual([]);
  });
  it('flags an unencrypted stream', () => {
    expect(findingsOf('MONO-KIN-1', (s) => new KinesisStream(s, 'Stream', { name: 'events' }))).toEqual([
      'test/Stream: encryption_type is "NONE", not "KMS"',
    ]);
  });
});

describe('MONO-FH-1 Firehose encryption', () => {
  it('passes a stream with server-side encryption, and one whose S3 destination uses KMS', () => {
    expect(
      findingsOf('MONO-FH-1', (s) => {
        new KinesisFirehoseDeliveryStream(s, 'Sse', {
          name: 'a',
          destination: 'extended_s3',
          extendedS3Configuration: s3Destination,
          serverSideEncryption: { enabled: true },
        });
        new KinesisFirehoseDeliveryStream(s, 'Kms', {
          name: 'b',
          destination: 'extended_s3',
          extendedS3Configuration: { ...s3Destination, kmsKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/k' },
        });
      }),
    ).toEqual([]);
  });
  it('flags a stream with neither', () => {
    expect(
      findingsOf(
        'MONO-FH-1',
        (s) =>
          new KinesisFirehoseDeliveryStream(s, 'Plain', { name: 'c', destination: 'extended_s3', extendedS3Configuration: s3Destination }),
      ),
    ).toEqual([expect.stringMatching(/^test\/Plain: neither server_side_encryption/)]);
  });
});

describe('MONO-SNS-1 SNS encryption', () => {
  it('passes a topic with a KMS key', () => {
    expect(findingsOf('MONO-SNS-1', (s) => new SnsTopic(s, 'Topic', { name: 'alerts', kmsMasterKeyId: 'alias/aws/sns' }))).toEqual([]);
  });
  it('flags a topic without one', () => {
    expect(findingsOf('MONO-SNS-1', (s) => new SnsTopic(s, 'Topic', { name: 'alerts' }))).toEqual([
      'test/Topic: kms_master_key_id is not set',
    ]);
  });
});

describe('MONO-LOG-1 log retention', () => {
  it('passes a log group with a retention', () => {
    expect(findingsOf('MONO-LOG-1', (s) => new CloudwatchLogGroup(s, 'Logs', { name: 'app', retentionInDays: 30 }))).toEqual([]);
  });
  it('flags a missing retention and a retention of 0 (forever)', () => {
    expect(
      findingsOf('MONO-LOG-1', (s) => {
        new CloudwatchLogGroup(s, 'Unset', { name: 'a' });
        new CloudwatchLogGroup(s, 'Zero', { name: 'b', retentionInDays: 0 });
      }),
    ).toEqual([
      'test/Unset: retention_in_days is not set, so logs are kept forever',
      'test/Zero: retention_in_days is 0, which means logs are kept forever',
    ]);
  });
});
