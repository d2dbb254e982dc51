import { DataAwsIamPolicy } from '@cdktf/provider-aws/lib/data-aws-iam-policy';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { TerraformStack } from 'cdktf';
import { findingsOf } from '../../../support/guardrails-harness';

const assumeRolePolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const boundaryPolicy = (s: TerraformStack) =>
  new IamPolicy(s, 'Boundary', {
    name: 'app-boundary',
    policy: policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::app/*' }),
  });
const ROLES = 'arn:aws:iam::111111111111:role/app-*';

describe('MONO-IAM-3 role creation requires a permissions boundary', () => {
  it("passes AWS's delegation pattern: a pinned boundary condition (StringEquals or ArnEquals), or a Deny for any other boundary", () => {
    expect(
      findingsOf('MONO-IAM-3', (s) => {
        const boundary = boundaryPolicy(s);
        new DataAwsIamPolicyDocument(s, 'Doc', {
          statement: [
            {
              sid: 'CreateOrChangeOnlyWithBoundary',
              actions: ['iam:CreateRole', 'iam:AttachRolePolicy', 'iam:PutRolePolicy', 'iam:PutRolePermissionsBoundary'],
              resources: [ROLES],
              condition: [{ test: 'StringEquals', variable: 'iam:PermissionsBoundary', values: [boundary.arn] }],
            },
            { actions: ['iam:GetRole', 'iam:ListRoles'], resources: ['*'] },
          ],
        });
        new IamPolicy(s, 'Arn', {
          policy: policy({
            Effect: 'Allow',
            Action: 'iam:CreateRole',
            Resource: ROLES,
            Condition: { ArnEquals: { 'iam:PermissionsBoundary': 'arn:aws:iam::111111111111:policy/app-boundary' } },
          }),
        });
        new IamPolicy(s, 'DenyOthers', {
          policy: policy(
            { Effect: 'Allow', Action: ['iam:CreateRole', 'iam:PutRolePolicy'], Resource: ROLES },
            {
              Effect: 'Deny',
              Action: ['iam:CreateRole', 'iam:PutRolePolicy'],
              Resource: '*',
              Condition: { StringNotEquals: { 'iam:PermissionsBoundary': 'arn:aws:iam::111111111111:policy/app-boundary' } },
            },
          ),
        });
      }),
    ).toEqual([]);
  });

  it('flags role creation without the condition, by name, wildcard or NotAction, and conditions that do not pin a boundary', () => {
    expect(
      findingsOf('MONO-IAM-3', (s) => {
        new IamPolicy(s, 'Plain', {
          policy: policy({
            Sid: 'Deploy',
            Effect: 'Allow',
            Action: ['iam:CreateRole', 'iam:AttachRolePolicy', 'iam:GetRole'],
            Resource: ROLES,
          }),
        });
        new DataAwsIamPolicyDocument(s, 'Wildcard', { statement: [{ actions: ['iam:*'], resources: ['*'] }] });
        const role = new IamRole(s, 'Role', {
          assumeRolePolicy,
          inlinePolicy: [{ name: 'puts', policy: policy({ Effect: 'Allow', Action: 'iam:Put*', Resource: ROLES }) }],
        });
        new IamRolePolicy(s, 'NotAction', {
          role: role.name,
          policy: policy({ Effect: 'Allow', NotAction: ['s3:*', 'iam:*User*'], Resource: '*' }),
        });
        new IamPolicy(s, 'IfExists', {
          policy: policy({
            Effect: 'Allow',
            Action: 'iam:CreateRole',
            Resource: ROLES,
            Condition: { StringEqualsIfExists: { 'iam:PermissionsBoundary': 'arn:aws:iam::111111111111:policy/app-boundary' } },
          }),
        });
        new IamPolicy(s, 'AnyPolicy', {
          policy: policy({
            Effect: 'Allow',
            Action: 'iam:CreateRole',
            Resource: ROLES,
            Condition: { StringLike: { 'iam:PermissionsBoundary': 'arn:aws:iam::*:policy/*' } },
          }),
        });
      }),
    ).toEqual([
      'test/Plain: statement "Deploy" allows iam:CreateRole, iam:AttachRolePolicy without a condition that iam:PermissionsBoundary is the boundary policy',
      'test/Wildcard: statement 1 allows iam:CreateRole, iam:PutRolePolicy, iam:AttachRolePolicy, iam:PutRolePermissionsBoundary, iam:CreateUser, iam:PutUserPolicy, iam:AttachUserPolicy, iam:PutUserPermissionsBoundary (through iam:*) without a condition that iam:PermissionsBoundary is the boundary policy',
      'test/Role: inline_policy puts statement 1 allows iam:PutRolePolicy, iam:PutRolePermissionsBoundary, iam:PutUserPolicy, iam:PutUserPermissionsBoundary (through iam:Put*) without a condition that iam:PermissionsBoundary is the boundary policy',
      'test/NotAction: statement 1 allows iam:CreateRole, iam:PutRolePolicy, iam:AttachRolePolicy, iam:PutRolePermissionsBoundary (through NotAction s3:*, iam:*User*) without a condition that iam:PermissionsBoundary is the boundary policy',
      'test/IfExists: statement 1 allows iam:CreateRole but its StringEqualsIfExists condition on iam:PermissionsBoundary does not pin one boundary policy (IfExists passes requests without a boundary; a wildcard policy name matches any policy)',
      'test/AnyPolicy: statement 1 allows iam:CreateRole but its StringLike condition on iam:PermissionsBoundary does not pin one boundary policy (IfExists passes requests without a boundary; a wildcard policy name matches any policy)',
    ]);
  });
});

describe('MONO-IAM-4 AdministratorAccess needs a boundary', () => {
  it('passes AdministratorAccess on a bounded role, and narrower policies on any role', () => {
    expect(
      findingsOf('MONO-IAM-4', (s) => {
        const boundary = boundaryPolicy(s);
        const bounded = new IamRole(s, 'Bounded', { name: 'bounded', assumeRolePolicy, permissionsBoundary: boundary.arn });
        new IamRolePolicyAttachment(s, 'Admin', { role: bounded.name, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
        const plain = new IamRole(s, 'Plain', { name: 'plain', assumeRolePolicy });
        new IamRolePolicyAttachment(s, 'ReadOnly', { role: plain.name, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
      }),
    ).toEqual([]);
  });

  it('flags AdministratorAccess or IAMFullAccess on a role without one, however attached, and on a role it cannot see', () => {
    expect(
      findingsOf('MONO-IAM-4', (s) => {
        const role = new IamRole(s, 'Deploy', {
          name: 'deploy',
          assumeRolePolicy,
          managedPolicyArns: ['arn:aws:iam::aws:policy/IAMFullAccess'],
        });
        new IamRolePolicyAttachment(s, 'Admin', { role: role.name, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
        const admin = new DataAwsIamPolicy(s, 'AdminPolicy', { name: 'AdministratorAccess' });
        new IamRolePolicyAttachment(s, 'ByName', { role: 'deploy', policyArn: admin.arn });
        new IamRolePolicyAttachment(s, 'Elsewhere', { role: 'someone-else', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
      }),
    ).toEqual([
      'test/Deploy: attaches IAMFullAccess to aws_iam_role.Deploy, which has no permissions_boundary',
      'test/Admin: attaches AdministratorAccess to aws_iam_role.Deploy, which has no permissions_boundary',
      'test/ByName: attaches AdministratorAccess to aws_iam_role.Deploy, which has no permissions_boundary',
      'test/Elsewhere: attaches AdministratorAccess to role "someone-else", which is not defined in this stack, so its permissions boundary cannot be checked',
    ]);
  });
});

describe('MONO-IAM-5 the boundary stays put', () => {
  it('passes edits of other policies, and an allow the same policy denies on the boundary', () => {
    expect(
      findingsOf('MONO-IAM-5', (s) => {
        const boundary = boundaryPolicy(s);
        new IamRole(s, 'Bounded', { assumeRolePolicy, permissionsBoundary: boundary.arn });
        const app = new IamPolicy(s, 'App', {
          name: 'app-policy',
          policy: policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::app/*' }),
        });
        new IamPolicy(s, 'EditApp', {
          policy: policy({ Effect: 'Allow', Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicyVersion'], Resource: app.arn }),
        });
        new IamPolicy(s, 'Delegate', {
          policy: policy(
            { Effect: 'Allow', Action: ['iam:CreatePolicyVersion', 'iam:DeleteRolePermissionsBoundary'], Resource: '*' },
            {
              Sid: 'NoBoundaryPolicyEdit',
              Effect: 'Deny',
              Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
              Resource: boundary.arn,
            },
            { Sid: 'NoBoundaryRoleDelete', Effect: 'Deny', Action: 'iam:DeleteRolePermissionsBoundary', Resource: '*' },
          ),
        });
      }),
    ).toEqual([]);
  });

  it('flags removing boundaries, and editing the boundary policy by reference, by name pattern or on "*"', () => {
    expect(
      findingsOf('MONO-IAM-5', (s) => {
        const boundary = boundaryPolicy(s);
        new IamRole(s, 'Bounded', { assumeRolePolicy, permissionsBoundary: boundary.arn });
        new IamPolicy(s, 'Remove', { policy: policy({ Effect: 'Allow', Action: 'iam:Delete*PermissionsBoundary', Resource: ROLES }) });
        new IamPolicy(s, 'EditRef', { policy: policy({ Effect: 'Allow', Action: 'iam:SetDefaultPolicyVersion', Resource: boundary.arn }) });
        new IamPolicy(s, 'EditPattern', {
          policy: policy({ Effect: 'Allow', Action: 'iam:CreatePolicyVersion', Resource: 'arn:aws:iam::111111111111:policy/app-*' }),
        });
        new DataAwsIamPolicyDocument(s, 'EditAll', { statement: [{ actions: ['iam:DeletePolicy'], resources: ['*'] }] });
      }),
    ).toEqual([
      'test/Remove: statement 1 allows iam:DeleteRolePermissionsBoundary, iam:DeleteUserPermissionsBoundary (through iam:Delete*PermissionsBoundary): a principal that can remove its boundary has none',
      'test/EditRef: statement 1 allows iam:SetDefaultPolicyVersion on ${aws_iam_policy.Boundary.arn}, which covers the boundary policy aws_iam_policy.Boundary: a principal that can edit its boundary has none',
      'test/EditPattern: statement 1 allows iam:CreatePolicyVersion on arn:aws:iam::111111111111:policy/app-*, which covers the boundary policy aws_iam_policy.Boundary: a principal that can edit its boundary has none',
      'test/EditAll: statement 1 allows iam:DeletePolicy on *, which covers the boundary policy aws_iam_policy.Boundary: a principal that can edit its boundary has none',
    ]);
  });
});
