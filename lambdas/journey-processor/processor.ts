import { EmfBatch } from './emf';
import { MAX_FAILURES_PER_CALL, PermanentRecordError, type FailureSink, type PermanentReason, type SkippedRecord } from './failures';
import type { Journey } from '../../domain/journeys/journey-schema';
import { processEvent } from './process-event';
import type { UserStore } from './progress-store';
import { decodeRecord } from './record-decoder';
import { systemClock, type Clock } from '../shared/clock';

/**
 * One Kinesis batch (one shard, in order) through decode -> core -> store, then metrics. No AWS
 * imports: the handler passes the DynamoDB store and the SQS failure queue, the bench in-memory ones.
 *
 * Failure policy (which errors are permanent: failures.ts):
 * - A record that can never succeed is recorded on the failure queue with its reason, counted as
 *   RecordSkipped, and skipped: the records behind it go on. It counts as recorded only once the queue
 *   took it; if the queue does not, the record is retried as below (so a message may arrive twice).
 * - Any other error is transient: the record and every record after it are returned in
 *   batchItemFailures, unprocessed, so order is kept; the event source mapping retries from the first
 *   of them (its retry limit and on-failure destination bound this).
 * - A duplicate (the same user's messageId again: replay, producer retry) changes nothing and emits only
 *   DuplicateEvent.
 * Metrics are printed after the batch for the events whose transaction committed: once per event, or
 * none if the process dies before printing (the DynamoDB aggregates still count the event once).
 */
export interface KinesisRecordLike {
  readonly kinesis: { readonly sequenceNumber: string; readonly data: string };
  /** `<shardId>:<sequenceNumber>` in Lambda's Kinesis events. */
  readonly eventID?: string;
  readonly eventSourceARN?: string;
}

export interface BatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

export interface ProcessorOptions {
  readonly store: UserStore;
  readonly journeys: readonly Journey[];
  /** Where records that can never succeed are recorded before they are skipped. */
  readonly failures: FailureSink;
  /** Receives EMF lines and JSON log lines (stdout in Lambda). */
  readonly writeLine: (line: string) => void;
  /** @default 'Monoenv/Product' */
  readonly namespace?: string;
  /** @default Date.now */
  readonly now?: Clock;
  /** Re-reads after a lost optimistic-lock race before giving up on the record. @default 3 */
  readonly maxConflictRetries?: number;
}

const countOne = (name: string, dimensions: Record<string, string> = {}) => [{ name, unit: 'Count' as const, dimensions, value: 1 }];

interface Skip {
  readonly reason: PermanentReason;
  readonly message: string;
  readonly messageId?: string;
}

/** Processes one record and adds its metrics; returns why it must be skipped, or throws a transient error. */
async function processOne(data: string, options: ProcessorOptions, metrics: EmfBatch): Promise<Skip | undefined> {
  const decoded = decodeRecord(data);
  if (!decoded.ok) return { reason: decoded.code, message: decoded.message };
  const { record } = decoded;
  const { store } = options;
  const attempts = (options.maxConflictRetries ?? 3) + 1;
  try {
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const before = await store.load(record.userKey);
      // Left by an earlier event whose processing stopped after its transaction (transaction-plan.ts).
      if (before.outbox.length > 0) await store.applyOutbox(before.outbox);
      let processed: ReturnType<typeof processEvent>;
      try {
        processed = processEvent(before.state, record, options.journeys);
      } catch (err) {
        throw new PermanentRecordError('PROCESSING_FAILED', `processing event ${record.messageId} threw: ${(err as Error).message}`);
      }
      const { state, facts } = processed;
      const result = await store.commit({ messageId: record.messageId, userKey: record.userKey, before, after: state, facts });
      if (result.status === 'committed') {
        // Counted now: if applying the outbox fails, the retry applies it and finds the event a duplicate.
        metrics.addFacts(facts);
        await store.applyOutbox(result.outbox);
        return undefined;
      }
      if (result.status === 'duplicate') {
        metrics.add(countOne('DuplicateEvent'));
        return undefined;
      }
    }
  } catch (err) {
    if (err instanceof PermanentRecordError) return { reason: err.reason, message: err.message, messageId: record.messageId };
    throw err;
  }
  throw new Error(`CONFLICT: message ${record.messageId} lost ${attempts} optimistic-lock races`);
}

export async function processKinesisBatch(records: readonly KinesisRecordLike[], options: ProcessorOptions): Promise<BatchResponse> {
  const metrics = new EmfBatch(options.namespace);
  const log = (entry: Record<string, unknown>) => options.writeLine(JSON.stringify(entry));
  /** Index of the first record to retry; it and all after it are returned as failures. */
  let retryFrom: number | undefined;
  let unrecorded: Array<{ readonly index: number; readonly skipped: SkippedRecord }> = [];

  /** Puts the skipped records on the failure queue; from the first it did not take, records are retried. */
  const recordSkipped = async () => {
    const batch = unrecorded;
    unrecorded = [];
    if (batch.length === 0) return;
    let recorded = 0;
    try {
      recorded = await options.failures.record(batch.map((b) => b.skipped));
    } catch (err) {
      log({ level: 'error', code: 'FAILURE_QUEUE_FAILED', message: (err as Error).message });
    }
    for (const { skipped } of batch.slice(0, recorded)) metrics.add(countOne('RecordSkipped', { Reason: skipped.reason }));
    if (recorded < batch.length) {
      const first = batch[recorded];
      log({
        level: 'error',
        code: 'FAILURE_QUEUE_FAILED',
        sequenceNumber: first.skipped.sequenceNumber,
        message: `${batch.length - recorded} skipped record(s) not recorded; retrying from this one`,
      });
      retryFrom = Math.min(retryFrom ?? first.index, first.index);
    }
  };

  for (let index = 0; index < records.length && retryFrom === undefined; index += 1) {
    const record = records[index];
    const { sequenceNumber } = record.kinesis;
    try {
      const skip = await processOne(record.kinesis.data, options, metrics);
      if (!skip) continue;
      log({
        level: 'error',
        code: skip.reason,
        sequenceNumber,
        ...(skip.messageId !== undefined ? { messageId: skip.messageId } : {}),
        message: skip.message,
      });
      const shardId = record.eventID?.includes(':') ? record.eventID.slice(0, record.eventID.indexOf(':')) : undefined;
      unrecorded.push({ index, skipped: { ...skip, sequenceNumber, shardId, streamArn: record.eventSourceARN } });
      if (unrecorded.length === MAX_FAILURES_PER_CALL) await recordSkipped();
    } catch (err) {
      log({ level: 'error', code: 'RECORD_FAILED', sequenceNumber, message: (err as Error).message });
      retryFrom = index;
    }
  }
  await recordSkipped();

  const batchItemFailures =
    retryFrom === undefined ? [] : records.slice(retryFrom).map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber }));
  if (batchItemFailures.length > 0)
    metrics.add([{ name: 'RecordRetried', unit: 'Count', dimensions: {}, value: batchItemFailures.length }]);
  for (const line of metrics.flush((options.now ?? systemClock)())) options.writeLine(line);
  return { batchItemFailures };
}
