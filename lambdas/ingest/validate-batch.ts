import type { EventRecord } from '../../domain/events/event-record';
import { HttpError } from '../shared/http';
import { correctTimestamp } from './clock-skew';
import { encodeRecord, type EncodedRecord } from './encoded-record';
import { batchEnvelopeSchema, describeIssues, INGEST_LIMITS, normalizeFlag, trackEventSchema, type TrackEvent } from './event-schema';
import { eventShapeProblem, type ShapeProblem } from './event-shape';
import { jsonDepthExceeds } from '../shared/json-depth';

/**
 * The pure core of ingestion: a parsed request body -> the records to write, plus the events refused
 * one by one. Problems with the request as a whole (not a batch, too many events) throw an HttpError.
 */
export interface RejectedEvent {
  readonly index: number;
  readonly messageId?: string;
  readonly errorCode: 'INVALID_EVENT' | 'EVENT_TOO_LARGE' | 'TIMESTAMP_OUT_OF_RANGE' | ShapeProblem['errorCode'];
  readonly reason: string;
}

export interface DuplicateEvent {
  readonly index: number;
  readonly messageId: string;
}

export interface AcceptedEvent extends EncodedRecord {
  /** Position in the request's batch. */
  readonly index: number;
}

export interface ValidatedBatch {
  /** In batch order. */
  readonly accepted: readonly AcceptedEvent[];
  readonly rejected: readonly RejectedEvent[];
  readonly duplicates: readonly DuplicateEvent[];
}

/** `{"batch": [...]}` or a single event object. */
function eventsOf(body: unknown): { events: readonly unknown[]; sentAt?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    // Not splittable into events, so its depth is the request's: envelope, batch and the deepest event allowed.
    if (jsonDepthExceeds(body, INGEST_LIMITS.maxEventDepth + 2)) {
      throw new HttpError(400, 'TOO_DEEP', `request body nests deeper than ${INGEST_LIMITS.maxEventDepth + 2} levels and is not a batch`);
    }
    throw new HttpError(400, 'INVALID_BATCH', 'request body must be a JSON object: {"batch": [event, ...]} or a single event');
  }
  if (!('batch' in body)) return { events: [body] };
  const envelope = batchEnvelopeSchema.safeParse(body);
  if (!envelope.success) throw new HttpError(400, 'INVALID_BATCH', describeIssues(envelope.error));
  if (envelope.data.batch.length > INGEST_LIMITS.maxBatchEvents) {
    throw new HttpError(
      413,
      'TOO_MANY_EVENTS',
      `batch has ${envelope.data.batch.length} events; the limit is ${INGEST_LIMITS.maxBatchEvents} a request`,
    );
  }
  return { events: envelope.data.batch, sentAt: envelope.data.sentAt };
}

function messageIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as { messageId?: unknown }).messageId;
  // Echoed in the answer only when it could be a messageId, so a 400 KB one is not sent back.
  return typeof id === 'string' && id.length > 0 && id.length <= INGEST_LIMITS.maxMessageIdLength ? id : undefined;
}

function toRecord(event: TrackEvent, timestampMs: number, receivedAt: string): EventRecord {
  const { featureFlags, ...context } = event.context ?? {};
  const userId = event.userId ?? undefined;
  const anonymousId = event.anonymousId ?? undefined;
  return {
    messageId: event.messageId,
    type: 'track',
    event: event.event,
    // undefined ids vanish from the JSON, as absent fields should.
    userId,
    anonymousId,
    userKey: (userId ?? anonymousId) as string,
    timestamp: new Date(timestampMs).toISOString(),
    receivedAt,
    properties: event.properties ?? {},
    featureFlags: featureFlags === undefined ? [] : featureFlags.map(normalizeFlag),
    context,
  };
}

type EventCheck = { ok: true; encoded: EncodedRecord } | { ok: false; rejection: Omit<RejectedEvent, 'index' | 'messageId'> };

function checkEvent(raw: unknown, batchSentAtMs: number | undefined, receivedAtMs: number, receivedAt: string): EventCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      rejection: {
        errorCode: 'INVALID_EVENT',
        reason: `an event must be a JSON object, got ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : typeof raw}`,
      },
    };
  }
  // Before anything recursive (the schema's copy, JSON.stringify) touches the event.
  const shape = eventShapeProblem(raw);
  if (shape) return { ok: false, rejection: shape };
  const parsed = trackEventSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, rejection: { errorCode: 'INVALID_EVENT', reason: describeIssues(parsed.error) } };
  const event = parsed.data;
  const skew = correctTimestamp({
    timestampMs: event.timestamp === undefined ? undefined : Date.parse(event.timestamp),
    sentAtMs: event.sentAt === undefined ? batchSentAtMs : Date.parse(event.sentAt),
    receivedAtMs,
  });
  if (!skew.ok) return { ok: false, rejection: { errorCode: 'TIMESTAMP_OUT_OF_RANGE', reason: skew.reason } };
  // Measured as stored (the record's JSON), which is also what is sent: one serialization per event.
  const encoded = encodeRecord(toRecord(event, skew.timestampMs, receivedAt));
  const size = encoded.data.byteLength;
  if (size > INGEST_LIMITS.maxEventBytes) {
    return {
      ok: false,
      rejection: { errorCode: 'EVENT_TOO_LARGE', reason: `event is ${size} bytes as stored; the limit is ${INGEST_LIMITS.maxEventBytes}` },
    };
  }
  return { ok: true, encoded };
}

export function validateBatch(body: unknown, receivedAtMs: number): ValidatedBatch {
  const { events, sentAt } = eventsOf(body);
  const receivedAt = new Date(receivedAtMs).toISOString();
  const batchSentAtMs = sentAt === undefined ? undefined : Date.parse(sentAt);
  const accepted: AcceptedEvent[] = [];
  const rejected: RejectedEvent[] = [];
  const duplicates: DuplicateEvent[] = [];
  const seen = new Set<string>();
  events.forEach((raw, index) => {
    const check = checkEvent(raw, batchSentAtMs, receivedAtMs, receivedAt);
    if (!check.ok) {
      const messageId = messageIdOf(raw);
      rejected.push({ index, ...(messageId !== undefined ? { messageId } : {}), ...check.rejection });
      return;
    }
    // Only valid events count for dedupe: a broken first copy must not shadow a good second one.
    const { messageId } = check.encoded.record;
    if (seen.has(messageId)) {
      duplicates.push({ index, messageId });
      return;
    }
    seen.add(messageId);
    accepted.push({ index, record: check.encoded.record, data: check.encoded.data });
  });
  return { accepted, rejected, duplicates };
}
