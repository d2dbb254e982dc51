/** Least privilege: no wildcard actions, and no `*` resource unless every action only accepts `*`. */
import { IAM_POLICY_TYPES, statementsOf } from '../iam-policy';
import type { GuardrailRule } from '../rule';
import type { ElementView } from '../stack-view';

/**
 * Actions that do not support resource-level permissions, so `Resource: "*"` is the only option.
 * A short list of the ones this platform's services use; pass a longer one to `wildcardResources()`.
 */
export const RESOURCE_LESS_ACTIONS: readonly string[] = [
  'ecr:GetAuthorizationToken',
  'cloudwatch:PutMetricData',
  'cloudwatch:GetMetricData',
  'cloudwatch:ListMetrics',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'inspector2:ListCoverage',
  'inspector2:ListFindings',
  'inspector2:BatchGetAccountStatus',
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DeleteNetworkInterface',
  'ecs:ListClusters',
  'ecs:DescribeTaskDefinition',
  'ecs:RegisterTaskDefinition',
  'logs:DescribeLogGroups',
  'sts:GetCallerIdentity',
  'ssm:DescribeParameters',
  'kms:ListAliases',
];

const allowStatementsOf = (element: ElementView) => statementsOf(element).filter((statement) => statement.effect === 'Allow');

const appliesToPolicies = IAM_POLICY_TYPES;
const isWildcardAction = (action: string): boolean => action === '*' || /^[a-z0-9-]+:\*$/i.test(action);

export const wildcardActions: GuardrailRule = {
  id: 'MONO-IAM-1',
  description: 'IAM policies do not allow wildcard actions (`*` or `service:*`).',
  fix: 'List the specific actions the principal needs.',
  appliesTo: appliesToPolicies,
  check: (element) =>
    allowStatementsOf(element).flatMap((statement) => {
      const wildcards = (statement.actions ?? []).filter(isWildcardAction);
      return wildcards.length ? [`${statement.label} allows ${wildcards.join(', ')}`] : [];
    }),
};

/** The `*`-resource rule; give it a longer list of resource-less actions if your stacks need one. */
export function wildcardResources(resourceLessActions: readonly string[] = RESOURCE_LESS_ACTIONS): GuardrailRule {
  const exempt = new Set(resourceLessActions.map((action) => action.toLowerCase())); // IAM action names ignore case
  return {
    id: 'MONO-IAM-2',
    description: 'IAM policies scope resources: `*` only for actions that accept nothing else.',
    fix: 'Name the resource ARNs (e.g. table.arn, `${bucket.arn}/*`), or move actions that only accept `*` into their own statement.',
    appliesTo: appliesToPolicies,
    check: (element) =>
      allowStatementsOf(element).flatMap((statement) => {
        if (!statement.resources?.includes('*') || !statement.actions) return [];
        const scopable = statement.actions.filter((action) => !exempt.has(action.toLowerCase()));
        return scopable.length ? [`${statement.label} allows ${scopable.join(', ')} on resource "*"`] : [];
      }),
  };
}
