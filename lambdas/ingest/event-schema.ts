import * as z from 'zod/mini';
import { EXPOSURE_EVENT, type FeatureFlagSeen } from '../../domain/events/event-record';

/**
 * What a client may send to `POST /v1/events`: Segment `track` calls, with the flags the user saw in
 * `context.featureFlags` using OpenTelemetry's `feature_flag.*` names. Unknown top-level fields
 * (integrations, channel, _metadata...) are dropped; the rest of `context` is kept as is.
 *
 * zod/mini rather than zod: the same core, but tree-shakable: the handler bundle measured 443 KB
 * with `import { z } from 'zod'`, 83 KB of it zod with `import * as z from 'zod'`, 12 KB with
 * zod/mini (bench/ingest.bench.js). Mini has no default English messages, so every check names its own.
 */
export const INGEST_LIMITS = {
  /** One event, measured as the JSON of the record stored for it. */
  maxEventBytes: 32 * 1024,
  /** The whole request body. */
  maxBatchBytes: 500 * 1024,
  maxBatchEvents: 500,
  /** Kinesis partition keys are at most 256 characters, and the user key is the partition key. */
  maxIdLength: 256,
  maxMessageIdLength: 128,
  /** Journey steps are event names and are at most 255 characters. */
  maxEventNameLength: 255,
  maxFlagsPerEvent: 100,
  /**
   * Levels of objects and arrays in one event, the event itself being level 1 (so `properties` holds 30 more).
   * Real analytics payloads nest a few levels; 32 leaves room for all of them while staying two orders of
   * magnitude below the ~4,000 levels at which JSON.stringify (and any recursive consumer) throws.
   */
  maxEventDepth: 32,
} as const;

const ISO_HINT = 'must be an ISO 8601 date-time with a time zone, e.g. 2024-05-01T12:00:00.000Z';
export const isoTimestampSchema = z.iso.datetime({ offset: true, error: ISO_HINT });

const text = (min: number, max: number, required = 'must be a string') =>
  z.string({ error: required }).check(z.minLength(min, 'must not be empty'), z.maxLength(max, `must be at most ${max} characters`));

// Ids and names become partition keys, table keys and metric dimensions, where a NUL or an escape is never meant.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const identifier = (min: number, max: number, required?: string) =>
  text(min, max, required).check(z.refine((value) => !CONTROL_CHARACTER.test(value), 'must not contain control characters'));

// analytics.js sends `"userId": null` for users not identified yet, so null means absent.
const userIdentifier = z.nullish(identifier(1, INGEST_LIMITS.maxIdLength));

const flagName = identifier(1, 255);

/**
 * Accepts the current (`feature_flag.result.variant`) and older (`feature_flag.variant`) semconv names;
 * `normalizeFlag` maps either to the shared shape. Not a zod transform: a plain function after
 * validation measured half the cost per flag (bench/ingest.bench.js).
 */
const featureFlagSeenSchema = z
  .object(
    {
      'feature_flag.key': identifier(1, 255, 'is required (the flag key)'),
      'feature_flag.result.variant': z.optional(flagName),
      'feature_flag.variant': z.optional(flagName),
      'feature_flag.provider.name': z.optional(text(0, 255)),
      'feature_flag.provider_name': z.optional(text(0, 255)),
    },
    { error: 'must be an object' },
  )
  .check(
    z.refine((flag) => flag['feature_flag.result.variant'] !== undefined || flag['feature_flag.variant'] !== undefined, {
      message: 'needs feature_flag.result.variant (or the older feature_flag.variant)',
    }),
  );

export function normalizeFlag(flag: z.output<typeof featureFlagSeenSchema>): FeatureFlagSeen {
  const variant = (flag['feature_flag.result.variant'] ?? flag['feature_flag.variant']) as string;
  const provider = flag['feature_flag.provider.name'] ?? flag['feature_flag.provider_name'];
  return provider === undefined
    ? { 'feature_flag.key': flag['feature_flag.key'], 'feature_flag.result.variant': variant }
    : { 'feature_flag.key': flag['feature_flag.key'], 'feature_flag.result.variant': variant, 'feature_flag.provider.name': provider };
}

const contextSchema = z.looseObject(
  {
    featureFlags: z.optional(
      z
        .array(featureFlagSeenSchema, { error: 'must be an array of flags' })
        .check(z.maxLength(INGEST_LIMITS.maxFlagsPerEvent, `must list at most ${INGEST_LIMITS.maxFlagsPerEvent} flags`)),
    ),
  },
  { error: 'must be an object' },
);

export const trackEventSchema = z
  .object(
    {
      messageId: identifier(1, INGEST_LIMITS.maxMessageIdLength, 'is required (a string unique per event, used to drop duplicates)'),
      type: z._default(z.literal('track', { error: "must be 'track' (the only event type this API takes)" }), 'track'),
      event: identifier(1, INGEST_LIMITS.maxEventNameLength, 'is required (the event name)').check(
        z.refine((name) => name !== EXPOSURE_EVENT, `"${EXPOSURE_EVENT}" is reserved for exposures recorded by the flag service`),
      ),
      userId: userIdentifier,
      anonymousId: userIdentifier,
      timestamp: z.optional(isoTimestampSchema),
      sentAt: z.optional(isoTimestampSchema),
      properties: z.optional(z.record(z.string(), z.unknown(), { error: 'must be an object' })),
      context: z.optional(contextSchema),
    },
    { error: 'an event must be a JSON object' },
  )
  .check(
    z.refine((event) => (event.userId ?? event.anonymousId) != null, {
      message: 'userId or anonymousId is required',
      path: ['userId'],
    }),
  );

export type TrackEvent = z.output<typeof trackEventSchema>;

/** `{"batch": [...], "sentAt"?}`; events are validated one by one afterwards, so a bad one rejects only itself. */
export const batchEnvelopeSchema = z.object({
  batch: z.array(z.unknown(), { error: 'must be an array of events' }),
  sentAt: z.optional(isoTimestampSchema),
});

/** `path: message` for each issue, so a reason names the field. */
export function describeIssues(error: { readonly issues: readonly z.core.$ZodIssue[] }): string {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}
