import { Testing } from 'cdktf';
import { parseConfig } from '../../config/load';
import { workloadBoundaryName } from '../../constructs/security/permissions-boundary';
import { BootstrapStack } from '../../stacks/bootstrap-stack';
import { ProductionStack } from '../../stacks/production-stack';
import { SYNTH_DAY } from '../support/clock';
import { MOTO_ACCOUNT_ID, simulateRequest, type PolicyDocument } from '../support/iam';
import { SynthesizedPolicies } from '../support/iam/synthesized-policies';
import { testApp } from '../support/temp';
import { POWER_USER_ACCESS } from '../support/iam/aws-managed-policies';
import { REPO_ROOT } from '../support/paths';

/**
 * The deploy role GitHub Actions assumes, evaluated by a real IAM policy evaluator against the synthesized
 * bootstrap stack: it can create every role the production stack needs, and only with the workload boundary, so
 * it can never make itself (or anything it deploys) an administrator.
 */
const config = parseConfig({ appName: 'shop', region: 'eu-west-1', github: { repository: 'acme/shop' } });
const account = MOTO_ACCOUNT_ID;
const quiet = { report: () => undefined, now: SYNTH_DAY };

function synthesized<T extends BootstrapStack | ProductionStack>(build: (app: ReturnType<typeof testApp>) => T): SynthesizedPolicies {
  return new SynthesizedPolicies(JSON.parse(Testing.synth(build(testApp()))), { account, region: 'eu-west-1' });
}

const bootstrap = synthesized((app) => new BootstrapStack(app, 'bootstrap', { config, guardrails: quiet }));
const production = synthesized((app) => new ProductionStack(app, 'production', { config, baseDir: REPO_ROOT, guardrails: quiet }));
const workloadBoundary = `arn:aws:iam::${account}:policy/${workloadBoundaryName('shop')}`;
const deployRoleArn = `arn:aws:iam::${account}:role/shop-deploy`;

function asDeployRole(
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
  policies?: { identity?: PolicyDocument[]; boundary?: PolicyDocument },
) {
  const role = bootstrap.role('shop-deploy');
  return simulateRequest({
    principalArn: deployRoleArn,
    action,
    resource,
    identityPolicies: policies?.identity ?? [POWER_USER_ACCESS, ...role.identityPolicies],
    boundary: policies?.boundary ?? bootstrap.policyNamed('shop-deploy-boundary'),
    context,
  });
}

