import { toStreamEntry, type EncodedRecord } from './encoded-record';
import { putInOrder, type EntryOutcome, type PutDependencies, type PutOptions } from './put-in-order';

/**
 * Where accepted events go. The API only needs "write these, in order, and tell me which were
 * stored"; `kinesis-writer.ts` is the AWS one, tests and the bench pass their own.
 */
export interface EventWriter {
  /**
   * One outcome per record, same order. Never claims `stored` for a record that was not. Resolves promptly once
   * `options.signal` aborts (the request's deadline), reporting what was not stored by then as failed.
   */
  write(records: readonly EncodedRecord[], options?: PutOptions): Promise<readonly EntryOutcome[]>;
}

export type StreamWriterDependencies = Omit<PutDependencies, 'sleep' | 'now' | 'random'> &
  Partial<Pick<PutDependencies, 'sleep' | 'now' | 'random'>>;

/** An EventWriter over any PutRecords-like `send`, with the ordered retry of put-in-order.ts. */
export function streamEventWriter(deps: StreamWriterDependencies): EventWriter {
  const full: PutDependencies = {
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: Date.now,
    random: Math.random,
    ...deps,
  };
  return { write: (records, options) => putInOrder(records.map(toStreamEntry), full, options) };
}
