import { TerraformResource } from 'cdktf';
import type { IConstruct } from 'constructs';
import type { AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';

/** Services the production stack uses, each pointed at the local AWS for the `local` target. */
const LOCAL_SERVICES = [
  'acm',
  'apigatewayv2',
  'applicationautoscaling',
  'athena',
  'cloudwatch',
  'cloudwatchevents',
  'cloudwatchlogs',
  'dynamodb',
  'ec2',
  'ecr',
  'ecs',
  'elbv2',
  'firehose',
  'glue',
  'iam',
  'inspector2',
  'kinesis',
  'kms',
  'lambda',
  's3',
  'scheduler',
  'secretsmanager',
  'sns',
  'sqs',
  'ssm',
  'sts',
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

/**
 * Attributes the local AWS does not store, or reports back differently from what it was given. Without ignoring
 * them, every `terraform plan` after `npm start`'s apply would show changes that are moto's, not the config's;
 * the AWS target keeps full drift detection.
 */
export const MOTO_DRIFT: Readonly<Record<string, readonly string[]>> = {
  aws_ecs_service: ['desired_count', 'availability_zone_rebalancing', 'enable_ecs_managed_tags', 'health_check_grace_period_seconds'],
  aws_kinesis_stream: ['tags', 'tags_all'],
  aws_lambda_function: ['logging_config'],
  aws_vpc_security_group_egress_rule: ['description'],
  aws_vpc_security_group_ingress_rule: ['description'],
};

/** Adds `lifecycle.ignore_changes` for MOTO_DRIFT to every such resource under `scope` (the local target only). */
export function ignoreLocalDrift(scope: IConstruct): void {
  for (const node of scope.node.findAll()) {
    if (!TerraformResource.isTerraformResource(node)) continue;
    const attributes = MOTO_DRIFT[node.terraformResourceType];
    if (attributes) node.addOverride('lifecycle.ignore_changes', [...attributes]);
  }
}
