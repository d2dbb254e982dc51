import type { PolicyDocument } from '.';

/**
 * AWS managed policies the stacks attach, as AWS publishes them (IAM console, "PowerUserAccess", version v5 of
 * 2023): iam-simulate evaluates documents, and these are not in the stack's JSON.
 */
export const POWER_USER_ACCESS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: [
        'account:GetAccountInformation',
        'account:GetPrimaryEmail',
        'account:ListRegions',
        'iam:CreateServiceLinkedRole',
        'iam:DeleteServiceLinkedRole',
        'iam:ListRoles',
        'organizations:DescribeOrganization',
      ],
      Resource: '*',
    },
  ],
};

export const MANAGED_POLICIES: Readonly<Record<string, PolicyDocument>> = {
  'arn:aws:iam::aws:policy/PowerUserAccess': POWER_USER_ACCESS,
};
