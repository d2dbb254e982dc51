import type { EntryResult, SendEntries, StreamEntry } from '../../lambdas/ingest/put-in-order';

/**
 * A stand-in for PutRecords with Kinesis's per-record semantics: each entry of a call is stored or
 * refused on its own, in call order. `refuse(entry, call)` decides; the stored log and every call
 * are kept so tests can check what the stream holds and what was sent when.
 */
export interface FakeStream {
  readonly send: SendEntries;
  readonly stored: string[];
  readonly calls: string[][];
}

export const label = (entry: StreamEntry): string => Buffer.from(entry.data).toString('utf8');
export const entry = (user: string, name: string): StreamEntry => ({ partitionKey: user, data: Buffer.from(name) });

export function fakeStream(refuse: (label: string, call: number) => boolean | string = () => false): FakeStream {
  const stored: string[] = [];
  const calls: string[][] = [];
  const send: SendEntries = async (entries) => {
    const call = calls.length;
    calls.push(entries.map(label));
    return entries.map((e): EntryResult => {
      const verdict = refuse(label(e), call);
      if (verdict)
        return {
          errorCode: typeof verdict === 'string' ? verdict : 'ProvisionedThroughputExceededException',
          errorMessage: 'Rate exceeded for shard',
        };
      stored.push(label(e));
      return {};
    });
  };
  return { send, stored, calls };
}

/** A user's records in the order of their last occurrence in the stream: what a reader sees settle. */
export function lastOccurrenceOrder(stored: readonly string[], prefix: string): string[] {
  const mine = stored.filter((l) => l.startsWith(prefix));
  return mine.filter((l, i) => mine.lastIndexOf(l) === i);
}
