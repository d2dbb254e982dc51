/**
 * IAM policy statements from the places a stack writes them: `aws_iam_policy_document` data sources and inline
 * JSON strings (`policy` attributes, a role's `inline_policy`), normalized to one shape.
 */
import type { ElementView } from './stack-view';
import { blocks, stringList } from './values';

/** One condition test, e.g. `StringEquals` on `iam:PermissionsBoundary`. */
export interface PolicyCondition {
  readonly operator: string;
  readonly key: string;
  /** undefined when the list is an unresolved expression. */
  readonly values: string[] | undefined;
}

export interface PolicyStatement {
  /** Where it came from, e.g. `statement 2`. */
  readonly label: string;
  /** 'unknown' when the effect is an unresolved expression. */
  readonly effect: 'Allow' | 'Deny' | 'unknown';
  /** undefined when the list is an unresolved expression or not given. */
  readonly actions: string[] | undefined;
  readonly notActions: string[] | undefined;
  readonly resources: string[] | undefined;
  readonly conditions: PolicyCondition[];
}

/** An Allow statement, as the wildcard rules read it. */
export type AllowStatement = Pick<PolicyStatement, 'label' | 'actions' | 'resources'> & Partial<PolicyStatement>;

/** Statements of an `aws_iam_policy_document` data source's resolved config. */
export function statementsOfDocument(config: Record<string, unknown>): PolicyStatement[] {
  return blocks(config.statement).map((statement, index) => ({
    label: `statement ${statement.sid ? JSON.stringify(statement.sid) : index + 1}`,
    effect: effectOf(statement.effect ?? 'Allow'),
    actions: stringList(statement.actions),
    notActions: stringList(statement.not_actions),
    resources: stringList(statement.resources),
    conditions: blocks(statement.condition).map((condition) => ({
      operator: String(condition.test),
      key: String(condition.variable),
      values: stringList(condition.values),
    })),
  }));
}

/**
 * Statements of an inline JSON policy; undefined when the value is not a plain JSON string (for example a reference
 * to a policy document's `json`, which is checked at its source). Embedded references such as
 * `"Resource": "${aws_s3_bucket.Logs.arn}"` parse fine and count as specific resources.
 */
export function statementsOfJson(policy: unknown): PolicyStatement[] | undefined {
  if (typeof policy !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    return undefined;
  }
  return blocks((parsed as { Statement?: unknown } | null)?.Statement).map((statement, index) => ({
    label: `statement ${statement.Sid ? JSON.stringify(statement.Sid) : index + 1}`,
    effect: effectOf(statement.Effect),
    actions: jsonList(statement.Action),
    notActions: jsonList(statement.NotAction),
    resources: jsonList(statement.Resource),
    conditions: Object.entries(firstObject(statement.Condition)).flatMap(([operator, tests]) =>
      Object.entries(firstObject(tests)).map(([key, values]) => ({ operator, key, values: jsonList(values) })),
    ),
  }));
}

/** A JSON policy's string or list of strings; a string is one value even when it embeds a reference, e.g. `${aws_iam_policy.B.arn}`. */
const jsonList = (value: unknown): string[] | undefined =>
  typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;

const effectOf = (value: unknown): PolicyStatement['effect'] => (value === 'Allow' || value === 'Deny' ? value : 'unknown');

const firstObject = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** Allow statements of an `aws_iam_policy_document` data source's resolved config. */
export const allowStatementsOfDocument = (config: Record<string, unknown>): AllowStatement[] =>
  statementsOfDocument(config).filter((statement) => statement.effect === 'Allow');

/** Allow statements of an inline JSON policy; undefined when it cannot be read (see `statementsOfJson`). */
export function allowStatementsOfJson(policy: unknown): AllowStatement[] | undefined {
  return statementsOfJson(policy)?.filter((statement) => statement.effect === 'Allow');
}

/** Terraform types that hold IAM policies, for a rule's `appliesTo`. */
export const IAM_POLICY_TYPES: readonly string[] = [
  'data.aws_iam_policy_document',
  'aws_iam_role',
  'aws_iam_role_policy',
  'aws_iam_policy',
  'aws_iam_user_policy',
  'aws_iam_group_policy',
];

/** The statements an element holds, labelled with where they are; inline JSON that cannot be read is skipped. */
export function statementsOf(element: ElementView): PolicyStatement[] {
  if (element.kind === 'data') return element.type === 'aws_iam_policy_document' ? statementsOfDocument(element.config) : [];
  if (element.type === 'aws_iam_role') {
    return blocks(element.config.inline_policy).flatMap((inline) =>
      (statementsOfJson(inline.policy) ?? []).map((s) => ({ ...s, label: `inline_policy ${String(inline.name ?? '')} ${s.label}` })),
    );
  }
  return statementsOfJson(element.config.policy) ?? [];
}

/** Whether an IAM action pattern (`*`, `iam:*`, `iam:Put*Policy`, ...) covers `action`; IAM ignores case. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

/** The pattern through which a statement covers `action` (`NotAction: x` covers everything x does not); undefined if none. */
export function patternCovering(statement: PolicyStatement, action: string): string | undefined {
  if (statement.actions) return statement.actions.find((pattern) => actionMatches(pattern, action));
  if (statement.notActions && !statement.notActions.some((pattern) => actionMatches(pattern, action)))
    return `NotAction ${statement.notActions.join(', ')}`;
  return undefined;
}
