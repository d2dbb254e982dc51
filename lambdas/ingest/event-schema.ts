import { z } from 'zod';
import { EXPOSURE_EVENT, type FeatureFlagSeen } from '../shared/event-record';

/**
 * What a client may send to `POST /v1/events`: Segment `track` calls, with the flags the user saw in
 * `context.featureFlags` using OpenTelemetry's `feature_flag.*` names. Unknown top-level fields
 * (integrations, channel, _metadata...) are dropped; the rest of `context` is kept as is.
 */
export const INGEST_LIMITS = {
  /** One event, measured as its JSON. */
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
} as const;

const ISO_HINT = 'must be an ISO 8601 date-time with a time zone, e.g. 2024-05-01T12:00:00.000Z';
export const isoTimestampSchema = z.iso.datetime({ offset: true, message: ISO_HINT });

// analytics.js sends `"userId": null` for users not identified yet, so null means absent.
const userIdentifier = z
  .string()
  .min(1, 'must not be empty')
  .max(INGEST_LIMITS.maxIdLength, `must be at most ${INGEST_LIMITS.maxIdLength} characters`)
  .nullish();

const flagName = z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters');

/** Accepts the current (`feature_flag.result.variant`) and older (`feature_flag.variant`) semconv names. */
const featureFlagSeenSchema = z
  .object({
    'feature_flag.key': flagName,
    'feature_flag.result.variant': flagName.optional(),
    'feature_flag.variant': flagName.optional(),
    'feature_flag.provider.name': z.string().max(255).optional(),
    'feature_flag.provider_name': z.string().max(255).optional(),
  })
  .refine((flag) => flag['feature_flag.result.variant'] !== undefined || flag['feature_flag.variant'] !== undefined, {
    message: 'needs feature_flag.result.variant (or the older feature_flag.variant)',
  })
  .transform((flag): FeatureFlagSeen => {
    const provider = flag['feature_flag.provider.name'] ?? flag['feature_flag.provider_name'];
    return {
      'feature_flag.key': flag['feature_flag.key'],
      'feature_flag.result.variant': (flag['feature_flag.result.variant'] ?? flag['feature_flag.variant']) as string,
      ...(provider !== undefined ? { 'feature_flag.provider.name': provider } : {}),
    };
  });

const contextSchema = z.looseObject({
  featureFlags: z
    .array(featureFlagSeenSchema)
    .max(INGEST_LIMITS.maxFlagsPerEvent, `must list at most ${INGEST_LIMITS.maxFlagsPerEvent} flags`)
    .optional(),
});

export const trackEventSchema = z
  .object({
    messageId: z
      .string({ message: 'is required (a string unique per event, used to drop duplicates)' })
      .min(1, 'must not be empty')
      .max(INGEST_LIMITS.maxMessageIdLength, `must be at most ${INGEST_LIMITS.maxMessageIdLength} characters`),
    type: z.literal('track', { message: "must be 'track' (the only event type this API takes)" }).default('track'),
    event: z
      .string({ message: 'is required (the event name)' })
      .min(1, 'must not be empty')
      .max(INGEST_LIMITS.maxEventNameLength, `must be at most ${INGEST_LIMITS.maxEventNameLength} characters`)
      .refine((name) => name !== EXPOSURE_EVENT, `"${EXPOSURE_EVENT}" is reserved for exposures recorded by the flag service`),
    userId: userIdentifier,
    anonymousId: userIdentifier,
    timestamp: isoTimestampSchema.optional(),
    sentAt: isoTimestampSchema.optional(),
    properties: z.record(z.string(), z.unknown(), { message: 'must be an object' }).optional(),
    context: contextSchema.optional(),
  })
  .refine((event) => (event.userId ?? event.anonymousId) != null, {
    message: 'userId or anonymousId is required',
    path: ['userId'],
  });

export type TrackEvent = z.output<typeof trackEventSchema>;

/** `{"batch": [...], "sentAt"?}`; events are validated one by one afterwards, so a bad one rejects only itself. */
export const batchEnvelopeSchema = z.object({
  batch: z.array(z.unknown(), { message: 'must be an array of events' }),
  sentAt: isoTimestampSchema.optional(),
});

/** `path: message` for each issue, so a reason names the field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
