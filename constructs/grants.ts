import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { PolicyStatement } from './lambda-function';

/** Anything permissions can be granted to: a monoenv function, or a plain IAM role (e.g. an ECS task role). */
export type Grantee = IamRole | { addToRolePolicy(statement: PolicyStatement): void };

/** Adds the statements to the grantee: through its own policy when it has one, else as an inline role policy. */
export function grant(scope: Construct, id: string, grantee: Grantee, statements: readonly PolicyStatement[]): void {
  if (!(grantee instanceof IamRole)) {
    statements.forEach((statement) => grantee.addToRolePolicy(statement));
    return;
  }
  new IamRolePolicy(scope, id, {
    role: grantee.id,
    name: id,
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: statements.map((s) => ({ Effect: 'Allow', Action: [...s.actions], Resource: [...s.resources] })),
    }),
  });
}
