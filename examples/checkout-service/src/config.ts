/** The service's settings, from its environment; a bad value stops it at start with the variable named. */
import * as z from 'zod';

const configSchema = z.object({
  PORT: z.coerce.number({ error: 'PORT must be a number' }).int().min(0).max(65535).default(8080),
  FLAGS_URL: z.url({ error: 'FLAGS_URL must be the flag API base URL (the flags_url output)' }),
  FLAGS_SERVER_KEY: z.string().min(1, 'FLAGS_SERVER_KEY must be a server key from the flags_api_keys_secret secret').optional(),
  EVENTS_URL: z.url({ error: 'EVENTS_URL must be the ingestion base URL (the events_url output)' }),
  EVENTS_WRITE_KEY: z.string().min(1, 'EVENTS_WRITE_KEY must be a write key from the events_write_key_secret secret').optional(),
  FLAGS_TIMEOUT_MS: z.coerce.number({ error: 'FLAGS_TIMEOUT_MS must be a number' }).int().positive().optional(),
  EVENTS_TIMEOUT_MS: z.coerce.number({ error: 'EVENTS_TIMEOUT_MS must be a number' }).int().positive().optional(),
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
  };
}
