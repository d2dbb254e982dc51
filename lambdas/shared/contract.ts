/**
 * Environment conventions every function shares, for the per-function contracts (`lambdas/<function>/contract.ts`)
 * that constructs and handlers both import. No runtime dependencies: constructs load this, not handler code.
 */

/** Where a keyed function (flags, ingest) finds its API keys: the Secrets Manager secret, or inline JSON locally. */
export const API_KEYS_ENV = { secretArn: 'API_KEYS_SECRET_ARN', json: 'API_KEYS_JSON' } as const;

/** A comma-separated list in one variable (Lambda environment values are strings). */
export const listToEnv = (values: readonly string[]): string => values.join(',');
export const listFromEnv = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

export function requiredEnv(env: Readonly<Record<string, string | undefined>>, name: string, why = ''): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is required${why ? `: ${why}` : ''}`);
  return value;
}
