/**
 * The record the ingestion API writes to the event stream, one JSON document per Kinesis record,
 * partition key = `userKey`. The journey processor, the S3 archive (Glue table) and exposures from
 * the flag Lambda all share this shape. Flags follow OpenTelemetry's `feature_flag.*` names.
 */
export interface FeatureFlagSeen {
  readonly 'feature_flag.key': string;
  readonly 'feature_flag.result.variant': string;
  readonly 'feature_flag.provider.name'?: string;
}

export interface EventRecord {
  /** Given by the client (Segment's `messageId`); with `userKey`, the dedupe key: unique per user, not across users. */
  readonly messageId: string;
  /** `track` for product events; `exposure` for flag exposures recorded by the flag Lambda. */
  readonly type: 'track' | 'exposure';
  /** Event name, e.g. `checkout_started`; `$exposure` for exposures. */
  readonly event: string;
  readonly userId?: string;
  readonly anonymousId?: string;
  /** `userId ?? anonymousId`: the partition key, so one user's events keep their order. */
  readonly userKey: string;
  /** When it happened, ISO 8601, corrected for client clock skew. */
  readonly timestamp: string;
  /** When the API received it, ISO 8601 (server clock). */
  readonly receivedAt: string;
  readonly properties: Record<string, unknown>;
  /** Flags and variants the user saw when the event happened. */
  readonly featureFlags: readonly FeatureFlagSeen[];
  /** The rest of the client's `context` (library, page, userAgent...). */
  readonly context: Record<string, unknown>;
}

export const EXPOSURE_EVENT = '$exposure';
