/**
 * A principal that may create roles (or users) must give them a permissions boundary, and must not be able to lift
 * or edit its own: AWS's delegation pattern ("Permissions boundaries for IAM entities", IAM User Guide, example
 * "Delegating responsibility to others using permissions boundaries"). Without it, iam:CreateRole plus
 * iam:AttachRolePolicy is a path to AdministratorAccess.
 */
import { IAM_POLICY_TYPES, patternCovering, statementsOf, type PolicyStatement } from '../iam-policy';
import type { GuardrailRule } from '../rule';
import { references, type ElementView, type StackView } from '../stack-view';
import { isExpression, isSet, stringList } from '../values';

/** Actions whose requests carry iam:PermissionsBoundary, so a statement can require a boundary for them. */
export const BOUNDED_IAM_ACTIONS: readonly string[] = [
  'iam:CreateRole',
  'iam:PutRolePolicy',
  'iam:AttachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:CreateUser',
  'iam:PutUserPolicy',
  'iam:AttachUserPolicy',
  'iam:PutUserPermissionsBoundary',
];
const BOUNDARY_REMOVAL = ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'];
const POLICY_EDITS = ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion', 'iam:DeletePolicy'];

const BOUNDARY_KEY = 'iam:permissionsboundary';
/** On an Allow: the request must name the boundary. The IfExists forms would also let requests without one through. */
const REQUIRING = ['StringEquals', 'ArnEquals', 'StringLike', 'ArnLike'];
/** On a Deny: requests that do not name the boundary are refused (IfExists makes no difference here). */
const REFUSING = ['StringNotEquals', 'ArnNotEquals', 'StringNotLike', 'ArnNotLike'].flatMap((op) => [op, `${op}IfExists`]);

/** A boundary value names one policy: an expression, or an ARN without wildcards in the policy name. */
const pinsOnePolicy = (value: string): boolean => value.includes('${') || !/[*?]/.test(value.slice(value.lastIndexOf('/') + 1));

const boundaryConditions = (statement: PolicyStatement) => statement.conditions.filter((c) => c.key.toLowerCase() === BOUNDARY_KEY);

const requiresBoundary = (statement: PolicyStatement, operators: readonly string[]): boolean =>
  boundaryConditions(statement).some(
    (c) => operators.includes(c.operator) && (c.values === undefined || (c.values.length > 0 && c.values.every(pinsOnePolicy))),
  );

const onEveryResource = (statement: PolicyStatement): boolean => statement.resources?.includes('*') ?? false;

/** "(through iam:*)" when a statement covers actions by a pattern rather than by name. */
function through(statement: PolicyStatement, actions: string[]): string {
  const patterns = [...new Set(actions.map((action) => patternCovering(statement, action)!))].filter(
    (pattern) => !actions.includes(pattern),
  );
  return patterns.length ? ` (through ${patterns.join(', ')})` : '';
}

export const boundaryOnRoleCreation: GuardrailRule = {
  id: 'MONO-IAM-3',
  description: 'Policies that let a principal create or empower roles (or users) require a permissions boundary on them.',
  fix: 'Add to the statement a condition StringEquals (or ArnEquals) "iam:PermissionsBoundary" = the boundary policy ARN, as in AWS\'s delegation example; or add a Deny of the same actions with StringNotEquals on iam:PermissionsBoundary.',
  appliesTo: IAM_POLICY_TYPES,
  check: (element) => {
    const statements = statementsOf(element);
    const refusals = statements.filter((s) => s.effect === 'Deny' && onEveryResource(s) && requiresBoundary(s, REFUSING));
    return statements
      .filter((s) => s.effect === 'Allow' && !requiresBoundary(s, REQUIRING))
      .flatMap((statement) => {
        const unbounded = BOUNDED_IAM_ACTIONS.filter(
          (action) => patternCovering(statement, action) && !refusals.some((deny) => patternCovering(deny, action)),
        );
        if (unbounded.length === 0) return [];
        const weak = boundaryConditions(statement).map((c) => c.operator);
        const why = weak.length
          ? `but its ${weak.join(', ')} condition on iam:PermissionsBoundary does not pin one boundary policy (IfExists passes requests without a boundary; a wildcard policy name matches any policy)`
          : 'without a condition that iam:PermissionsBoundary is the boundary policy';
        return [`${statement.label} allows ${unbounded.join(', ')}${through(statement, unbounded)} ${why}`];
      });
  },
};

