import type { Authorization, Mapping } from '../recorded-call';

/** What a service's mapper knows about one call. */
export interface ServiceCall {
  readonly operation: string;
  readonly input: Record<string, unknown>;
  /** The parsed JSON response, when there is one: some resources are only named there. */
  readonly output: Record<string, unknown> | undefined;
}

/** State a recorder keeps across calls, so a later call can be attributed to the resource it acts on. */
export interface MappingContext {
  readonly accountId: string;
  readonly region: string;
  /** Kinesis shard iterators and ListShards tokens seen in responses, to the stream ARN they belong to. */
  readonly kinesisTokens: Map<string, string>;
}

export interface ServiceMapping {
  /** How AWS documentation names the service, for messages: `DynamoDB`, `Kinesis`. */
  readonly displayName: string;
  map(call: ServiceCall, context: MappingContext): Mapping;
}

export const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

export const arn = (
  service: string,
  context: MappingContext,
  resource: string,
  account = context.accountId,
  region = context.region,
): string => `arn:aws:${service}:${region}:${account}:${resource}`;

export const authorize = (action: string, resource: string, context?: Authorization['context']): Authorization =>
  context ? { action, resource, context } : { action, resource };
