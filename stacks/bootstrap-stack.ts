import { Aspects, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import type { MonoenvConfig } from '../config/schema';
import { Guardrails, type GuardrailsOptions } from '../constructs/security/guardrails';
import { ownershipTags } from '../constructs/core/ownership';
import {
  boundaryArn,
  deployBoundaryDocument,
  deployBoundaryName,
  workloadBoundaryDocument,
  workloadBoundaryName,
} from '../constructs/security/permissions-boundary';

export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';

export interface BootstrapStackProps {
  readonly config: MonoenvConfig;
  /** Where this stack's own (local) state lives, relative to its output folder. @default 'terraform.bootstrap.tfstate' */
  readonly localStatePath?: string;
  /** Create the account's GitHub OIDC provider; turn off when the account already has one. @default true */
  readonly createOidcProvider?: boolean;
  /** Policy guardrails, as in the production stack. @default true - the monoenv rules, summary to stderr */
  readonly guardrails?: boolean | GuardrailsOptions;
}

/** The state bucket name the production stack's S3 backend uses. */
export const stateBucketName = (config: MonoenvConfig): string => config.state.bucket ?? `${config.appName}-terraform-state`;

/**
 * What must exist before the first `cdktf deploy production`: the remote-state bucket and the role GitHub
 * Actions assumes through OIDC (no stored AWS keys), trusted only for the configured repository's branch.
 * Applied once by hand with local state.
 */
export class BootstrapStack extends TerraformStack {
  readonly stateBucket: S3Bucket;
  readonly deployRole: IamRole;
  /** The boundary every role of the production stack carries; the deploy role cannot create a role without it. */
  readonly workloadBoundary: IamPolicy;
  /** The deploy role's own boundary. */
  readonly deployBoundary: IamPolicy;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id);
    const { config } = props;
    if (!config.github) {
      throw new Error('BootstrapStack: config.github.repository (owner/name) is required: it is the only repository trusted to deploy');
    }
    const tags = { ...config.tags, ...ownershipTags(config.ownership), app: config.appName, 'managed-by': 'monoenv' };
    new LocalBackend(this, { path: props.localStatePath ?? 'terraform.bootstrap.tfstate' });
    new AwsProvider(this, 'aws', { region: config.region, defaultTags: [{ tags }] });
    const account = new DataAwsCallerIdentity(this, 'account');

    const bucketName = stateBucketName(config);
    this.stateBucket = new S3Bucket(this, 'state', { bucket: bucketName, lifecycle: { preventDestroy: true } });
    new S3BucketVersioningA(this, 'state-versioning', { bucket: this.stateBucket.id, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'state-encryption', {
      bucket: this.stateBucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' }, bucketKeyEnabled: true }],
    });
    new S3BucketPublicAccessBlock(this, 'state-public-access', {
      bucket: this.stateBucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketPolicy(this, 'state-tls-only', {
      bucket: this.stateBucket.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [this.stateBucket.arn, `${this.stateBucket.arn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
    });

    const oidcProviderArn =
      props.createOidcProvider === false
        ? `arn:aws:iam::${account.accountId}:oidc-provider/token.actions.githubusercontent.com`
        : new IamOpenidConnectProvider(this, 'github-oidc', {
            url: GITHUB_OIDC_URL,
            clientIdList: ['sts.amazonaws.com'],
            // GitHub's published thumbprints; AWS verifies GitHub's certificate itself today, the field is kept for older accounts.
            thumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1', '1c58a3a8518e8759bf075b76b750d4f2df264fcd'],
          }).arn;

    const { repository, branch } = config.github;
    this.workloadBoundary = new IamPolicy(this, 'workload-boundary', {
      name: workloadBoundaryName(config.appName),
      description: `Permissions boundary of every role ${config.appName} deploys: its services, no IAM`,
      policy: JSON.stringify(workloadBoundaryDocument()),
    });
    this.deployBoundary = new IamPolicy(this, 'deploy-boundary', {
      name: deployBoundaryName(config.appName),
      description: `Permissions boundary of ${config.appName}-deploy: roles only with the workload boundary, boundaries fixed`,
      policy: JSON.stringify(deployBoundaryDocument(config.appName, account.accountId)),
    });
    Guardrails.acknowledge(
      this.workloadBoundary,
      'MONO-IAM-1',
      "a permissions boundary is a ceiling over services; each role's own policy names exact actions",
    );
    Guardrails.acknowledge(
      this.workloadBoundary,
      'MONO-IAM-2',
      "a permissions boundary is a ceiling over services; each role's own policy names exact resources",
    );
    Guardrails.acknowledge(
      this.deployBoundary,
      'MONO-IAM-1',
      'the deploy boundary allows everything but what it denies: roles without the workload boundary, boundary edits, changes to the deploy role',
    );
    Guardrails.acknowledge(
      this.deployBoundary,
      'MONO-IAM-2',
      'the deploy boundary allows everything but what it denies: roles without the workload boundary, boundary edits, changes to the deploy role',
    );
    const workloadBoundaryArn = boundaryArn(account.accountId, workloadBoundaryName(config.appName));
    const appRoles = `arn:aws:iam::${account.accountId}:role/${config.appName}-*`;

    this.deployRole = new IamRole(this, 'deploy-role', {
      name: `${config.appName}-deploy`,
      description: `Assumed by GitHub Actions in ${repository} (${branch} only) to deploy ${config.appName}`,
      maxSessionDuration: 3600,
      permissionsBoundary: this.deployBoundary.arn,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: oidcProviderArn },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: {
                'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                'token.actions.githubusercontent.com:sub': `repo:${repository}:ref:refs/heads/${branch}`,
              },
            },
          },
        ],
      }),
    });
    // Deploying creates most kinds of resource, so PowerUserAccess; IAM is limited to this app's own roles, and to
    // creating or changing them only with the workload boundary attached (AWS's delegation pattern).
    new IamRolePolicyAttachment(this, 'deploy-power-user', {
      role: this.deployRole.name,
      policyArn: 'arn:aws:iam::aws:policy/PowerUserAccess',
    });
    new IamRolePolicy(this, 'deploy-iam', {
      role: this.deployRole.id,
      name: 'app-scoped-iam',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AppRolesOnlyWithTheWorkloadBoundary',
            Effect: 'Allow',
            Action: [
              'iam:CreateRole',
              'iam:PutRolePolicy',
              'iam:DeleteRolePolicy',
              'iam:AttachRolePolicy',
              'iam:DetachRolePolicy',
              'iam:PutRolePermissionsBoundary',
            ],
            Resource: [appRoles],
            Condition: { StringEquals: { 'iam:PermissionsBoundary': workloadBoundaryArn } },
          },
          {
            Sid: 'ManageAppRoles',
            Effect: 'Allow',
            Action: [
              'iam:DeleteRole',
              'iam:GetRole',
              'iam:UpdateRole',
              'iam:UpdateRoleDescription',
              'iam:TagRole',
              'iam:UntagRole',
              'iam:ListRoleTags',
              'iam:GetRolePolicy',
              'iam:ListRolePolicies',
              'iam:ListAttachedRolePolicies',
              'iam:ListInstanceProfilesForRole',
              'iam:UpdateAssumeRolePolicy',
            ],
            Resource: [appRoles],
          },
          {
            Sid: 'PassAppRolesToTheirServices',
            Effect: 'Allow',
            Action: ['iam:PassRole'],
            Resource: [appRoles],
            Condition: {
              StringEquals: {
                'iam:PassedToService': [
                  'lambda.amazonaws.com',
                  'ecs-tasks.amazonaws.com',
                  'firehose.amazonaws.com',
                  'scheduler.amazonaws.com',
                  'vpc-flow-logs.amazonaws.com',
                ],
              },
            },
          },
          {
            Effect: 'Allow',
            Action: ['iam:CreateServiceLinkedRole'],
            Resource: [`arn:aws:iam::${account.accountId}:role/aws-service-role/*`],
          },
        ],
      }),
    });

    if (props.guardrails !== false) Aspects.of(this).add(new Guardrails(props.guardrails === true ? {} : props.guardrails));

    new TerraformOutput(this, 'workload_boundary_arn', {
      value: this.workloadBoundary.arn,
      description: 'Permissions boundary of every role the production stack creates',
    });
    new TerraformOutput(this, 'state_bucket', { value: this.stateBucket.bucket, description: 'S3 bucket for the production stack state' });
    new TerraformOutput(this, 'deploy_role_arn', {
      value: this.deployRole.arn,
      description: 'Role for GitHub Actions (aws-actions/configure-aws-credentials role-to-assume)',
    });
  }
}
