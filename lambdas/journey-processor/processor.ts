import { EmfBatch } from './emf';
import type { Journey } from './journey-schema';
import { processEvent } from './process-event';
import type { UserStore } from './progress-store';
import { decodeRecord } from './record-decoder';
import { systemClock, type Clock } from '../shared/clock';

/**
 * One Kinesis batch (one shard, in order) through decode -> core -> store, then metrics. No AWS
 * imports: the handler passes the DynamoDB store, the bench an in-memory one.
 *
 * Failure policy:
 * - A record that is not a valid EventRecord can never succeed: it is logged (code INVALID_JSON or
 *   INVALID_RECORD) and skipped with an InvalidRecord metric. Reporting it as failed would retry it
 *   until the event source mapping gives up and block the shard meanwhile.
 * - Any other error (throttling, network, lost optimistic-lock races) is retryable: the record and
 *   every record after it are returned in batchItemFailures, unprocessed, so order is kept; the
 *   event source mapping retries from the first of them (its retry limit and on-failure destination
 *   bound this).
 * - A duplicate messageId (replay, producer retry) changes nothing and emits only DuplicateEvent.
 * Metrics are printed after the batch for committed events only (at most once per event).
 */
export interface KinesisRecordLike {
  readonly kinesis: { readonly sequenceNumber: string; readonly data: string };
}

export interface BatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

export interface ProcessorOptions {
  readonly store: UserStore;
  readonly journeys: readonly Journey[];
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

/** Processes one record and adds its metrics; throws only retryable errors. */
async function processOne(sequenceNumber: string, data: string, options: ProcessorOptions, metrics: EmfBatch): Promise<void> {
  const decoded = decodeRecord(data);
  if (!decoded.ok) {
    options.writeLine(JSON.stringify({ level: 'warn', code: decoded.code, sequenceNumber, message: decoded.message }));
    metrics.add(countOne('InvalidRecord', { Reason: decoded.code }));
    return;
  }
  const { record } = decoded;
  const attempts = (options.maxConflictRetries ?? 3) + 1;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const before = await options.store.load(record.userKey);
    const { state, facts } = processEvent(before.state, record, options.journeys);
    const result = await options.store.commit({ messageId: record.messageId, userKey: record.userKey, before, after: state, facts });
    if (result === 'committed') return metrics.addFacts(facts);
    if (result === 'duplicate') return metrics.add(countOne('DuplicateEvent'));
  }
  throw new Error(`CONFLICT: message ${record.messageId} lost ${attempts} optimistic-lock races`);
}

export async function processKinesisBatch(records: readonly KinesisRecordLike[], options: ProcessorOptions): Promise<BatchResponse> {
  const metrics = new EmfBatch(options.namespace);
  const batchItemFailures: BatchResponse['batchItemFailures'] = [];
  for (const { kinesis } of records) {
    if (batchItemFailures.length > 0) {
      batchItemFailures.push({ itemIdentifier: kinesis.sequenceNumber });
      continue;
    }
    try {
      await processOne(kinesis.sequenceNumber, kinesis.data, options, metrics);
    } catch (err) {
      options.writeLine(JSON.stringify({
        level: 'error', code: 'RECORD_FAILED', sequenceNumber: kinesis.sequenceNumber, message: (err as Error).message,
      }));
      batchItemFailures.push({ itemIdentifier: kinesis.sequenceNumber });
    }
  }
  if (batchItemFailures.length > 0) metrics.add([{ name: 'RecordRetried', unit: 'Count', dimensions: {}, value: batchItemFailures.length }]);
  for (const line of metrics.flush((options.now ?? systemClock)())) options.writeLine(line);
  return { batchItemFailures };
}
