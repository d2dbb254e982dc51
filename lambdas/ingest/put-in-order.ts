/**
 * Writes entries to a stream with PutRecords semantics, retrying the records the stream refused, and
 * says for each entry whether it was stored. Pure: `send`, `sleep`, `now` and `random` are injected.
 *
 * Kinesis facts this is built on:
 * - one call takes at most 500 records and 5 MB (data + partition keys);
 * - a call can succeed as a whole yet refuse some records (FailedRecordCount, per-record ErrorCode);
 * - records of one partition key go to one shard and keep the order they were *stored* in; a refused
 *   record does not stop the later records of the same call from being stored.
 *
 * Order per user (partition key): when a user's record is refused, that user's later records in the
 * same call may already be stored, ahead of it. That cannot be undone, so the retry sends the refused
 * record *together with every later record of that user from the call, stored or not*, in batch order.
 * The stream then holds the user's events in order as its last occurrences (e.g. a2 a3 a1 a2 a3):
 * at-least-once, with duplicates that carry the same messageId, and never a later event as the last
 * word before an earlier one. Records still waiting in later chunks are only sent after the retry, so
 * they never overtake a refused record either. Other users' records are not held back.
 *
 * Retries use exponential backoff with full jitter, bounded by a retry count and by elapsed time.
 * When the bound is reached, every entry not stored at least once is reported as failed.
 *
 * A deadline (an AbortSignal: the Lambda's remaining time less a margin) ends the write early: no call or
 * backoff is waited for past it, the signal is passed to `send` so the request itself is cancelled, and the
 * entries of a call left unanswered are reported OUT_OF_TIME (in doubt: the stream may have stored them).
 */
import { ABORTED, untilAborted } from '../shared/deadline';

