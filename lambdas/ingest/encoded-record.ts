import type { EventRecord } from '../../domain/events/event-record';
import type { StreamEntry } from './put-in-order';

/**
 * An EventRecord with its bytes, encoded once: validation measures them against the size limit and
 * the stream writer sends the same bytes, so no event is serialized twice on the hot path.
 */
export interface EncodedRecord {
  readonly record: EventRecord;
  /** UTF-8 of `JSON.stringify(record)`: one JSON document per stream record. */
  readonly data: Buffer;
}

export const encodeRecord = (record: EventRecord): EncodedRecord => ({ record, data: Buffer.from(JSON.stringify(record), 'utf8') });

/** Partitioned by user, so a user's events stay on one shard. */
export const toStreamEntry = (encoded: EncodedRecord): StreamEntry => ({ partitionKey: encoded.record.userKey, data: encoded.data });
