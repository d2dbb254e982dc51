import { join } from 'node:path';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { App, Aspects, TerraformStack } from 'cdktf';
import { Guardrails } from '../../constructs/guardrails';
import { skipReasonForTerraformTests, validateSynthesizedStack } from '../../cli/terraform/terraform';
import { tempDir } from '../support/temp';

const skipReason = skipReasonForTerraformTests();
if (skipReason) console.warn(skipReason);

/** The guardrails' compliant shapes must also be valid Terraform for the provider version in the mirror. */
(skipReason ? describe.skip : describe)('a stack that passes the guardrails', () => {
  it('synthesizes and passes terraform validate with the mirrored provider', async () => {
    const app = new App({ outdir: tempDir('monoenv-synth-') });
    const stack = new TerraformStack(app, 'prod');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const bucket = new S3Bucket(stack, 'Lake', { bucketPrefix: 'lake-' });
    new S3BucketServerSideEncryptionConfigurationA(stack, 'LakeSse', { bucket: bucket.id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }] });
    new S3BucketPublicAccessBlock(stack, 'LakePab', { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    const table = new DynamodbTable(stack, 'Flags', { name: 'flags', hashKey: 'pk', billingMode: 'PAY_PER_REQUEST', attribute: [{ name: 'pk', type: 'S' }], serverSideEncryption: { enabled: true } });
    new SnsTopic(stack, 'Alerts', { name: 'alerts', kmsMasterKeyId: 'alias/aws/sns' });
    new EcrRepository(stack, 'Images', { name: 'app', imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: true } });
    const policy = new DataAwsIamPolicyDocument(stack, 'ReadFlags', { statement: [{ actions: ['dynamodb:GetItem', 'dynamodb:Query'], resources: [table.arn] }] });
    const role = new IamRole(stack, 'FnRole', {
      assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
      inlinePolicy: [{ name: 'read-flags', policy: policy.json }],
    });
    const fn = new LambdaFunction(stack, 'Evaluate', { functionName: 'evaluate', role: role.arn, runtime: 'nodejs20.x', handler: 'index.handler', filename: 'fn.zip', timeout: 10 });
    new CloudwatchLogGroup(stack, 'EvaluateLogs', { name: `/aws/lambda/${fn.functionName}`, retentionInDays: 30 });
    const guardrails = new Guardrails({ report: () => undefined });
    Aspects.of(stack).add(guardrails);

    app.synth();
    expect(guardrails.findings).toEqual([]);

    const result = await validateSynthesizedStack(join(app.outdir, 'stacks', 'prod'), { projectDir: tempDir('monoenv-project-') });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.valid).toBe(true);
  });
});
