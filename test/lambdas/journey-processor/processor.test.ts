import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { failureMessage, PermanentRecordError, type FailureSink, type SkippedRecord } from '../../../lambdas/journey-processor/failures';
import type { Journey } from '../../../domain/journeys/journey-schema';
import { MemoryUserStore } from '../../../lambdas/journey-processor/memory-store';
import { processKinesisBatch, type KinesisRecordLike } from '../../../lambdas/journey-processor/processor';
import { DynamoUserStore, type UserStore } from '../../../lambdas/journey-processor/progress-store';
import { emptyUserState } from '../../../lambdas/journey-processor/user-state';
import type { EventRecord } from '../../../domain/events/event-record';
import { checkout, exposure, onboarding, track } from '../../support/journey-fixtures';

const journeys = [checkout, onboarding];
const records = (events: Array<EventRecord | string>): KinesisRecordLike[] =>
  events.map((e, i) => ({
    kinesis: { sequenceNumber: `seq-${i}`, data: Buffer.from(typeof e === 'string' ? e : JSON.stringify(e)).toString('base64') },
  }));

/** A failure queue in memory that takes the first `accepts` messages it is given, then fails or refuses. */
function failureSink(accepts = Infinity, refusal: 'throw' | 'partial' = 'partial') {
  const recorded: SkippedRecord[] = [];
  const sink: FailureSink = {
    record: async (skipped) => {
      const room = Math.max(0, Math.min(skipped.length, accepts - recorded.length));
      if (room < skipped.length && refusal === 'throw') throw new Error('queue unavailable');
      recorded.push(...skipped.slice(0, room));
      return room;
    },
  };
  return { sink, recorded };
}
const noFailures = failureSink().sink;

describe('processKinesisBatch', () => {
  it('re-reads after a lost race and succeeds', async () => {
    const memory = new MemoryUserStore();
    let races = 2;
    const store: UserStore = {
      load: (u) => memory.load(u),
      applyOutbox: async () => undefined,
      commit: async (change) => (races-- > 0 ? { status: 'conflict' } : memory.commit(change)),
    };
    const lines: string[] = [];
    const out = await processKinesisBatch(records([track('cart_viewed', 0)]), {
      store,
      journeys,
      failures: noFailures,
      writeLine: (l) => lines.push(l),
    });
    expect(out.batchItemFailures).toEqual([]);
    expect(lines.some((l) => l.includes('"JourneyStarted":1'))).toBe(true);
  });

  it('gives up on a record that keeps losing races, and fails the rest of the batch after it', async () => {
    const memory = new MemoryUserStore();
    const store: UserStore = {
      load: (u) => memory.load(u),
      applyOutbox: async () => undefined,
      commit: async (c) => (c.userKey === 'hot' ? { status: 'conflict' } : memory.commit(c)),
    };
    const lines: string[] = [];
    const out = await processKinesisBatch(records([track('a', 0), track('b', 1, 'hot'), track('c', 2)]), {
      store,
      journeys,
      failures: noFailures,
      writeLine: (l) => lines.push(l),
      maxConflictRetries: 1,
    });
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'seq-1' }, { itemIdentifier: 'seq-2' }]);
    expect(lines.some((l) => /RECORD_FAILED.*CONFLICT.*lost 2/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes('"Feature":"c"'))).toBe(false);
  });
});

describe('MemoryUserStore', () => {
  it('dedupes per user, like the DynamoDB store', async () => {
    const lines: string[] = [];
    const events = [
      track('cart_viewed', 0, 'u1', 'same-id'),
      track('cart_viewed', 0, 'u2', 'same-id'),
      track('cart_viewed', 0, 'u2', 'same-id'),
    ];
    const out = await processKinesisBatch(records(events), {
      store: new MemoryUserStore(),
      journeys,
      failures: noFailures,
      writeLine: (l) => lines.push(l),
    });
    expect(out.batchItemFailures).toEqual([]);
    expect(lines.some((l) => l.includes('"JourneyStarted":2'))).toBe(true);
    expect(lines.some((l) => l.includes('"DuplicateEvent":1'))).toBe(true);
  });
});