export interface StreamEntry {
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/** Per-entry result of one call, in the order sent; `errorCode` set = refused. */
export interface EntryResult {
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/** One PutRecords call. Throws when the call as a whole fails; `signal` aborts the call at the write's deadline. */
export type SendEntries = (entries: readonly StreamEntry[], signal?: AbortSignal) => Promise<readonly EntryResult[]>;

export interface RetryPolicy {
  /** Rounds of retries after refusals, over the whole write, when the write has no deadline (signal). */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** No retry starts if its backoff would end later than this after the first call. */
  readonly maxElapsedMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 5, baseDelayMs: 50, maxDelayMs: 1000, maxElapsedMs: 4000 };

export interface CallLimits {
  readonly maxRecords: number;
  /** Data plus partition keys. */
  readonly maxBytes: number;
}

export const KINESIS_CALL_LIMITS: CallLimits = { maxRecords: 500, maxBytes: 5 * 1024 * 1024 };

export interface PutDependencies {
  readonly send: SendEntries;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /** In [0, 1), for jitter. */
  readonly random: () => number;
  readonly policy?: Partial<RetryPolicy>;
  readonly limits?: Partial<CallLimits>;
}

export interface PutOptions {
  /** Aborts at the write's deadline. @default - no deadline but the retry policy's */
  readonly signal?: AbortSignal;
}

export type EntryOutcome = { readonly stored: true } | { readonly stored: false; readonly errorCode: string; readonly reason: string };

const entryBytes = (entry: StreamEntry): number => entry.data.byteLength + Buffer.byteLength(entry.partitionKey, 'utf8');

/** The longest prefix of `pending` that fits one call (always at least one entry). */
function takeChunk(pending: readonly number[], entries: readonly StreamEntry[], limits: CallLimits): number[] {
  const chunk: number[] = [];
  let bytes = 0;
  for (const index of pending) {
    const size = entryBytes(entries[index]);
    if (chunk.length > 0 && (chunk.length >= limits.maxRecords || bytes + size > limits.maxBytes)) break;
    chunk.push(index);
    bytes += size;
  }
  return chunk;
}

/** Throttling, server faults and network errors are worth retrying; a missing stream or a denied call is not. */
export function isRetryableCallError(error: unknown): boolean {
  const e = error as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e?.$retryable) return true;
  if (/Throughput|Throttl|LimitExceeded|InternalFailure|ServiceUnavailable|Timeout/i.test(e?.name ?? '')) return true;
  const status = e?.$metadata?.httpStatusCode;
  return status === undefined || status >= 500 || status === 429;
}

function callFailure(error: unknown): EntryResult {
  const e = error as { name?: string; message?: string };
  return { errorCode: e?.name || 'CallFailed', errorMessage: e?.message || String(error) };
}

const OUT_OF_TIME = 'out of time (the write has a deadline so that the API can answer before its function times out)';
const IN_DOUBT: EntryResult = {
  errorCode: 'OUT_OF_TIME',
  errorMessage:
    'the stream did not answer in time; the event may or may not be stored: send it again (a repeat has the same messageId and is dropped)',
};

export async function putInOrder(
  entries: readonly StreamEntry[],
  deps: PutDependencies,
  options: PutOptions = {},
): Promise<EntryOutcome[]> {
  const { signal } = options;
  const policy = { ...DEFAULT_RETRY_POLICY, ...deps.policy };
  const limits = { ...KINESIS_CALL_LIMITS, ...deps.limits };
  const stored = entries.map(() => false);
  const lastError: (EntryResult | undefined)[] = entries.map(() => undefined);
  const startedAt = deps.now();
  let pending = entries.map((_, index) => index);
  let retries = 0;
  let giveUpReason: string | undefined;

  while (pending.length > 0) {
    if (signal?.aborted) {
      giveUpReason = OUT_OF_TIME;
      break;
    }
    const chunk = takeChunk(pending, entries, limits);
    const rest = pending.slice(chunk.length);
    let results: readonly EntryResult[];
    try {
      const answer = await untilAborted(
        deps.send(
          chunk.map((index) => entries[index]),
          signal,
        ),
        signal,
      );
      if (answer === ABORTED) throw signal!.reason;
      results = answer;
    } catch (error) {
      if (signal?.aborted) {
        chunk.forEach((index) => (lastError[index] = IN_DOUBT));
        giveUpReason = OUT_OF_TIME;
        break;
      }
      results = chunk.map(() => callFailure(error));
      if (!isRetryableCallError(error)) {
        giveUpReason = `the stream refused the call: ${callFailure(error).errorMessage}`;
        chunk.forEach((index) => (lastError[index] = results[0]));
        break;
      }
    }
    if (results.length !== chunk.length) throw new Error(`send returned ${results.length} results for ${chunk.length} entries`);

    const usersWithRefusals = new Set<string>();
    const retry: number[] = [];
    chunk.forEach((index, position) => {
      const result = results[position];
      const user = entries[index].partitionKey;
      if (result.errorCode) {
        lastError[index] = result;
        usersWithRefusals.add(user);
        retry.push(index);
      } else {
        stored[index] = true;
        // Stored ahead of an earlier refused record of the same user: send again behind it.
        if (usersWithRefusals.has(user)) retry.push(index);
      }
    });
    if (retry.length === 0) {
      pending = rest;
      continue;
    }
    pending = [...retry, ...rest];
    retries += 1;
    const delay = deps.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retries - 1));
    // With a deadline (a Lambda's remaining time), retries go on until it: the events are only lost to the caller
    // if time runs out. Without one, the policy bounds them.
    if (!signal && (retries > policy.maxRetries || deps.now() + delay - startedAt > policy.maxElapsedMs)) {
      giveUpReason = `the stream kept refusing records after ${retries - 1} retries`;
      break;
    }
    if ((await untilAborted(deps.sleep(delay), signal)) === ABORTED) {
      giveUpReason = OUT_OF_TIME;
      break;
    }
  }

  return entries.map((_, index): EntryOutcome => {
    if (stored[index]) return { stored: true };
    const error = lastError[index];
    if (error)
      return { stored: false, errorCode: error.errorCode ?? 'Refused', reason: `${error.errorMessage ?? 'refused'} (${giveUpReason})` };
    return { stored: false, errorCode: 'NOT_SENT', reason: `not sent: ${giveUpReason}` };
  });
}
