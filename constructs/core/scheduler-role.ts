import type { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';

/**
 * The role EventBridge Scheduler assumes to invoke one function, and nothing else. Created in `scope` as
 * `scheduler-role` and `scheduler-invoke` (their Terraform addresses: keep the ids).
 */
export function schedulerInvokeRole(
  scope: Construct,
  props: { readonly roleName: string; readonly policyName: string; readonly functionArn: string; readonly tags: Record<string, string> },
): IamRole {
  const role = new IamRole(scope, 'scheduler-role', {
    // Named under the prefix: the deploy role may only create roles named `<app>-*`.
    name: props.roleName.slice(0, 64),
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    }),
    tags: props.tags,
  });
  new IamRolePolicy(scope, 'scheduler-invoke', {
    role: role.id,
    name: props.policyName,
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [props.functionArn] }],
    }),
  });
  return role;
}