const POWERFUL_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/(AdministratorAccess|IAMFullAccess)$/;

/** "AdministratorAccess" when a policy ARN (literal, or a data.aws_iam_policy it references) is one of the powerful ones. */
function powerfulPolicy(value: unknown, stack: StackView): string | undefined {
  if (typeof value !== 'string') return undefined;
  const literal = POWERFUL_POLICY.exec(value)?.[1];
  if (literal) return literal;
  const source = stack.dataSources('aws_iam_policy').find((policy) => references(value, policy));
  if (!source) return undefined;
  const { name, arn } = source.config;
  return (
    (typeof arn === 'string' ? POWERFUL_POLICY.exec(arn)?.[1] : undefined) ??
    (name === 'AdministratorAccess' || name === 'IAMFullAccess' ? name : undefined)
  );
}

/** The (role reference, policy ARN) pairs an element attaches. */
function attachments(element: ElementView): { role: unknown; policy: unknown }[] {
  const { config } = element;
  switch (element.type) {
    case 'aws_iam_role_policy_attachment':
      return [{ role: config.role, policy: config.policy_arn }];
    case 'aws_iam_policy_attachment':
      return (stringList(config.roles) ?? []).map((role) => ({ role, policy: config.policy_arn }));
    case 'aws_iam_role_policy_attachments_exclusive':
      return (stringList(config.policy_arns) ?? []).map((policy) => ({ role: config.role_name, policy }));
    case 'aws_iam_role':
      return (stringList(config.managed_policy_arns) ?? []).map((policy) => ({ role: `\${${element.address}.name}`, policy }));
    default:
      return [];
  }
}

export const adminNeedsBoundary: GuardrailRule = {
  id: 'MONO-IAM-4',
  description: 'Roles with AdministratorAccess or IAMFullAccess have a permissions boundary.',
  fix: 'Set permissionsBoundary on the role to a managed policy that caps what it (and the roles it creates) can do, or attach a narrower policy.',
  appliesTo: ['aws_iam_role_policy_attachment', 'aws_iam_policy_attachment', 'aws_iam_role_policy_attachments_exclusive', 'aws_iam_role'],
  check: (element, stack) =>
    attachments(element).flatMap(({ role, policy }) => {
      const powerful = powerfulPolicy(policy, stack);
      if (!powerful) return [];
      const target = stack
        .resources('aws_iam_role')
        .find((candidate) => references(role, candidate) || (typeof role === 'string' && role !== '' && candidate.config.name === role));
      if (!target)
        return [
          `attaches ${powerful} to role ${JSON.stringify(role)}, which is not defined in this stack, so its permissions boundary cannot be checked`,
        ];
      return isSet(target.config.permissions_boundary)
        ? []
        : [`attaches ${powerful} to ${target.address}, which has no permissions_boundary`];
    }),
};

/** Every policy the stack uses as a boundary: roles' and users' permissions_boundary, and boundary conditions. */
function knownBoundaries(stack: StackView): string[] {
  const fromEntities = [...stack.resources('aws_iam_role'), ...stack.resources('aws_iam_user')]
    .map((entity) => entity.config.permissions_boundary)
    .filter((value): value is string => typeof value === 'string' && value !== '');
  const fromConditions = stack.elements
    .filter((element) => IAM_POLICY_TYPES.includes(element.kind === 'data' ? `data.${element.type}` : element.type))
    .flatMap((element) => statementsOf(element))
    .flatMap((statement) => boundaryConditions(statement))
    .filter((condition) => REQUIRING.includes(condition.operator) || REFUSING.includes(condition.operator))
    .flatMap((condition) => condition.values ?? []);
  return [...new Set([...fromEntities, ...fromConditions])];
}