describe('permanent and transient errors', () => {
  const metric = (lines: string[], name: string, reason?: string) =>
    lines
      .map((l) => JSON.parse(l))
      .filter((l) => l._aws?.CloudWatchMetrics[0].Metrics[0].Name === name && (reason === undefined || l.Reason === reason))
      .reduce((n, l) => n + l[name], 0);

  it('records and skips a record the core throws on, and goes on with the rest', async () => {
    // A journey without steps makes the core throw on every track event: deterministic, so never worth a retry.
    const broken = { name: 'broken', conversionWindowSeconds: 60, order: 'sequential' } as unknown as Journey;
    const { sink, recorded } = failureSink();
    const lines: string[] = [];
    const out = await processKinesisBatch(records([track('a', 0, 'u1', 'm-a'), exposure('f', 'on', 1, 'u2')]), {
      store: new MemoryUserStore(),
      journeys: [broken],
      failures: sink,
      writeLine: (l) => lines.push(l),
    });
    expect(out.batchItemFailures).toEqual([]);
    expect(recorded).toEqual([
      {
        reason: 'PROCESSING_FAILED',
        message: expect.stringMatching(/^processing event m-a threw: /),
        messageId: 'm-a',
        sequenceNumber: 'seq-0',
      },
    ]);
    expect(metric(lines, 'RecordSkipped', 'PROCESSING_FAILED')).toBe(1);
    expect(metric(lines, 'ExperimentExposure')).toBe(1);
  });

  it('records and skips what the store says can never be written; retries what it throws otherwise', async () => {
    const memory = new MemoryUserStore();
    const store: UserStore = {
      load: (u) => memory.load(u),
      applyOutbox: async () => undefined,
      commit: async (c) => {
        if (c.userKey === 'huge') throw new PermanentRecordError('EVENT_TOO_LARGE', 'too many writes');
        if (c.userKey === 'throttled') throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return memory.commit(c);
      },
    };
    const { sink, recorded } = failureSink();
    const lines: string[] = [];
    const out = await processKinesisBatch(records([track('a', 0, 'huge'), track('b', 1), track('c', 2, 'throttled'), track('d', 3)]), {
      store,
      journeys,
      failures: sink,
      writeLine: (l) => lines.push(l),
    });
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'seq-2' }, { itemIdentifier: 'seq-3' }]);
    expect(recorded.map((r) => [r.reason, r.sequenceNumber])).toEqual([['EVENT_TOO_LARGE', 'seq-0']]);
    expect(metric(lines, 'RecordSkipped', 'EVENT_TOO_LARGE')).toBe(1);
    expect(metric(lines, 'FeatureUsed')).toBe(1); // b only
  });

  it('skips a record only once the failure queue took it: from the first it refused, the batch is retried', async () => {
    const bad = Array.from({ length: 12 }, (_, i) => `not json ${i}`);
    for (const refusal of ['partial', 'throw'] as const) {
      const { sink, recorded } = failureSink(11, refusal);
      const lines: string[] = [];
      // 12 bad records around good ones: the first 10 go in one call, the 11th and 12th in the next.
      const batch = records([...bad.slice(0, 10), track('a', 0), bad[10], track('b', 1), bad[11], track('c', 2)]);
      const out = await processKinesisBatch(batch, {
        store: new MemoryUserStore(),
        journeys,
        failures: sink,
        writeLine: (l) => lines.push(l),
      });
      const firstUnrecorded = refusal === 'partial' ? 13 : 11; // a refused call records none of its messages
      expect(out.batchItemFailures).toEqual(batch.slice(firstUnrecorded).map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })));
      expect(recorded).toHaveLength(refusal === 'partial' ? 11 : 10);
      expect(metric(lines, 'RecordSkipped', 'INVALID_JSON')).toBe(recorded.length);
      expect(lines.some((l) => l.includes('"code":"FAILURE_QUEUE_FAILED"'))).toBe(true);
    }
  });

  it('never skips because of the failure queue: a record it cannot take blocks the batch, retried in order', async () => {
    const { sink } = failureSink(0, 'throw');
    const batch = records([track('a', 0), 'not json', track('b', 1)]);
    const lines: string[] = [];
    const out = await processKinesisBatch(batch, {
      store: new MemoryUserStore(),
      journeys,
      failures: sink,
      writeLine: (l) => lines.push(l),
    });
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'seq-1' }, { itemIdentifier: 'seq-2' }]);
    expect(metric(lines, 'RecordSkipped')).toBe(0);
  });
});

