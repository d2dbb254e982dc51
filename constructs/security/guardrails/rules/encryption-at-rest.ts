/** Encryption at rest (and log retention) for data-holding services other than S3. */
import type { GuardrailRule } from '../rule';
import { firstBlock, isExpression, isSet, isTrueOrUnknown } from '../values';

export const dynamodbEncryption: GuardrailRule = {
  id: 'MONO-DDB-1',
  description: 'DynamoDB tables are encrypted at rest with a KMS key.',
  fix: 'Set serverSideEncryption: { enabled: true } (optionally with kmsKeyArn for a customer managed key).',
  appliesTo: ['aws_dynamodb_table'],
  check: ({ config }) =>
    isTrueOrUnknown(firstBlock(config.server_side_encryption)?.enabled) ? [] : ['server_side_encryption.enabled is not true'],
};

export const kinesisEncryption: GuardrailRule = {
  id: 'MONO-KIN-1',
  description: 'Kinesis data streams are encrypted at rest with KMS.',
  fix: "Set encryptionType: 'KMS' and kmsKeyId (e.g. 'alias/aws/kinesis').",
  appliesTo: ['aws_kinesis_stream'],
  check: ({ config }) => {
    if (config.encryption_type !== 'KMS' && !isExpression(config.encryption_type))
      return [`encryption_type is ${JSON.stringify(config.encryption_type ?? 'NONE')}, not "KMS"`];
    return isSet(config.kms_key_id) ? [] : ['kms_key_id is not set'];
  },
};

export const firehoseEncryption: GuardrailRule = {
  id: 'MONO-FH-1',
  description: 'Firehose delivery streams encrypt data at rest.',
  fix: 'Set serverSideEncryption: { enabled: true }, or read from an encrypted Kinesis stream, or set kmsKeyArn on the S3 destination.',
  appliesTo: ['aws_kinesis_firehose_delivery_stream'],
  check: ({ config }) => {
    const encrypted =
      isTrueOrUnknown(firstBlock(config.server_side_encryption)?.enabled) ||
      // With a Kinesis source, Firehose cannot encrypt itself: the source stream's encryption (MONO-KIN-1) applies.
      isSet(config.kinesis_source_configuration) ||
      isSet(firstBlock(config.extended_s3_configuration)?.kms_key_arn);
    return encrypted ? [] : ['neither server_side_encryption, a Kinesis source, nor an S3 destination kms_key_arn is set'];
  },
};

export const snsEncryption: GuardrailRule = {
  id: 'MONO-SNS-1',
  description: 'SNS topics are encrypted at rest with KMS.',
  fix: "Set kmsMasterKeyId (e.g. 'alias/aws/sns' or a customer managed key).",
  appliesTo: ['aws_sns_topic'],
  check: ({ config }) => (isSet(config.kms_master_key_id) ? [] : ['kms_master_key_id is not set']),
};

export const logGroupRetention: GuardrailRule = {
  id: 'MONO-LOG-1',
  description: 'CloudWatch log groups have a retention period (KMS encryption is optional).',
  fix: 'Set retentionInDays (e.g. 30, 90 or 365).',
  appliesTo: ['aws_cloudwatch_log_group'],
  check: ({ config }) => {
    const days = config.retention_in_days;
    if (!isSet(days)) return ['retention_in_days is not set, so logs are kept forever'];
    return days === 0 ? ['retention_in_days is 0, which means logs are kept forever'] : [];
  },
};
