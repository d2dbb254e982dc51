import type { AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';

/** Services the production stack uses, each pointed at the local AWS for the `local` target. */
const LOCAL_SERVICES = [
  'acm', 'apigatewayv2', 'applicationautoscaling', 'athena', 'cloudwatch', 'cloudwatchevents', 'cloudwatchlogs', 'dynamodb', 'ec2', 'ecr', 'ecs',
  'elbv2', 'firehose', 'glue', 'iam', 'inspector2', 'kinesis', 'kms', 'lambda', 's3', 'scheduler', 'secretsmanager', 'sns', 'sqs', 'ssm', 'sts',
] as const;

/**
 * Provider settings for a local AWS (moto on loopback): every endpoint to it, test credentials, and the
 * account/region checks that need real AWS turned off. STS stays on (moto answers it) because ECR
 * scanning configuration and security-group rules misbehave without the account id.
 */
export function localAwsProviderConfig(endpoint: string, region: string): AwsProviderConfig {
  if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(endpoint)) {
    throw new Error(`local AWS endpoint must be http on loopback, got '${endpoint}'`);
  }
  return {
    region,
    accessKey: 'testing',
    secretKey: 'testing',
    s3UsePathStyle: true,
    skipCredentialsValidation: true,
    skipMetadataApiCheck: 'true',
    skipRegionValidation: true,
    skipRequestingAccountId: false,
    endpoints: [Object.fromEntries(LOCAL_SERVICES.map((service) => [service, endpoint]))],
  };
}
