import type { RecordedCall } from './recorded-call';

/**
 * The KMS actions AWS also authorizes, with the caller's identity, when a call touches a resource
 * encrypted with a customer managed key. AWS owned and AWS managed keys need no identity permission,
 * so `keyOf` answers undefined for those. Which resource has which key is not in the request: the
 * caller says, from what the stack configured.
 */

export interface KmsAuthorization {
  readonly action: string;
  /** The customer managed key's ARN. */
  readonly resource: string;
}

/** Which customer managed key (ARN) encrypts a resource; undefined when none does. */
export type KeyOf = (resourceArn: string) => string | undefined;

const DYNAMODB_READS = ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'ConditionCheckItem'];
const DYNAMODB_WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'];

// Service action -> the KMS actions it implies on that resource's key, per each service's KMS documentation.
// DynamoDB's is the usual grant for a CMK table (reads decrypt; writes encrypt and decrypt).
const IMPLIED: Readonly<Record<string, readonly string[]>> = {
  'kinesis:PutRecord': ['kms:GenerateDataKey'],
  'kinesis:PutRecords': ['kms:GenerateDataKey'],
  'kinesis:GetRecords': ['kms:Decrypt'],
  'secretsmanager:GetSecretValue': ['kms:Decrypt'],
  'secretsmanager:CreateSecret': ['kms:GenerateDataKey'],
  'secretsmanager:PutSecretValue': ['kms:GenerateDataKey'],
  'secretsmanager:UpdateSecret': ['kms:GenerateDataKey'],
  'sqs:SendMessage': ['kms:GenerateDataKey', 'kms:Decrypt'],
  'sqs:ReceiveMessage': ['kms:Decrypt'],
  ...Object.fromEntries(DYNAMODB_READS.map((op) => [`dynamodb:${op}`, ['kms:Decrypt']])),
  ...Object.fromEntries(DYNAMODB_WRITES.map((op) => [`dynamodb:${op}`, ['kms:Decrypt', 'kms:Encrypt']])),
};

// A DynamoDB index is encrypted with its table's key.
const keyedResource = (resource: string): string => resource.replace(/^(arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/[^/]+)\/index\/.+$/, '$1');

/** The extra KMS (action, key) pairs a recorded call needs, without duplicates. */
export function impliedKmsActions(call: RecordedCall, keyOf: KeyOf): KmsAuthorization[] {
  const seen = new Set<string>();
  const implied: KmsAuthorization[] = [];
  for (const { action, resource } of call.authorizations) {
    const kmsActions = IMPLIED[action];
    const key = kmsActions && keyOf(keyedResource(resource));
    if (!kmsActions || !key) continue;
    for (const kmsAction of kmsActions) {
      if (seen.has(`${kmsAction} ${key}`)) continue;
      seen.add(`${kmsAction} ${key}`);
      implied.push({ action: kmsAction, resource: key });
    }
  }
  return implied;
}
