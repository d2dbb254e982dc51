/**
 * What `monoenv smoke` needs from the production stack's outputs: where the service, the flag API and the
 * ingestion API answer, and which secrets hold their keys. Accepts `terraform output -json`, cdktf's
 * `--outputs-file` (`{"production": {...}}`) and a flat `{"service_url": "..."}` map.
 */
import { z } from 'zod';

export type SmokeOutputsErrorCode = 'OUTPUTS_INVALID';

export class SmokeOutputsError extends Error {
  readonly code: SmokeOutputsErrorCode = 'OUTPUTS_INVALID';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source} lacks what the smoke check needs:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'SmokeOutputsError';
  }
}

const httpUrl = () =>
  z.url({
    protocol: /^https?$/,
    error: (issue) => (issue.input === undefined ? 'missing' : `must be an http(s) URL, got ${JSON.stringify(issue.input)}`),
  });

export const smokeOutputsSchema = z.object({
  service_url: httpUrl(),
  flags_url: httpUrl(),
  events_url: httpUrl(),
  flags_api_keys_secret: z.string().min(1).optional(),
  events_write_key_secret: z.string().min(1).optional(),
});

export type SmokeOutputs = z.infer<typeof smokeOutputsSchema>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{"name": {"value": ..., "type": ..., "sensitive": ...}}` (terraform) or `{"name": value}` (flat). */
function flatten(raw: Record<string, unknown>): Record<string, unknown> {
  const values = Object.values(raw);
  if (values.length > 0 && values.every((value) => isRecord(value) && 'value' in value)) {
    return Object.fromEntries(Object.entries(raw).map(([name, output]) => [name, (output as { value: unknown }).value]));
  }
  return raw;
}

/**
 * Any accepted outputs form as a flat `{"name": value}` map; `source` names where they came from in errors.
 * cdktf's `--outputs-file` nests the outputs under the stack name.
 */
export function normalizeOutputs(raw: unknown, source = 'outputs', stack = 'production'): Record<string, unknown> {
  if (!isRecord(raw)) throw new SmokeOutputsError(source, ['(root): must be a JSON object of outputs']);
  return flatten(isRecord(raw[stack]) && !('service_url' in raw) ? raw[stack] : raw);
}

/** Validates outputs in any accepted form. Unknown outputs are ignored. */
export function parseSmokeOutputs(raw: unknown, source = 'outputs', stack = 'production'): SmokeOutputs {
  const result = smokeOutputsSchema.safeParse(normalizeOutputs(raw, source, stack));
  if (result.success) return result.data;
  throw new SmokeOutputsError(
    source,
    result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
  );
}

/** Joins a base URL (a function URL ends in `/`) and an absolute path, keeping any path prefix of the base. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
