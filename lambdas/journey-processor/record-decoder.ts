import * as z from 'zod/mini';
import type { EventRecord } from '../../domain/events/event-record';
import { MAX_MESSAGE_ID_BYTES, MAX_USER_KEY_BYTES } from './table-keys';
import '../../domain/zod-english';

/**
 * Kinesis record data (base64 JSON) -> EventRecord, or a machine-readable reason why not. The limits
 * keep every key this record produces inside DynamoDB's key size limits (table-keys.ts), so a bad record
 * is caught here rather than failing forever at write time.
 */
/**
 * Every string that becomes part of a key. Well-formed Unicode: keys are stored as UTF-8, which has no
 * lone surrogates, so such a key fails on every write (or two of them become one key).
 */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u; // in `u` mode a surrogate pair is one code point and does not match
const wellFormed = z.refine<string>((s) => !LONE_SURROGATE.test(s), {
  message: 'must be well-formed Unicode (no lone surrogates)',
  abort: true,
});
const text = (maxLength: number) => z.string().check(z.minLength(1), wellFormed, z.maxLength(maxLength));
/** DynamoDB measures keys in UTF-8 bytes; a character limit would let 3-byte characters through. */
const keyText = (maxBytes: number) =>
  z.string().check(
    z.minLength(1),
    wellFormed,
    z.refine((s) => Buffer.byteLength(s, 'utf8') <= maxBytes, `must be at most ${maxBytes} bytes (UTF-8)`),
  );

const featureFlagSeenSchema = z.object({
  'feature_flag.key': text(255),
  'feature_flag.result.variant': text(255),
  'feature_flag.provider.name': z.optional(z.string()),
});

const isoDate = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date'));

export const eventRecordSchema = z.object({
  messageId: keyText(MAX_MESSAGE_ID_BYTES),
  type: z.enum(['track', 'exposure']),
  event: text(255),
  userId: z.optional(z.string()),
  anonymousId: z.optional(z.string()),
  userKey: keyText(MAX_USER_KEY_BYTES),
  timestamp: isoDate,
  receivedAt: isoDate,
  properties: z.record(z.string(), z.unknown()),
  featureFlags: z.array(featureFlagSeenSchema),
  context: z.record(z.string(), z.unknown()),
});

export type DecodeResult =
  | { readonly ok: true; readonly record: EventRecord }
  | { readonly ok: false; readonly code: 'INVALID_JSON' | 'INVALID_RECORD'; readonly message: string };

export function decodeRecord(base64Data: string): DecodeResult {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(base64Data, 'base64').toString('utf8'));
  } catch (err) {
    return { ok: false, code: 'INVALID_JSON', message: `record data is not base64 JSON: ${(err as Error).message}` };
  }
  const parsed = eventRecordSchema.safeParse(value);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ');
    return { ok: false, code: 'INVALID_RECORD', message };
  }
  return { ok: true, record: parsed.data };
}
