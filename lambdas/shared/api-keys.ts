import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { systemClock, type Clock } from './clock';
import { API_KEYS_ENV } from './contract';
import { defaultLambdaIo } from './lambda-io';

/**
 * API keys by kind (`server`, `client` for flags; `write` for ingestion). In AWS they live in one
 * Secrets Manager secret (JSON `{"server": ["..."], "client": ["..."]}`) named by `API_KEYS_SECRET_ARN`,
 * so no key is ever in the Terraform output; a local run passes `API_KEYS_JSON` instead.
 * Cached per warm instance so a key rotation reaches it within `ttlMs`.
 */
export type ApiKeys = Readonly<Record<string, readonly string[]>>;

export interface ApiKeySource {
  get(): Promise<ApiKeys>;
}

/**
 * What an API handler is given: a key source, or `'none'` to serve without keys. There is no default, so
 * serving unauthenticated is always written down (local development: `monoenv flags serve`, tests).
 */
export type ApiKeysOption = ApiKeySource | 'none';

/** Throws unless `apiKeys` is a key source or `'none'`: a forgotten option must not mean "no auth". */
export function requireApiKeysOption(apiKeys: unknown, where: string): asserts apiKeys is ApiKeysOption {
  const isSource = typeof apiKeys === 'object' && apiKeys !== null && typeof (apiKeys as ApiKeySource).get === 'function';
  if (apiKeys !== 'none' && !isSource) {
    throw new Error(
      `${where}: apiKeys is required: a key source (staticApiKeys, apiKeysFromEnv), or 'none' to serve without keys (local development only)`,
    );
  }
}

function parseKeys(json: string, where: string): ApiKeys {
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${where} must be a JSON object of key lists`);
  }
  const keys: Record<string, string[]> = Object.create(null); // kinds are names from a secret: no inherited ones
  for (const [kind, list] of Object.entries(parsed)) {
    const values = (Array.isArray(list) ? list : [list]).filter((k): k is string => typeof k === 'string' && k.length > 0);
    keys[kind] = values;
  }
  return keys;
}

export function staticApiKeys(keys: ApiKeys): ApiKeySource {
  return { get: async () => keys };
}

export interface SecretsManagerKeyOptions {
  readonly client?: SecretsManagerClient;
  /** How long a read is used before the secret is read again. @default 60000 */
  readonly ttlMs?: number;
  /** After a failed read, how long to answer from the last keys (or with that failure) before trying again. @default 1000 */
  readonly retryAfterFailureMs?: number;
  readonly now?: Clock;
  /** @default console.error */
  readonly logError?: (message: string, error?: unknown) => void;
}

/**
 * Reads the secret at most once per `ttlMs`, one read at a time, and while Secrets Manager fails at most once per
 * `retryAfterFailureMs`: a flood of requests during an outage neither piles onto it nor waits on it. A failure with
 * no keys read yet is thrown (the same error object until the next attempt, so callers can log it once).
 */
export function secretsManagerApiKeys(secretId: string, options: SecretsManagerKeyOptions = {}): ApiKeySource {
  const { ttlMs = 60_000, retryAfterFailureMs = 1000, now = systemClock, logError = defaultLambdaIo.logError } = options;
  let cached: { keys: ApiKeys; at: number } | undefined;
  let failure: { error: unknown; at: number } | undefined;
  let inFlight: Promise<ApiKeys> | undefined;
  let secrets = options.client;

  const client = (): SecretsManagerClient => {
    // Loaded on first use: a local run (API_KEYS_JSON) never pays for the Secrets Manager client.
    const { SecretsManagerClient: Client } = require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
    const { NodeHttpHandler } = require('@smithy/node-http-handler') as typeof import('@smithy/node-http-handler');
    // Bounded: an unreachable Secrets Manager must leave time to answer 503 well within the function's timeout.
    const requestHandler = new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 2000 });
    return (secrets ??= new Client({ maxAttempts: 2, requestHandler }));
  };

  async function read(): Promise<ApiKeys> {
    try {
      const { GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
      const out = await client().send(new GetSecretValueCommand({ SecretId: secretId }));
      cached = { keys: parseKeys(out.SecretString ?? '{}', `secret ${secretId}`), at: now() };
      failure = undefined;
      return cached.keys;
    } catch (error) {
      failure = { error, at: now() };
      if (!cached) throw error;
      // Keep serving with the last keys we had rather than locking every caller out.
      logError('api keys refresh failed; using the cached keys', error);
      return cached.keys;
    }
  }

  return {
    async get() {
      if (cached && now() - cached.at < ttlMs) return cached.keys;
      if (failure && now() - failure.at < retryAfterFailureMs) {
        if (cached) return cached.keys;
        throw failure.error;
      }
      inFlight ??= read().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}

/**
 * The key source for a Lambda from its environment. Throws when none is configured: a function deployed without
 * its key secret is a deployment error, and failing its init says so instead of serving everyone.
 */
export function apiKeysFromEnv(env: NodeJS.ProcessEnv = process.env, options: Omit<SecretsManagerKeyOptions, 'client'> = {}): ApiKeySource {
  const json = env[API_KEYS_ENV.json];
  const secretArn = env[API_KEYS_ENV.secretArn];
  if (json) return staticApiKeys(parseKeys(json, API_KEYS_ENV.json));
  if (secretArn) return secretsManagerApiKeys(secretArn, options);
  throw new Error(
    'no API keys configured: set API_KEYS_SECRET_ARN (the Secrets Manager secret of keys) or API_KEYS_JSON; refusing to serve without authentication',
  );
}
