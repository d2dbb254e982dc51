/**
 * Permissions boundaries (AWS's delegation pattern, "Permissions boundaries for IAM entities"): the deploy role may
 * create and change `<app>-*` roles only with the workload boundary attached, so nothing it deploys can hold more
 * than the boundary allows, whatever its own policy says, and it can neither drop nor edit a boundary.
 *
 * The bootstrap stack creates the boundary policies once (with admin credentials); the production stack attaches the
 * workload boundary to every role it creates (`applyPermissionsBoundary`).
 */
import { Aspects, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';

/** The boundary of every role the production stack creates. */
export const workloadBoundaryName = (appName: string): string => `${appName}-workload-boundary`;
/** The boundary of the deploy role itself. */
export const deployBoundaryName = (appName: string): string => `${appName}-deploy-boundary`;

export const boundaryArn = (account: string, policyName: string, partition = 'aws'): string =>
  `arn:${partition}:iam::${account}:policy/${policyName}`;

/**
 * What monoenv's workloads (Lambdas, ECS tasks, Firehose, the scheduler, VPC flow logs) may ever do: the services
 * they use, and no IAM, Organizations or account changes at all. A ceiling, so service-level wildcards: each role's
 * own policy names exact actions and resources (MONO-IAM-1/2 hold there).
 */
export function workloadBoundaryDocument(): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'WorkloadServices',
        Effect: 'Allow',
        Action: [
          'dynamodb:*',
          'kinesis:*',
          'firehose:*',
          's3:*',
          'sqs:*',
          'sns:Publish',
          'secretsmanager:GetSecretValue',
          'secretsmanager:DescribeSecret',
          'kms:Decrypt',
          'kms:Encrypt',
          'kms:GenerateDataKey',
          'kms:GenerateDataKey*',
          'kms:DescribeKey',
          'logs:*',
          'cloudwatch:PutMetricData',
          'cloudwatch:GetMetricData',
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          'ecr:*',
          'ecs:*',
          'inspector2:List*',
          'inspector2:BatchGet*',
          'glue:GetTable',
          'glue:GetTables',
          'glue:GetTableVersion',
          'glue:GetTableVersions',
          'glue:GetDatabase',
          'lambda:InvokeFunction',
          'sts:GetCallerIdentity',
        ],
        Resource: '*',
      },
      { Sid: 'NoIdentityChanges', Effect: 'Deny', Action: ['iam:*', 'organizations:*', 'account:*', 'sts:AssumeRole'], Resource: '*' },
    ],
  };
}

/**
 * The deploy role's own ceiling (CDK's bootstrap boundary, tightened): everything, except creating or changing a role
 * without the workload boundary, removing a boundary, editing either boundary policy, changing the deploy role itself,
 * and creating IAM users or access keys.
 */
export function deployBoundaryDocument(appName: string, account: string, partition = 'aws'): Record<string, unknown> {
  const workload = boundaryArn(account, workloadBoundaryName(appName), partition);
  const deployRole = `arn:${partition}:iam::${account}:role/${appName}-deploy`;
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'CeilingForEverythingElse', Effect: 'Allow', Action: '*', Resource: '*' },
      {
        Sid: 'RolesOnlyWithTheWorkloadBoundary',
        Effect: 'Deny',
        Action: [
          'iam:CreateRole',
          'iam:PutRolePolicy',
          'iam:AttachRolePolicy',
          'iam:PutRolePermissionsBoundary',
          'iam:DetachRolePolicy',
          'iam:DeleteRolePolicy',
          'iam:CreateUser',
          'iam:PutUserPolicy',
          'iam:AttachUserPolicy',
          'iam:PutUserPermissionsBoundary',
        ],
        Resource: '*',
        Condition: { StringNotEquals: { 'iam:PermissionsBoundary': workload } },
      },
      {
        Sid: 'BoundariesStay',
        Effect: 'Deny',
        Action: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'],
        Resource: '*',
      },
      {
        Sid: 'BoundaryPoliciesAreFixed',
        Effect: 'Deny',
        Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
        Resource: [workload, boundaryArn(account, deployBoundaryName(appName), partition)],
      },
      {
        Sid: 'DeployRoleIsFixed',
        Effect: 'Deny',
        Action: ['iam:Put*', 'iam:Attach*', 'iam:Detach*', 'iam:Delete*', 'iam:Update*', 'iam:Tag*', 'iam:Untag*'],
        Resource: deployRole,
      },
      { Sid: 'NoUsersOrKeys', Effect: 'Deny', Action: ['iam:CreateUser', 'iam:CreateAccessKey', 'iam:CreateLoginProfile'], Resource: '*' },
      // Deploying never assumes another role; without this, a role trusting the deploy role would lend it more.
      {
        Sid: 'NoRoleHopping',
        Effect: 'Deny',
        Action: ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'],
        Resource: '*',
      },
    ],
  };
}

/**
 * Attaches `boundaryArn` to every IAM role under `scope` that has none. Works on the whole tree at once when it
 * visits `scope`, so add it before the Guardrails aspect: they then see the roles with their boundary.
 */
export function applyPermissionsBoundary(scope: IConstruct, arn: string): void {
  const aspect: IAspect = {
    visit(node) {
      if (node !== scope) return;
      for (const child of scope.node.findAll()) {
        if (child instanceof IamRole && child.permissionsBoundaryInput === undefined) child.permissionsBoundary = arn;
      }
    },
  };
  Aspects.of(scope).add(aspect);
}
