/** The production stack's outputs as local production needs them, from `terraform output -json`. */
import * as z from 'zod';

const output = z.object({ value: z.string({ error: 'must be a string' }).min(1, 'must not be empty') });

const outputsSchema = z.object({
  flags_table: output,
  flags_api_keys_secret: output,
  events_write_key_secret: output,
  event_stream: output,
  analytics_table: output,
  service_url: output,
  dashboard_url: output,
  repository_url: output,
});

export interface ProductionOutputs {
  readonly flagsTable: string;
  readonly flagsApiKeysSecret: string;
  readonly eventsWriteKeySecret: string;
  readonly eventStream: string;
  readonly analyticsTable: string;
  readonly serviceUrl: string;
  readonly dashboardUrl: string;
  readonly repositoryUrl: string;
}

export function parseProductionOutputs(json: string): ProductionOutputs {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new Error(`terraform output -json printed no JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = outputsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `terraform outputs are missing or wrong: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const o = parsed.data;
  return {
    flagsTable: o.flags_table.value,
    flagsApiKeysSecret: o.flags_api_keys_secret.value,
    eventsWriteKeySecret: o.events_write_key_secret.value,
    eventStream: o.event_stream.value,
    analyticsTable: o.analytics_table.value,
    serviceUrl: o.service_url.value,
    dashboardUrl: o.dashboard_url.value,
    repositoryUrl: o.repository_url.value,
  };
}
