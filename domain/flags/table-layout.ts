import { createHash } from 'node:crypto';

/**
 * The flag table's layout (DynamoDB, keys `pk` S / `sk` S), one item per flag plus shared parts and an audit trail:
 *
 *   pk = "flag#<key>", sk = "current"            key, definition (flagd JSON of the flag), version (N, from 1),
 *                                                fileHash, updatedAt (ISO), updatedBy
 *   pk = "set",        sk = "evaluators"         definition (JSON of `$evaluators`)
 *   pk = "set",        sk = "metadata"           definition (JSON of the set metadata)
 *   pk = "flag#<key>", sk = "audit#<ISO>#<ver>"  action, actor, at, before (JSON), after (JSON), version
 *
 * Two writers share it: Terraform writes the flag items on deploy (`FlagStore`: version 1, updatedBy "deploy"),
 * and the SDK reads them and edits them at run time (`flag-table.ts`, optimistic concurrency on `version`).
 */
export const FLAG_TABLE_HASH_KEY = 'pk';
export const FLAG_TABLE_RANGE_KEY = 'sk';
export const SET_PK = 'set';
export const CURRENT_SK = 'current';
export const EVALUATORS_SK = 'evaluators';
export const METADATA_SK = 'metadata';
export const AUDIT_SK_PREFIX = 'audit#';
/** `updatedBy` of the items Terraform writes. */
export const DEPLOY_ACTOR = 'deploy';

export const flagPk = (key: string): string => `flag#${key}`;
export const auditSk = (at: string, version: number): string => `${AUDIT_SK_PREFIX}${at}#${version}`;

/** sha256 of the stored definition text: what Terraform compares to notice a changed flag file. */
export function definitionHash(definitionJson: string): string {
  return createHash('sha256').update(definitionJson).digest('hex');
}
