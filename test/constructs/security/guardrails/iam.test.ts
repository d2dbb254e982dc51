import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { TerraformVariable } from 'cdktf';
import { findingsOf } from '../../../support/guardrails-harness';

const assumeRolePolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('MONO-IAM-1 wildcard actions', () => {
  it('passes specific actions in a policy document and in inline JSON', () => {
    expect(
      findingsOf('MONO-IAM-1', (s) => {
        new DataAwsIamPolicyDocument(s, 'Doc', { statement: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] }] });
        new IamPolicy(s, 'Policy', {
          policy: policy({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: 'arn:aws:dynamodb:us-east-1:1:table/t' }),
        });
      }),
    ).toEqual([]);
  });
  it('flags `*` and `service:*` wherever the policy is written', () => {
    expect(
      findingsOf('MONO-IAM-1', (s) => {
        new DataAwsIamPolicyDocument(s, 'Doc', { statement: [{ actions: ['s3:*'], resources: ['arn:aws:s3:::b/*'] }] });
        new IamPolicy(s, 'Policy', { policy: policy({ Sid: 'All', Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b' }) });
        const role = new IamRole(s, 'Role', {
          assumeRolePolicy,
          inlinePolicy: [{ name: 'inline', policy: policy({ Effect: 'Allow', Action: ['sqs:*'], Resource: 'arn:aws:sqs:us-east-1:1:q' }) }],
        });
        new IamRolePolicy(s, 'RolePolicy', {
          role: role.name,
          policy: policy({ Effect: 'Allow', Action: ['kinesis:*'], Resource: 'arn:aws:kinesis:us-east-1:1:stream/s' }),
        });
      }),
    ).toEqual([
      'test/Doc: statement 1 allows s3:*',
      'test/Policy: statement "All" allows *',
      'test/Role: inline_policy inline statement 1 allows sqs:*',
      'test/RolePolicy: statement 1 allows kinesis:*',
    ]);
  });
  it('ignores Deny statements', () => {
    expect(
      findingsOf('MONO-IAM-1', (s) => new IamPolicy(s, 'Policy', { policy: policy({ Effect: 'Deny', Action: '*', Resource: '*' }) })),
    ).toEqual([]);
  });
});

describe('MONO-IAM-2 wildcard resources', () => {
  it('passes `*` for actions that only accept `*`, and references to real resources', () => {
    expect(
      findingsOf('MONO-IAM-2', (s) => {
        const table = new DynamodbTable(s, 'Table', { name: 't', hashKey: 'pk', attribute: [{ name: 'pk', type: 'S' }] });
        new DataAwsIamPolicyDocument(s, 'Doc', {
          statement: [
            { actions: ['ecr:GetAuthorizationToken', 'cloudwatch:PutMetricData', 'xray:PutTraceSegments'], resources: ['*'] },
            { actions: ['dynamodb:PutItem'], resources: [table.arn] },
          ],
        });
        new IamPolicy(s, 'Policy', { policy: policy({ Effect: 'Allow', Action: 'dynamodb:Query', Resource: `${table.arn}/index/*` }) });
      }),
    ).toEqual([]);
  });
  it('flags scopable actions on `*`, naming only those', () => {
    expect(
      findingsOf('MONO-IAM-2', (s) => {
        new DataAwsIamPolicyDocument(s, 'Doc', {
          statement: [{ sid: 'Mixed', actions: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage'], resources: ['*'] }],
        });
        new IamPolicy(s, 'Policy', { policy: policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: ['*'] }) });
      }),
    ).toEqual([
      'test/Doc: statement "Mixed" allows ecr:BatchGetImage on resource "*"',
      'test/Policy: statement 1 allows s3:GetObject on resource "*"',
    ]);
  });
  it('treats unresolved action lists and a referenced policy document as unknown, without crashing', () => {
    expect(
      findingsOf('MONO-IAM-2', (s) => {
        const actions = new TerraformVariable(s, 'actions', { type: 'list(string)' });
        const doc = new DataAwsIamPolicyDocument(s, 'Doc', { statement: [{ actions: actions.listValue, resources: ['*'] }] });
        new IamPolicy(s, 'Policy', { policy: doc.json });
      }),
    ).toEqual([]);
  });
});