describe('the deploy role (bootstrap stack) under IAM evaluation', () => {
  it('carries the deploy boundary itself', () => {
    expect(bootstrap.role('shop-deploy').boundaryArn).toBe(`arn:aws:iam::${account}:policy/shop-deploy-boundary`);
  });

  it('can create every role of the production stack, each with the workload boundary it carries', async () => {
    const roles = production.roles();
    expect(roles.length).toBeGreaterThanOrEqual(9);
    for (const role of roles) {
      expect({ role: role.roleName, boundary: role.boundaryArn }).toEqual({ role: role.roleName, boundary: workloadBoundary });
      const create = await asDeployRole('iam:CreateRole', `arn:aws:iam::${account}:role/${role.roleName}`, {
        'iam:PermissionsBoundary': role.boundaryArn!,
      });
      expect({ role: role.roleName, ...create }).toEqual({ role: role.roleName, decision: 'Allowed', reasons: [] });
      const policy = await asDeployRole('iam:PutRolePolicy', `arn:aws:iam::${account}:role/${role.roleName}`, {
        'iam:PermissionsBoundary': role.boundaryArn!,
      });
      expect({ role: role.roleName, decision: policy.decision }).toEqual({ role: role.roleName, decision: 'Allowed' });
    }
  });

  it('cannot create or empower a role without the workload boundary, or with another one', async () => {
    const target = `arn:aws:iam::${account}:role/shop-anything`;
    expect((await asDeployRole('iam:CreateRole', target)).decision).not.toBe('Allowed');
    expect(
      (await asDeployRole('iam:CreateRole', target, { 'iam:PermissionsBoundary': `arn:aws:iam::${account}:policy/AdminLike` })).decision,
    ).not.toBe('Allowed');
    expect(
      (await asDeployRole('iam:AttachRolePolicy', target, { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' })).decision,
    ).not.toBe('Allowed');
    expect(
      (
        await asDeployRole('iam:CreateRole', `arn:aws:iam::${account}:role/other-team-role`, {
          'iam:PermissionsBoundary': workloadBoundary,
        })
      ).decision,
    ).not.toBe('Allowed');
  });

  it('cannot make itself an administrator, drop a boundary, edit a boundary policy, or borrow another role', async () => {
    const denied = async (action: string, resource: string, context: Record<string, string> = {}) => {
      const result = await asDeployRole(action, resource, context);
      expect({ action, resource, decision: result.decision }).toEqual({ action, resource, decision: expect.stringMatching(/Denied$/) });
    };
    await denied('iam:PutRolePolicy', deployRoleArn, { 'iam:PermissionsBoundary': workloadBoundary });
    await denied('iam:AttachRolePolicy', deployRoleArn, {
      'iam:PermissionsBoundary': workloadBoundary,
      'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess',
    });
    await denied('iam:UpdateAssumeRolePolicy', deployRoleArn);
    await denied('iam:DeleteRolePermissionsBoundary', `arn:aws:iam::${account}:role/shop-flags-evaluate-role`);
    await denied('iam:CreatePolicyVersion', workloadBoundary);
    await denied('iam:SetDefaultPolicyVersion', `arn:aws:iam::${account}:policy/shop-deploy-boundary`);
    await denied('iam:CreateUser', `arn:aws:iam::${account}:user/shop-backdoor`);
    await denied('sts:AssumeRole', `arn:aws:iam::${account}:role/shop-flags-evaluate-role`);
  });

  it('can still deploy: tables, streams, functions, and passing app roles to their services only', async () => {
    expect((await asDeployRole('dynamodb:CreateTable', `arn:aws:dynamodb:eu-west-1:${account}:table/shop-flags`)).decision).toBe('Allowed');
    expect((await asDeployRole('lambda:CreateFunction', `arn:aws:lambda:eu-west-1:${account}:function:shop-ingest`)).decision).toBe(
      'Allowed',
    );
    const role = `arn:aws:iam::${account}:role/shop-ingest-role`;
    expect((await asDeployRole('iam:PassRole', role, { 'iam:PassedToService': 'lambda.amazonaws.com' })).decision).toBe('Allowed');
    expect((await asDeployRole('iam:PassRole', role, { 'iam:PassedToService': 'ec2.amazonaws.com' })).decision).not.toBe('Allowed');
  });

  it('put back: without the boundary condition in its policy, the deploy role could create an unbounded role', async () => {
    const unconditioned = bootstrap.role('shop-deploy').identityPolicies.map((policy) => ({
      ...policy,
      Statement: (policy.Statement as Array<Record<string, unknown>>).map(({ Condition: _dropped, ...statement }) => statement),
    }));
    // The deploy boundary still denies it, which is why the role carries one...
    const bounded = await asDeployRole(
      'iam:CreateRole',
      `arn:aws:iam::${account}:role/shop-admin`,
      {},
      { identity: [POWER_USER_ACCESS, ...unconditioned] },
    );
    expect(bounded.decision).toBe('ExplicitlyDenied');
    // ...and without both, the defect is back: an unbounded role, the first step to admin.
    const open = await asDeployRole(
      'iam:CreateRole',
      `arn:aws:iam::${account}:role/shop-admin`,
      {},
      {
        identity: [POWER_USER_ACCESS, ...unconditioned],
        boundary: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
      },
    );
    expect(open.decision).toBe('Allowed');
  });
});
