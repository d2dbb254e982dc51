/** The service's settings, from its environment; a bad value stops it at start with the variable named. */
import * as z from 'zod';

/** The drill setting: the share of one-page payments that fail (see checkout-app.ts). */
export const FAIL_ONE_PAGE_PAYMENTS_VAR = 'CHECKOUT_FAIL_ONE_PAGE_PAYMENTS';

const shareMessage = (name: string) => `${name} must be a share from 0 to 1 (0.5: half of the one-page payments fail)`;

/** A share of failing one-page payments, from a string (an environment variable or a flag named `name`); 0 when unset or empty. */
export function failureShareSchema(name: string) {
  return z.coerce
    .number({ error: shareMessage(name) })
    .min(0, shareMessage(name))
    .max(1, shareMessage(name))
    .default(0);
}

/** Parses `value` as failureShareSchema does, throwing an error that names `name` and the value given. */
export function parseFailureShare(value: string | undefined, name: string): number {
  const parsed = failureShareSchema(name).safeParse(value);
  if (!parsed.success) throw new Error(`${parsed.error.issues[0]?.message ?? shareMessage(name)}, got '${value}'`);
  return parsed.data;
}

const configSchema = z.object({
  PORT: z.coerce.number({ error: 'PORT must be a number' }).int().min(0).max(65535).default(8080),
  FLAGS_URL: z.url({ error: 'FLAGS_URL must be the flag API base URL (the flags_url output)' }),
  FLAGS_SERVER_KEY: z.string().min(1, 'FLAGS_SERVER_KEY must be a server key from the flags_api_keys_secret secret').optional(),
  EVENTS_URL: z.url({ error: 'EVENTS_URL must be the ingestion base URL (the events_url output)' }),
  EVENTS_WRITE_KEY: z.string().min(1, 'EVENTS_WRITE_KEY must be a write key from the events_write_key_secret secret').optional(),
  FLAGS_TIMEOUT_MS: z.coerce.number({ error: 'FLAGS_TIMEOUT_MS must be a number' }).int().positive().optional(),
  EVENTS_TIMEOUT_MS: z.coerce.number({ error: 'EVENTS_TIMEOUT_MS must be a number' }).int().positive().optional(),
  [FAIL_ONE_PAGE_PAYMENTS_VAR]: failureShareSchema(FAIL_ONE_PAGE_PAYMENTS_VAR),
});

export interface CheckoutServiceConfig {
  readonly port: number;
  readonly flagsUrl: string;
  readonly flagsServerKey?: string;
  readonly eventsUrl: string;
  readonly eventsWriteKey?: string;
  /** How long a flag evaluation may take before the code default is used. @default 2000 */
  readonly flagsTimeoutMs?: number;
  /** Per attempt to store an event. @default 2000 */
  readonly eventsTimeoutMs?: number;
  /**
   * A drill: the share (0..1) of one-page checkout payments that fail, so a guarded rollout of `new-checkout` can be
   * watched rolling back. Which shoppers fail is fixed per shopper. @default 0 (no payment fails)
   */
  readonly failOnePagePayments?: number;
}

export function configFromEnv(env: NodeJS.ProcessEnv): CheckoutServiceConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `checkout-service: bad configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const c = parsed.data;
  return {
    port: c.PORT,
    flagsUrl: c.FLAGS_URL,
    flagsServerKey: c.FLAGS_SERVER_KEY,
    eventsUrl: c.EVENTS_URL,
    eventsWriteKey: c.EVENTS_WRITE_KEY,
    flagsTimeoutMs: c.FLAGS_TIMEOUT_MS,
    eventsTimeoutMs: c.EVENTS_TIMEOUT_MS,
    failOnePagePayments: c[FAIL_ONE_PAGE_PAYMENTS_VAR],
  };
}
