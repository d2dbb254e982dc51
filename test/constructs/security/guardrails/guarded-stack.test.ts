import { join } from 'node:path';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { App, Aspects, TerraformStack } from 'cdktf';
import { Guardrails } from '../../../../constructs/security/guardrails';
import { SYNTH_DAY } from '../../../support/clock';
import { describeNeeding } from '../../../support/needs';
import { tempDir } from '../../../support/temp';
import { validateSynthesizedStack } from '../../../support/terraform';

/** The guardrails' compliant shapes must also be valid Terraform for the provider version in the mirror. */
describeNeeding(['terraform'], 'a stack that passes the guardrails', () => {
  it('synthesizes and passes terraform validate with the mirrored provider', async () => {
    const app = new App({ outdir: tempDir('monoenv-synth-') });
    const stack = new TerraformStack(app, 'prod');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const bucket = new S3Bucket(stack, 'Lake', { bucketPrefix: 'lake-' });
    new S3BucketServerSideEncryptionConfigurationA(stack, 'LakeSse', {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }],
    });
    new S3BucketPublicAccessBlock(stack, 'LakePab', {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const table = new DynamodbTable(stack, 'Flags', {
      name: 'flags',
      hashKey: 'pk',
      billingMode: 'PAY_PER_REQUEST',
      attribute: [{ name: 'pk', type: 'S' }],
      serverSideEncryption: { enabled: true },
    });
    new SnsTopic(stack, 'Alerts', { name: 'alerts', kmsMasterKeyId: 'alias/aws/sns' });
    new EcrRepository(stack, 'Images', { name: 'app', imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: true } });
    const policy = new DataAwsIamPolicyDocument(stack, 'ReadFlags', {
      statement: [{ actions: ['dynamodb:GetItem', 'dynamodb:Query'], resources: [table.arn] }],
    });
    const role = new IamRole(stack, 'FnRole', {
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
      inlinePolicy: [{ name: 'read-flags', policy: policy.json }],
    });
    const fn = new LambdaFunction(stack, 'Evaluate', {
      functionName: 'evaluate',
      role: role.arn,
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      filename: 'fn.zip',
      timeout: 10,
      reservedConcurrentExecutions: 20,
    });
    new CloudwatchLogGroup(stack, 'EvaluateLogs', { name: `/aws/lambda/${fn.functionName}`, retentionInDays: 30 });
    // The public front door: an HTTP API with a throttled stage, and one grant scoped to that API.
    const api = new Apigatewayv2Api(stack, 'Api', { name: 'flags', protocolType: 'HTTP' });
    const integration = new Apigatewayv2Integration(stack, 'ApiEvaluate', {
      apiId: api.id,
      integrationType: 'AWS_PROXY',
      integrationUri: fn.invokeArn,
      payloadFormatVersion: '2.0',
    });
    new Apigatewayv2Route(stack, 'ApiRoute', {
      apiId: api.id,
      routeKey: 'POST /ofrep/v1/evaluate/flags',
      target: `integrations/${integration.id}`,
    });
    new Apigatewayv2Stage(stack, 'ApiStage', {
      apiId: api.id,
      name: '$default',
      autoDeploy: true,
      defaultRouteSettings: { throttlingBurstLimit: 50, throttlingRateLimit: 100 },
    });
    new LambdaPermission(stack, 'ApiInvoke', {
      action: 'lambda:InvokeFunction',
      functionName: fn.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${api.executionArn}/*/*`,
    });
    // A generated secret that never reaches state: an ephemeral password (a raw block: cdktf has no class) into a write-only argument.
    stack.addOverride('ephemeral.aws_secretsmanager_random_password.api_key', { password_length: 40, exclude_punctuation: true });
    const secret = new SecretsmanagerSecret(stack, 'ApiKeys', { name: 'flags-api-keys' });
    new SecretsmanagerSecretVersion(stack, 'ApiKeysInitial', {
      secretId: secret.id,
      secretStringWo: '${ephemeral.aws_secretsmanager_random_password.api_key.random_password}',
      secretStringWoVersion: 1,
    });
    // A fixed day for the runtime calendar, so that the test does not change verdict as runtimes age.
    const guardrails = new Guardrails({ now: SYNTH_DAY, report: () => undefined });
    Aspects.of(stack).add(guardrails);

    app.synth();
    expect(guardrails.findings).toEqual([]);

    const result = await validateSynthesizedStack(join(app.outdir, 'stacks', 'prod'), { projectDir: tempDir('monoenv-project-') });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.valid).toBe(true);
  });
});