describe('DynamoUserStore error classes', () => {
  const store = (error: Error) =>
    new DynamoUserStore(
      {
        send: async () => {
          throw error;
        },
      } as unknown as DynamoDBDocumentClient,
      'analytics',
      journeys,
      () => 0,
    );
  const change = () => ({
    messageId: 'm',
    userKey: 'u',
    before: { state: emptyUserState(), versions: new Map(), outbox: [] },
    after: emptyUserState(),
    facts: [],
  });
  const canceled = (...codes: string[]) =>
    Object.assign(new Error('Transaction cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: codes.map((Code) => ({ Code, Message: `${Code} here` })),
    });

  it('calls a request DynamoDB refuses as invalid permanent, and anything else transient', async () => {
    await expect(
      store(Object.assign(new Error('Item size has exceeded the maximum allowed size'), { name: 'ValidationException' })).commit(change()),
    ).rejects.toMatchObject({
      name: 'PermanentRecordError',
      reason: 'REJECTED_BY_DYNAMODB',
      message: expect.stringMatching(/Item size has exceeded/),
    });
    await expect(store(canceled('None', 'None', 'ValidationError')).commit(change())).rejects.toMatchObject({
      reason: 'REJECTED_BY_DYNAMODB',
      message: expect.stringMatching(/ValidationError here/),
    });
    for (const transient of [
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }),
      Object.assign(new Error('no table'), { name: 'ResourceNotFoundException' }),
      canceled('None', 'None', 'TransactionConflict'),
    ]) {
      await expect(store(transient).commit(change())).rejects.not.toBeInstanceOf(PermanentRecordError);
    }
    await expect(store(canceled('ConditionalCheckFailed')).commit(change())).resolves.toEqual({ status: 'duplicate' });
    await expect(store(canceled('None', 'ConditionalCheckFailed')).commit(change())).resolves.toEqual({ status: 'duplicate' });
    await expect(store(canceled('None', 'None', 'ConditionalCheckFailed')).commit(change())).resolves.toEqual({ status: 'conflict' });
  });
});

describe('failure messages', () => {
  it('say what was skipped and why, as JSON SQS accepts', () => {
    const body = failureMessage(
      { reason: 'INVALID_RECORD', message: `bad \uffff ${'x'.repeat(3000)}`, sequenceNumber: '42', shardId: 'shardId-1' },
      Date.parse('2026-01-01T00:00:00Z'),
    );
    expect(body).not.toMatch(/[\uFFFE\uFFFF]/);
    const parsed = JSON.parse(body);
    expect(parsed).toMatchObject({
      source: 'monoenv-journey-processor',
      kind: 'SkippedRecord',
      reason: 'INVALID_RECORD',
      sequenceNumber: '42',
      shardId: 'shardId-1',
      skippedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(parsed.message).toMatch(/^bad \uffff x+\.\.\.$/);
    expect(parsed.message.length).toBe(2003);
  });
});

describe('handler configuration', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('fails every invocation with a clear message until ANALYTICS_TABLE, JOURNEYS and FAILURE_QUEUE_URL are set', async () => {
    const { handler } = await import('../../../lambdas/journey-processor/handler');
    delete process.env.ANALYTICS_TABLE;
    await expect(handler({ Records: [] })).rejects.toThrow('environment variable ANALYTICS_TABLE is required');
    process.env.ANALYTICS_TABLE = 'analytics';
    delete process.env.JOURNEYS;
    await expect(handler({ Records: [] })).rejects.toThrow(/JOURNEYS is required: it must hold the journeys/);
    process.env.JOURNEYS = JSON.stringify(journeys);
    delete process.env.FAILURE_QUEUE_URL;
    await expect(handler({ Records: [] })).rejects.toThrow(/FAILURE_QUEUE_URL is required: records that can never succeed/);
    process.env.FAILURE_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/monoenv-journey-processor-failures';
    await expect(handler({ Records: [] })).resolves.toEqual({ batchItemFailures: [] });
  });
});
