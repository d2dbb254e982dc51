import { isRetryableCallError, putInOrder, type PutDependencies } from '../../../lambdas/ingest/put-in-order';
import { entry, fakeStream, lastOccurrenceOrder } from '../../support/fake-stream';

/** A clock that only moves when the code sleeps, and records the sleeps. */
function deps(send: PutDependencies['send'], overrides: Partial<PutDependencies> = {}) {
  let clock = 0;
  const sleeps: number[] = [];
  const d: PutDependencies = {
    send,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0.5,
    ...overrides,
  };
  return { d, sleeps };
}

describe('putInOrder', () => {
  it('stores everything in one call when nothing is refused, without sleeping', async () => {
    const stream = fakeStream();
    const { d, sleeps } = deps(stream.send);
    const outcomes = await putInOrder([entry('a', 'a1'), entry('b', 'b1'), entry('a', 'a2')], d);
    expect(outcomes).toEqual([{ stored: true }, { stored: true }, { stored: true }]);
    expect(stream.calls).toEqual([['a1', 'b1', 'a2']]);
    expect(sleeps).toEqual([]);
  });

  it('chunks at the record limit and at the byte limit (data + partition key)', async () => {
    const stream = fakeStream();
    const entries = Array.from({ length: 1201 }, (_, i) => entry('u', `e${i}`));
    await putInOrder(entries, deps(stream.send).d);
    expect(stream.calls.map((c) => c.length)).toEqual([500, 500, 201]);

    const bytes = fakeStream();
    // Each entry is 1 (key) + 4 (data) bytes: 12 bytes fit two entries a call.
    await putInOrder([entry('k', 'aaaa'), entry('k', 'bbbb'), entry('k', 'cccc')], deps(bytes.send, { limits: { maxBytes: 12 } }).d);
    expect(bytes.calls).toEqual([['aaaa', 'bbbb'], ['cccc']]);
  });

  it('retries refused records until stored, none lost, with backoff between rounds', async () => {
    // Every odd-numbered record is refused on the first call.
    const stream = fakeStream((l, call) => call === 0 && Number(l.slice(2)) % 2 === 1);
    const entries = Array.from({ length: 10 }, (_, i) => entry(`user-${i % 3}`, `${i % 3}-${i}`));
    const { d, sleeps } = deps(stream.send);
    const outcomes = await putInOrder(entries, d);
    expect(outcomes.every((o) => o.stored)).toBe(true);
    expect(new Set(stream.stored)).toEqual(new Set(entries.map((e) => Buffer.from(e.data).toString())));
    expect(sleeps).toEqual([25]); // random 0.5 * base 50
    expect(stream.calls).toHaveLength(2);
  });

  it("re-sends a user's later records behind a refused one, so the user's order settles right", async () => {
    const stream = fakeStream((l, call) => call === 0 && l === 'a1');
    const outcomes = await putInOrder([entry('a', 'a1'), entry('b', 'b1'), entry('a', 'a2'), entry('a', 'a3')], deps(stream.send).d);
    expect(outcomes.every((o) => o.stored)).toBe(true);
    // b1 was fine and is not sent again; a2 and a3 had overtaken a1 and are sent again after it.
    expect(stream.calls).toEqual([
      ['a1', 'b1', 'a2', 'a3'],
      ['a1', 'a2', 'a3'],
    ]);
    expect(stream.stored).toEqual(['b1', 'a2', 'a3', 'a1', 'a2', 'a3']);
    expect(lastOccurrenceOrder(stream.stored, 'a')).toEqual(['a1', 'a2', 'a3']);
  });

  it("never sends a user's records from a later chunk before an earlier refused one is stored", async () => {
    const stream = fakeStream((l, call) => call < 2 && l === 'a1');
    const entries = [entry('a', 'a1'), entry('b', 'b1'), entry('a', 'a2'), entry('b', 'b2'), entry('a', 'a3')];
    await putInOrder(entries, deps(stream.send, { limits: { maxRecords: 2 } }).d);
    // a2 and a3 (later chunks) only ever travel behind a1 until a1 is stored.
    expect(stream.calls).toEqual([
      ['a1', 'b1'],
      ['a1', 'a2'],
      ['a1', 'a2'],
      ['b2', 'a3'],
    ]);
    expect(lastOccurrenceOrder(stream.stored, 'a')).toEqual(['a1', 'a2', 'a3']);
    expect(lastOccurrenceOrder(stream.stored, 'b')).toEqual(['b1', 'b2']);
  });

  it('gives up after the retry bound and never claims a refused record was stored', async () => {
    const stream = fakeStream((l) => l === 'a2');
    const { d, sleeps } = deps(stream.send, { policy: { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 250, maxElapsedMs: 60_000 } });
    const outcomes = await putInOrder([entry('a', 'a1'), entry('a', 'a2'), entry('b', 'b1'), entry('a', 'a3')], d);
    expect(outcomes[0]).toEqual({ stored: true });
    expect(outcomes[1]).toMatchObject({ stored: false, errorCode: 'ProvisionedThroughputExceededException' });
    expect(outcomes[1].stored === false && outcomes[1].reason).toMatch(/after 3 retries/);
    expect(outcomes[2]).toEqual({ stored: true });
    // a3 was stored (ahead of a2) at least once: it is not lost, so it is not reported as failed.
    expect(outcomes[3]).toEqual({ stored: true });
    expect(stream.calls).toHaveLength(4);
    // full jitter with random 0.5: 0.5 * min(250, 100 * 2^n)
    expect(sleeps).toEqual([50, 100, 125]);
  });

  it('gives up when the next backoff would pass the elapsed-time bound', async () => {
    const stream = fakeStream(() => true);
    const { d, sleeps } = deps(stream.send, {
      random: () => 0.999,
      policy: { maxRetries: 100, baseDelayMs: 100, maxDelayMs: 10_000, maxElapsedMs: 1000 },
    });
    const outcomes = await putInOrder([entry('a', 'a1')], d);
    expect(outcomes[0].stored).toBe(false);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1000);
    expect(sleeps.length).toBe(3); // ~100 + 200 + 400; the next (~800) would pass 1000 ms
  });

  it('retries a whole call that failed with a retryable error', async () => {
    let calls = 0;
    const stream = fakeStream();
    const send: PutDependencies['send'] = async (entries) => {
      calls += 1;
      if (calls === 1) throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      return stream.send(entries);
    };
    const outcomes = await putInOrder([entry('a', 'a1'), entry('a', 'a2')], deps(send).d);
    expect(outcomes).toEqual([{ stored: true }, { stored: true }]);
    expect(stream.stored).toEqual(['a1', 'a2']);
  });

  it('stops at once on a call error that retrying cannot fix, reporting every record failed', async () => {
    const missing = Object.assign(new Error('Stream events not found'), {
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
    const send = jest.fn(async () => {
      throw missing;
    });
    const { d, sleeps } = deps(send, { limits: { maxRecords: 1 } });
    const outcomes = await putInOrder([entry('a', 'a1'), entry('b', 'b1')], d);
    expect(send).toHaveBeenCalledTimes(1);
    expect(sleeps).toEqual([]);
    expect(outcomes[0]).toMatchObject({ stored: false, errorCode: 'ResourceNotFoundException' });
    expect(outcomes[1]).toMatchObject({ stored: false, errorCode: 'NOT_SENT' });
  });
});

describe('putInOrder: a time budget (the Lambda must answer before it times out)', () => {
  /** A send that never answers unless its signal aborts it (as the SDK does), recording the signal it got. */
  function hangingSend() {
    const signals: (AbortSignal | undefined)[] = [];
    const send: PutDependencies['send'] = (entries, signal) => {
      signals.push(signal);
      return new Promise((_resolve, reject) =>
        signal?.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }))),
      );
    };
    return { send, signals };
  }

  it('stops waiting for a call the stream does not answer when the deadline passes: in doubt, never claimed stored', async () => {
    const { send, signals } = hangingSend();
    const deadline = new AbortController();
    const writing = putInOrder([entry('a', 'a1'), entry('b', 'b1'), entry('a', 'a2')], deps(send, { limits: { maxRecords: 2 } }).d, {
      signal: deadline.signal,
    });
    await Promise.resolve();
    deadline.abort();
    const outcomes = await writing;
    expect(outcomes).toEqual([
      { stored: false, errorCode: 'OUT_OF_TIME', reason: expect.stringMatching(/did not answer in time.*may or may not be stored/) },
      { stored: false, errorCode: 'OUT_OF_TIME', reason: expect.any(String) },
      { stored: false, errorCode: 'NOT_SENT', reason: expect.stringMatching(/out of time/) },
    ]);
    // The same signal reaches the call, so the SDK can cancel the request rather than leave it running.
    expect(signals).toEqual([deadline.signal]);
  });

  it('stops waiting even for a send that ignores the signal', async () => {
    const deadline = new AbortController();
    const writing = putInOrder([entry('a', 'a1')], deps(() => new Promise(() => undefined)).d, { signal: deadline.signal });
    deadline.abort();
    expect(await writing).toEqual([{ stored: false, errorCode: 'OUT_OF_TIME', reason: expect.any(String) }]);
  });

  it('does not back off past the deadline: the refused records are reported with their refusal, the rest not sent', async () => {
    const stream = fakeStream((l) => l === 'a1');
    const deadline = new AbortController();
    const { d } = deps(stream.send, {
      limits: { maxRecords: 1 },
      // The deadline passes during the first backoff, which then never ends on its own.
      sleep: () => {
        deadline.abort();
        return new Promise(() => undefined);
      },
    });
    const outcomes = await putInOrder([entry('a', 'a1'), entry('b', 'b1')], d, { signal: deadline.signal });
    expect(outcomes).toEqual([
      { stored: false, errorCode: 'ProvisionedThroughputExceededException', reason: expect.stringMatching(/out of time/) },
      { stored: false, errorCode: 'NOT_SENT', reason: expect.stringMatching(/out of time/) },
    ]);
    expect(stream.calls).toEqual([['a1']]);
  });

  it('sends nothing when the deadline has already passed', async () => {
    const stream = fakeStream();
    const outcomes = await putInOrder([entry('a', 'a1')], deps(stream.send).d, { signal: AbortSignal.abort() });
    expect(outcomes).toEqual([{ stored: false, errorCode: 'NOT_SENT', reason: expect.stringMatching(/out of time/) }]);
    expect(stream.calls).toEqual([]);
  });

  it('keeps retrying throttling within the deadline until everything is stored', async () => {
    // Every call refuses half its records for the first three rounds, as a hot shard would.
    const stream = fakeStream((l, call) => call < 3 && Number(l.slice(1)) % 2 === call % 2);
    const entries = Array.from({ length: 20 }, (_, i) => entry(`u${i % 4}`, `e${i}`));
    const outcomes = await putInOrder(entries, deps(stream.send).d, { signal: new AbortController().signal });
    expect(outcomes.every((o) => o.stored)).toBe(true);
    expect(new Set(stream.stored)).toEqual(new Set(entries.map((e) => Buffer.from(e.data).toString())));
  });
});

describe('isRetryableCallError', () => {
  it.each([
    [{ name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } }, true],
    [{ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }, true],
    [{ name: 'Error' }, true], // network: no HTTP status at all
    [{ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } }, false],
    [{ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }, false],
  ])('%o -> %s', (error, retryable) => {
    expect(isRetryableCallError(error)).toBe(retryable);
  });
});
