/** One IAM authorization AWS performs for an API call: an action on a resource, with the context keys it adds. */
export interface Authorization {
  readonly action: string;
  readonly resource: string;
  /** Service-specific condition keys AWS sets for this request, e.g. `ecs:cluster`. */
  readonly context?: Readonly<Record<string, string | string[]>>;
}

/** One AWS API call seen by the recording proxy, and what IAM would authorize for it. */
export interface RecordedCall {
  /** The SigV4 access key id: callers give each Lambda its own, so a call names the function that made it. */
  readonly principal: string;
  /** The IAM service prefix, e.g. `kinesis` (CloudWatch signs as `monitoring`; this says `cloudwatch`). */
  readonly service: string;
  /** The API operation, e.g. `PutRecords`; `''` when the request named none. */
  readonly operation: string;
  readonly region: string;
  /** The HTTP status the (local) service answered; AWS authorizes a call before it can fail for other reasons. */
  readonly status: number;
  /** Every (action, resource) pair, in request order. A `TransactWriteItems` gives one per item. */
  readonly authorizations: readonly Authorization[];
  /** The distinct actions and resources of `authorizations`, for short assertions. */
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** Set when the mapper could not tell what IAM authorizes: such a call must fail a check, not pass it. */
  readonly unknown?: true;
  readonly unknownReason?: string;
}

/** What a mapper says about a call: its authorizations, or why it cannot tell. */
export type Mapping = readonly Authorization[] | Unmapped;
export interface Unmapped {
  readonly unknown: string;
}
export const unmapped = (reason: string): Unmapped => ({ unknown: reason });
export const isUnmapped = (mapping: Mapping): mapping is Unmapped => 'unknown' in mapping;

/** Builds a RecordedCall's summary fields from its authorizations. */
export function recordedCall(
  base: Pick<RecordedCall, 'principal' | 'service' | 'operation' | 'region' | 'status'>,
  mapping: Mapping,
): RecordedCall {
  if (isUnmapped(mapping))
    return { ...base, authorizations: [], actions: [], resources: [], unknown: true, unknownReason: mapping.unknown };
  const distinct = (values: string[]) => [...new Set(values)];
  return {
    ...base,
    authorizations: mapping,
    actions: distinct(mapping.map((a) => a.action)),
    resources: distinct(mapping.map((a) => a.resource)),
  };
}
