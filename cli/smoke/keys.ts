/**
 * The keys the smoke check presents: given explicitly, or read from the Secrets Manager secrets the
 * production outputs name (the same secrets and JSON shape the Lambdas read). A key that cannot be had
 * is not an exception: it becomes the reason its check fails.
 */
import type { ApiKeys } from '../../lambdas/shared/api-keys';

export type KeyResult = { readonly key: string; readonly from: string } | { readonly problem: string };

/** Reads a keys secret (`{"server": [...], "client": [...]}` or `{"write": [...]}`). */
export type SecretReader = (secretArn: string) => Promise<ApiKeys>;

export interface KeyRequest {
  /** Given with a flag or environment variable; wins over the secret. */
  readonly explicit?: string;
  readonly secretArn?: string;
  /** Key kinds to try in order, e.g. `['server', 'client']`. */
  readonly kinds: readonly string[];
  /** How to give the key by hand, for the problem text. */
  readonly hint: string;
}

export async function resolveKey(request: KeyRequest, readSecret: SecretReader): Promise<KeyResult> {
  if (request.explicit) return { key: request.explicit, from: 'given' };
  if (!request.secretArn) return { problem: `no key: the outputs name no secret; ${request.hint}` };
  let keys: ApiKeys;
  try {
    keys = await readSecret(request.secretArn);
  } catch (error) {
    return { problem: `cannot read secret ${request.secretArn}: ${(error as Error).message}; ${request.hint}` };
  }
  for (const kind of request.kinds) {
    const key = keys[kind]?.[0];
    if (key) return { key, from: `secret ${request.secretArn} (${kind})` };
  }
  return { problem: `secret ${request.secretArn} holds no ${request.kinds.join(' or ')} key; ${request.hint}` };
}

/** The region a secret lives in, from its ARN (`arn:aws:secretsmanager:<region>:...`). */
export function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[3] ? parts[3] : undefined;
}

/** Reads secrets with the SDK, in the secret's own region; the client is loaded only when a secret is read. */
export function secretsManagerReader(clientConfig: Record<string, unknown> = {}): SecretReader {
  return async (secretArn) => {
    const { SecretsManagerClient } = require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
    const { secretsManagerApiKeys } = require('../../lambdas/shared/api-keys') as typeof import('../../lambdas/shared/api-keys');
    const region = regionOfArn(secretArn);
    const client = new SecretsManagerClient({ ...(region ? { region } : {}), ...clientConfig });
    try {
      return await secretsManagerApiKeys(secretArn, { client }).get();
    } finally {
      client.destroy();
    }
  };
}
