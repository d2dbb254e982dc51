/**
 * One way to give a principal permissions, after aws-cdk's IGrantable and Grant: every construct's `grantXxx(grantee)`
 * takes a Grantee and returns a Grant. A MonoenvFunction and a ContainerService (its task role) are Grantees; any
 * other IAM role becomes one with `roleGrantee(role)`.
 */
import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';

/** One Allow statement: actions on resources. */
export interface PolicyStatement {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

/** Anything whose IAM policy can grow before synthesis. */
export interface Grantee {
  addToPrincipalPolicy(statement: PolicyStatement): void;
}

/** What a grant gave a grantee: the statements, in the order added. */
export class Grant {
  /** Adds `statements` to the grantee's policy. */
  static addToPrincipal(grantee: Grantee, statements: readonly PolicyStatement[]): Grant {
    for (const statement of statements) grantee.addToPrincipalPolicy(statement);
    return new Grant(grantee, statements);
  }

  private constructor(
    readonly grantee: Grantee,
    readonly statements: readonly PolicyStatement[],
  ) {}

  /** Every action granted, e.g. for a test. */
  get actions(): string[] {
    return this.statements.flatMap((statement) => [...statement.actions]);
  }
}

/** A policy document of Allow statements, produced at synth so statements added later are in it. */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return Lazy.stringValue({
    produce: () =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: statements.map((s) => ({ Effect: 'Allow', Action: [...s.actions], Resource: [...s.resources] })),
      }),
  });
}

export function checkStatement(statement: PolicyStatement, where: string): void {
  if (statement.actions.length === 0 || statement.resources.length === 0)
    throw new Error(`${where}: a policy statement needs actions and resources`);
}

/**
 * A plain IAM role as a Grantee: what is granted goes into one inline policy (`granted`) beside the role, created
 * on the first grant. The same role always gets the same Grantee.
 */
export function roleGrantee(role: IamRole): Grantee {
  const id = 'granted-policy';
  const existing = role.node.tryFindChild(id) as RoleGrantee | undefined;
  return existing ?? new RoleGrantee(role, id);
}

class RoleGrantee extends Construct implements Grantee {
  private readonly statements: PolicyStatement[] = [];
  private policy?: IamRolePolicy;

  constructor(
    private readonly role: IamRole,
    id: string,
  ) {
    super(role, id);
  }

  addToPrincipalPolicy(statement: PolicyStatement): void {
    checkStatement(statement, 'roleGrantee');
    this.statements.push(statement);
    this.policy ??= new IamRolePolicy(this, 'policy', { role: this.role.id, name: 'granted', policy: policyDocument(this.statements) });
  }
}
