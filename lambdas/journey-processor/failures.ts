/**
 * Which processing errors are permanent, and what the processor does with a record that has one. No AWS here.
 *
 * Permanent: the record itself can never succeed, whatever is retried or fixed around it. It is recorded (a
 * `RecordSkipped` metric by reason and a message on the failure queue) and skipped, so the records behind it
 * are not held up:
 * - INVALID_JSON, INVALID_RECORD: the data is not an EventRecord (record-decoder.ts);
 * - PROCESSING_FAILED: the pure core threw on it (it is deterministic, so it would throw on every retry);
 * - EVENT_TOO_LARGE: its own writes do not fit one DynamoDB transaction even with the experiment
 *   aggregates moved to the outbox (transaction-plan.ts), e.g. an exposure record naming 98 flags new to the user;
 * - REJECTED_BY_DYNAMODB: DynamoDB refused the request as invalid (ValidationException, or a transaction
 *   item's ValidationError, e.g. an item over 400 KB): the same request is refused every time.
 * Transient: everything else, above all what is not about the record: throttling, network errors and
 * timeouts, transaction conflicts, lost optimistic-lock races, access denied, a missing table. Skipping
 * on those would drop every record while the cause lasts, so the record and all after it are retried in
 * order (the event source mapping's retry limit and on-failure destination bound that).
 */
export type PermanentReason = 'INVALID_JSON' | 'INVALID_RECORD' | 'PROCESSING_FAILED' | 'EVENT_TOO_LARGE' | 'REJECTED_BY_DYNAMODB';

export class PermanentRecordError extends Error {
  constructor(
    readonly reason: PermanentReason,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentRecordError';
  }
}

/** A record the processor skipped: what the failure queue gets, enough to find it in the stream or the archive. */
export interface SkippedRecord {
  readonly reason: PermanentReason;
  readonly message: string;
  readonly sequenceNumber: string;
  /** From the Kinesis record's eventID / eventSourceARN, when the event source gives them. */
  readonly shardId?: string;
  readonly streamArn?: string;
  /** When the record decoded far enough to have one. */
  readonly messageId?: string;
}

/** Where skipped records are recorded (the processor's failure queue). */
export interface FailureSink {
  /**
   * Records `skipped` (at most MAX_FAILURES_PER_CALL) durably and returns how many of them, from the first,
   * were recorded; the processor retries the records from the first one that was not.
   */
  record(skipped: readonly SkippedRecord[]): Promise<number>;
}

/** SQS SendMessageBatch takes 10 messages. */
export const MAX_FAILURES_PER_CALL = 10;

/** The longest `message` a failure message carries (characters): ten fit one SQS batch (256 KB) with room to spare. */
const MAX_MESSAGE_CHARS = 2000;

/**
 * The failure queue's message for a skipped record, as JSON. The event source mapping puts its own messages
 * (batches it gave up on) on the same queue; `source` and `kind` tell these apart.
 */
export function failureMessage(skipped: SkippedRecord, nowMs: number): string {
  const message = skipped.message.length > MAX_MESSAGE_CHARS ? `${skipped.message.slice(0, MAX_MESSAGE_CHARS)}...` : skipped.message;
  const body = JSON.stringify({
    source: 'monoenv-journey-processor',
    kind: 'SkippedRecord',
    reason: skipped.reason,
    message,
    streamArn: skipped.streamArn,
    shardId: skipped.shardId,
    sequenceNumber: skipped.sequenceNumber,
    messageId: skipped.messageId,
    skippedAt: new Date(nowMs).toISOString(),
  });
  // SQS refuses U+FFFE and U+FFFF (JSON.stringify already escapes the other characters it refuses).
  return body.replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}
