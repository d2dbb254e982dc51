import { unmapped } from '../recorded-call';
import { arn, authorize, text, type MappingContext, type ServiceCall, type ServiceMapping } from './common';

/**
 * Secrets Manager authorizes `secretsmanager:<Operation>` on the secret's full ARN, which ends in a
 * random 6-character suffix. A caller may name the secret by name instead. Then the response's `ARN`
 * is what AWS authorized, so we record that; when the response has none (the call failed), we record
 * `...:secret:<name>-*`, which iam-simulate matches against the ARNs and patterns the policies name.
 * That pattern also matches a secret whose name merely starts with `<name>-`; AWS documents the
 * same caveat for policies that use it.
 */

// Operations that name their secret in SecretId.
const SECRET_OPERATIONS = new Set([
  'GetSecretValue',
  'DescribeSecret',
  'PutSecretValue',
  'UpdateSecret',
  'DeleteSecret',
  'RestoreSecret',
  'GetResourcePolicy',
  'PutResourcePolicy',
  'DeleteResourcePolicy',
  'TagResource',
  'UntagResource',
  'RotateSecret',
  'CancelRotateSecret',
  'ListSecretVersionIds',
  'UpdateSecretVersionStage',
]);

function secretArn(id: string, output: ServiceCall['output'], context: MappingContext): string {
  if (id.startsWith('arn:')) return id;
  return text(output?.ARN) ?? arn('secretsmanager', context, `secret:${id}-*`);
}

export const secretsManager: ServiceMapping = {
  displayName: 'SecretsManager',
  map({ operation, input, output }, context) {
    const action = `secretsmanager:${operation}`;
    if (operation === 'ListSecrets' || operation === 'GetRandomPassword') return [authorize(action, '*')];
    const id = SECRET_OPERATIONS.has(operation) ? text(input.SecretId) : operation === 'CreateSecret' ? text(input.Name) : undefined;
    if (!id) return unmapped(`SecretsManager ${operation || '(no operation)'} is not mapped`);
    return [authorize(action, secretArn(id, output, context))];
  },
};
