/** S3 buckets: server-side encryption and blocked public access, both configured by separate resources in the stack. */
import type { GuardrailRule } from '../rule';
import { refersTo } from '../stack-view';
import { isSet, isTrueOrUnknown } from '../values';

export const s3Encryption: GuardrailRule = {
  id: 'MONO-S3-1',
  description: 'S3 buckets have a server-side encryption configuration.',
  fix: 'Add an S3BucketServerSideEncryptionConfigurationA (aws_s3_bucket_server_side_encryption_configuration) with bucket: <bucket>.id.',
  appliesTo: ['aws_s3_bucket'],
  check: (bucket, stack) => {
    if (isSet(bucket.config.server_side_encryption_configuration)) return []; // the deprecated inline block still encrypts
    const configured = stack
      .resources('aws_s3_bucket_server_side_encryption_configuration')
      .some((sse) => refersTo(sse.config.bucket, bucket, 'bucket'));
    return configured ? [] : ['no aws_s3_bucket_server_side_encryption_configuration refers to this bucket'];
  },
};

const PUBLIC_ACCESS_FLAGS = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'] as const;

export const s3PublicAccessBlock: GuardrailRule = {
  id: 'MONO-S3-2',
  description: 'S3 buckets block all public access.',
  fix: 'Add an S3BucketPublicAccessBlock with bucket: <bucket>.id and blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.',
  appliesTo: ['aws_s3_bucket'],
  check: (bucket, stack) => {
    const blocks = stack.resources('aws_s3_bucket_public_access_block').filter((pab) => refersTo(pab.config.bucket, bucket, 'bucket'));
    if (blocks.length === 0) return ['no aws_s3_bucket_public_access_block refers to this bucket'];
    const complete = blocks.find((pab) => PUBLIC_ACCESS_FLAGS.every((flag) => isTrueOrUnknown(pab.config[flag])));
    if (complete) return [];
    const missing = PUBLIC_ACCESS_FLAGS.filter((flag) => !isTrueOrUnknown(blocks[0].config[flag]));
    return [`${blocks[0].address} leaves ${missing.join(', ')} not true`];
  },
};
