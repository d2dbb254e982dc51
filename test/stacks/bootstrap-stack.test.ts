import { Testing } from 'cdktf';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { parseConfig } from '../../config/load';
import { BootstrapStack } from '../../stacks/bootstrap-stack';
import { SYNTH_DAY } from '../support/clock';
import { testApp } from '../support/temp';

Testing.setupJest();

const config = parseConfig({ appName: 'shop', region: 'eu-west-1', github: { repository: 'acme/shop' } });

function synth(overrides: Partial<ConstructorParameters<typeof BootstrapStack>[2]> = {}) {
  const app = testApp();
  const stack = new BootstrapStack(app, 'bootstrap', {
    config,
    localStatePath: 'terraform.bootstrap.tfstate',
    guardrails: { report: () => undefined, now: SYNTH_DAY },
    ...overrides,
  });
  const json = Testing.synth(stack);
  return { json, parsed: JSON.parse(json) };
}

describe('BootstrapStack', () => {
  it('creates a versioned, encrypted, private state bucket that refuses plain HTTP', () => {
    const { json, parsed } = synth();
    expect(parsed.resource.aws_s3_bucket.state).toMatchObject({ bucket: 'shop-terraform-state', lifecycle: { prevent_destroy: true } });
    expect(json).toHaveResourceWithProperties(S3BucketVersioningA, { versioning_configuration: { status: 'Enabled' } });
    expect(json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms' }, bucket_key_enabled: true }],
    });
    expect(json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const policy = JSON.parse(parsed.resource.aws_s3_bucket_policy['state-tls-only'].policy);
    expect(policy.Statement[0]).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  it('trusts only the configured repository main branch, with aud sts.amazonaws.com, through GitHub OIDC', () => {
    const { json, parsed } = synth();
    expect(json).toHaveResourceWithProperties(IamOpenidConnectProvider, {
      url: 'https://token.actions.githubusercontent.com',
      client_id_list: ['sts.amazonaws.com'],
    });
    expect(json).toHaveResourceWithProperties(IamRole, { name: 'shop-deploy' });
    const trust = JSON.parse(parsed.resource.aws_iam_role['deploy-role'].assume_role_policy);
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0]).toEqual({
      Effect: 'Allow',
      Principal: { Federated: '${aws_iam_openid_connect_provider.github-oidc.arn}' },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': 'repo:acme/shop:ref:refs/heads/main',
        },
      },
    });
    // IAM is limited to the app's own roles.
    const iam = JSON.parse(parsed.resource.aws_iam_role_policy['deploy-iam'].policy);
    expect(iam.Statement[0].Resource).toEqual(['arn:aws:iam::${data.aws_caller_identity.account.account_id}:role/shop-*']);
    expect(parsed.output.deploy_role_arn.value).toBe('${aws_iam_role.deploy-role.arn}');
  });

  it('creates the permissions boundaries: the deploy role carries its own, and may create roles only with the workload one', () => {
    const { parsed } = synth();
    expect(parsed.resource.aws_iam_policy['workload-boundary']).toMatchObject({ name: 'shop-workload-boundary' });
    expect(parsed.resource.aws_iam_policy['deploy-boundary']).toMatchObject({ name: 'shop-deploy-boundary' });
    expect(parsed.resource.aws_iam_role['deploy-role'].permissions_boundary).toBe('${aws_iam_policy.deploy-boundary.arn}');
    const workload = JSON.parse(parsed.resource.aws_iam_policy['workload-boundary'].policy);
    expect(workload.Statement.find((s: { Effect: string }) => s.Effect === 'Deny')).toMatchObject({
      Action: expect.arrayContaining(['iam:*', 'sts:AssumeRole']),
    });
    const iam = JSON.parse(parsed.resource.aws_iam_role_policy['deploy-iam'].policy);
    expect(iam.Statement[0]).toMatchObject({
      Action: expect.arrayContaining(['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy']),
      Condition: {
        StringEquals: {
          'iam:PermissionsBoundary': 'arn:aws:iam::${data.aws_caller_identity.account.account_id}:policy/shop-workload-boundary',
        },
      },
    });
    expect(parsed.output.workload_boundary_arn.value).toBe('${aws_iam_policy.workload-boundary.arn}');
  });

  it('keeps its own state locally at the given path and tags everything with the owner', () => {
    const { parsed } = synth();
    expect(parsed.terraform.backend.local.path).toBe('terraform.bootstrap.tfstate');
    expect(parsed.provider.aws[0].default_tags[0].tags).toMatchObject({ domain: 'platform', team: 'platform', app: 'shop' });
  });

  it('can reuse an existing OIDC provider', () => {
    const { parsed } = synth({ createOidcProvider: false });
    expect(parsed.resource.aws_iam_openid_connect_provider).toBeUndefined();
    expect(parsed.resource.aws_iam_role['deploy-role'].assume_role_policy).toContain('oidc-provider/token.actions.githubusercontent.com');
  });

  it('refuses to build a deploy role without a repository to trust', () => {
    expect(() => new BootstrapStack(testApp(), 'b', { config: parseConfig({}) })).toThrow(/config\.github\.repository/);
  });

  it('matches the snapshot', () => {
    expect(synth().json).toMatchSnapshot();
  });
});