const globMatches = (pattern: string, value: string): boolean =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);

/** `/path/name` of a policy ARN, or of an aws_iam_policy's name and path. */
const policyPathOf = (arn: string): string | undefined => /^arn:[^:]+:iam::[^:]*:policy(\/.*)$/.exec(arn)?.[1];

/** Whether a statement resource covers a boundary policy; each is an ARN (maybe with wildcards) or refers to an aws_iam_policy. */
function coversPolicy(resource: string, boundary: string, stack: StackView): boolean {
  if (resource === '*') return true;
  if (!isExpression(boundary) && !isExpression(resource)) return globMatches(resource, boundary);
  // With an expression on either side the account is unknown: compare the policies' paths and names.
  const policies = stack.resources('aws_iam_policy');
  const pathOf = (policy: ElementView): string | undefined =>
    typeof policy.config.name === 'string' && !isExpression(policy.config.name)
      ? `${typeof policy.config.path === 'string' ? policy.config.path : '/'}${policy.config.name}`
      : undefined;
  const boundaryPolicy = policies.find((policy) => references(boundary, policy));
  if (boundaryPolicy && references(resource, boundaryPolicy)) return true;
  const boundaryPath = boundaryPolicy ? pathOf(boundaryPolicy) : policyPathOf(boundary);
  const resourcePolicy = policies.find((policy) => references(resource, policy));
  if (resourcePolicy) return boundaryPath !== undefined && pathOf(resourcePolicy) === boundaryPath;
  const resourcePath = policyPathOf(resource);
  return resourcePath !== undefined && boundaryPath !== undefined && globMatches(resourcePath, boundaryPath);
}

/** `aws_iam_policy.Boundary` for a reference to it, else the value. */
const describePolicy = (boundary: string, stack: StackView): string =>
  stack.resources('aws_iam_policy').find((policy) => references(boundary, policy))?.address ?? boundary;

export const boundaryStaysPut: GuardrailRule = {
  id: 'MONO-IAM-5',
  description: 'Policies do not let a principal remove permissions boundaries or edit the boundary policy.',
  fix: "Drop iam:Delete*PermissionsBoundary, and keep iam:CreatePolicyVersion, iam:SetDefaultPolicyVersion, iam:DeletePolicyVersion and iam:DeletePolicy off the boundary policy (name other policies, or add a Deny of them on the boundary ARN, as in AWS's delegation example).",
  appliesTo: IAM_POLICY_TYPES,
  check: (element, stack) => {
    const statements = statementsOf(element);
    const denies = statements.filter((s) => s.effect === 'Deny' && s.conditions.length === 0);
    const deniedOn = (action: string, covers: (resource: string) => boolean) =>
      denies.some((deny) => patternCovering(deny, action) && (deny.resources ?? []).some(covers));
    const boundaries = knownBoundaries(stack);
    return statements
      .filter((s) => s.effect === 'Allow')
      .flatMap((statement) => {
        const problems: string[] = [];
        const removals = BOUNDARY_REMOVAL.filter(
          (action) => patternCovering(statement, action) && !deniedOn(action, (resource) => resource === '*'),
        );
        if (removals.length)
          problems.push(
            `${statement.label} allows ${removals.join(', ')}${through(statement, removals)}: a principal that can remove its boundary has none`,
          );
        for (const boundary of boundaries) {
          const resources = (statement.resources ?? []).filter((resource) => coversPolicy(resource, boundary, stack));
          if (resources.length === 0) continue;
          const edits = POLICY_EDITS.filter(
            (action) => patternCovering(statement, action) && !deniedOn(action, (resource) => coversPolicy(resource, boundary, stack)),
          );
          if (edits.length)
            problems.push(
              `${statement.label} allows ${edits.join(', ')}${through(statement, edits)} on ${resources.join(', ')}, which covers the boundary policy ${describePolicy(boundary, stack)}: a principal that can edit its boundary has none`,
            );
        }
        return problems;
      });
  },
};
