import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import type { TerraformStack } from 'cdktf';
import { findingsOf } from '../../../support/guardrails-harness';

const allBlocked = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
const sseRule = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }];

describe('MONO-S3-1 bucket encryption', () => {
  it('passes a bucket with an encryption configuration that references it', () => {
    expect(
      findingsOf('MONO-S3-1', (s) => {
        const bucket = new S3Bucket(s, 'Bucket', { bucketPrefix: 'logs-' });
        new S3BucketServerSideEncryptionConfigurationA(s, 'Sse', { bucket: bucket.id, rule: sseRule });
      }),
    ).toEqual([]);
  });
  it('passes a bucket whose configuration names it literally', () => {
    expect(
      findingsOf('MONO-S3-1', (s) => {
        new S3Bucket(s, 'Bucket', { bucket: 'monoenv-logs' });
        new S3BucketServerSideEncryptionConfigurationA(s, 'Sse', { bucket: 'monoenv-logs', rule: sseRule });
      }),
    ).toEqual([]);
  });
  it('flags a bucket when the only configuration is for another bucket', () => {
    expect(
      findingsOf('MONO-S3-1', (s) => {
        const other = new S3Bucket(s, 'Other', {});
        new S3Bucket(s, 'Bucket', {});
        new S3BucketServerSideEncryptionConfigurationA(s, 'Sse', { bucket: other.id, rule: sseRule });
      }),
    ).toEqual(['test/Bucket: no aws_s3_bucket_server_side_encryption_configuration refers to this bucket']);
  });
});

describe('MONO-S3-2 public access block', () => {
  const bucketWith = (blocked: Partial<typeof allBlocked> | undefined) => (s: TerraformStack) => {
    const bucket = new S3Bucket(s, 'Bucket', {});
    if (blocked) new S3BucketPublicAccessBlock(s, 'Pab', { bucket: bucket.id, ...blocked });
  };
  it('passes a bucket with all four settings true', () => {
    expect(findingsOf('MONO-S3-2', bucketWith(allBlocked))).toEqual([]);
  });
  it('flags a bucket without a public access block', () => {
    expect(findingsOf('MONO-S3-2', bucketWith(undefined))).toEqual([
      'test/Bucket: no aws_s3_bucket_public_access_block refers to this bucket',
    ]);
  });
  it('names the settings left open', () => {
    expect(findingsOf('MONO-S3-2', bucketWith({ ...allBlocked, ignorePublicAcls: false, restrictPublicBuckets: undefined }))).toEqual([
      'test/Bucket: aws_s3_bucket_public_access_block.Pab leaves ignore_public_acls, restrict_public_buckets not true',
    ]);
  });
});
