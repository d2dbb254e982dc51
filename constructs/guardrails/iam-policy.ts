/**
 * IAM policy statements from the two places a stack writes them: `aws_iam_policy_document` data sources and
 * inline JSON strings (`policy` attributes). Only Allow statements matter to the wildcard rules.
 */
import { blocks, stringList } from './values';

export interface AllowStatement {
  /** Where it came from, e.g. `statement 2`. */
  readonly label: string;
  /** undefined when the list is an unresolved expression. */
  readonly actions: string[] | undefined;
  readonly resources: string[] | undefined;
}

/** Allow statements of an `aws_iam_policy_document` data source's resolved config. */
export function allowStatementsOfDocument(config: Record<string, unknown>): AllowStatement[] {
  return blocks(config.statement).flatMap((statement, index) =>
    (statement.effect ?? 'Allow') === 'Allow'
      ? [{ label: `statement ${statement.sid ? JSON.stringify(statement.sid) : index + 1}`, actions: stringList(statement.actions), resources: stringList(statement.resources) }]
      : []);
}

/**
 * Allow statements of an inline JSON policy; undefined when the value is not a plain JSON string (for example a
 * reference to a policy document's `json`, which is checked at its source). Embedded references such as
 * `"Resource": "${aws_s3_bucket.Logs.arn}"` parse fine and count as specific resources.
 */
export function allowStatementsOfJson(policy: unknown): AllowStatement[] | undefined {
  if (typeof policy !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    return undefined;
  }
  const statements = blocks((parsed as { Statement?: unknown } | null)?.Statement);
  return statements.flatMap((statement, index) =>
    statement.Effect === 'Allow'
      ? [{ label: `statement ${statement.Sid ? JSON.stringify(statement.Sid) : index + 1}`, actions: stringList(statement.Action), resources: stringList(statement.Resource) }]
      : []);
}
