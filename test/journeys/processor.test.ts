import { MemoryUserStore } from '../../lambdas/journey-processor/memory-store';
import { processKinesisBatch, type KinesisRecordLike } from '../../lambdas/journey-processor/processor';
import type { UserStore } from '../../lambdas/journey-processor/progress-store';
import type { EventRecord } from '../../lambdas/shared/event-record';
import { checkout, onboarding, track } from './fixtures';

const journeys = [checkout, onboarding];
const records = (events: EventRecord[]): KinesisRecordLike[] =>
  events.map((e, i) => ({ kinesis: { sequenceNumber: `seq-${i}`, data: Buffer.from(JSON.stringify(e)).toString('base64') } }));

describe('processKinesisBatch', () => {
  it('re-reads after a lost race and succeeds', async () => {
    const memory = new MemoryUserStore();
    let races = 2;
    const store: UserStore = {
      load: (u) => memory.load(u),
      commit: async (change) => (races-- > 0 ? 'conflict' : memory.commit(change)),
    };
    const lines: string[] = [];
    const out = await processKinesisBatch(records([track('cart_viewed', 0)]), { store, journeys, writeLine: (l) => lines.push(l) });
    expect(out.batchItemFailures).toEqual([]);
    expect(lines.some((l) => l.includes('"JourneyStarted":1'))).toBe(true);
  });

  it('gives up on a record that keeps losing races, and fails the rest of the batch after it', async () => {
    const memory = new MemoryUserStore();
    const store: UserStore = { load: (u) => memory.load(u), commit: async (c) => (c.userKey === 'hot' ? 'conflict' : memory.commit(c)) };
    const lines: string[] = [];
    const out = await processKinesisBatch(records([track('a', 0), track('b', 1, 'hot'), track('c', 2)]), {
      store, journeys, writeLine: (l) => lines.push(l), maxConflictRetries: 1,
    });
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'seq-1' }, { itemIdentifier: 'seq-2' }]);
    expect(lines.some((l) => /RECORD_FAILED.*CONFLICT.*lost 2/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes('"Feature":"c"'))).toBe(false);
  });
});

describe('MemoryUserStore', () => {
  it('dedupes per user, like the DynamoDB store', async () => {
    const lines: string[] = [];
    const events = [track('cart_viewed', 0, 'u1', 'same-id'), track('cart_viewed', 0, 'u2', 'same-id'), track('cart_viewed', 0, 'u2', 'same-id')];
    const out = await processKinesisBatch(records(events), { store: new MemoryUserStore(), journeys, writeLine: (l) => lines.push(l) });
    expect(out.batchItemFailures).toEqual([]);
    expect(lines.some((l) => l.includes('"JourneyStarted":2'))).toBe(true);
    expect(lines.some((l) => l.includes('"DuplicateEvent":1'))).toBe(true);
  });
});

describe('handler configuration', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('fails every invocation with a clear message until ANALYTICS_TABLE and JOURNEYS are set', async () => {
    const { handler } = await import('../../lambdas/journey-processor/handler');
    delete process.env.ANALYTICS_TABLE;
    await expect(handler({ Records: [] })).rejects.toThrow('ANALYTICS_TABLE is not set');
    process.env.ANALYTICS_TABLE = 'analytics';
    delete process.env.JOURNEYS;
    await expect(handler({ Records: [] })).rejects.toThrow(/JOURNEYS is not set/);
    process.env.JOURNEYS = JSON.stringify(journeys);
    await expect(handler({ Records: [] })).resolves.toEqual({ batchItemFailures: [] });
  });
});
