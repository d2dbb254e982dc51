import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ExperimentDataError, readExperimentSummary } from '../../lambdas/journey-processor/experiment-store';
import { createHandler } from '../../lambdas/journey-processor/handler';
import { processEvent } from '../../lambdas/journey-processor/process-event';
import { processKinesisBatch, type KinesisRecordLike } from '../../lambdas/journey-processor/processor';
import { DynamoUserStore, type UserStore } from '../../lambdas/journey-processor/progress-store';
import type { EventRecord } from '../../lambdas/shared/event-record';
import { describeWithMoto, functionClientConfig, motoClientConfig } from '../support/moto';
import { checkout, exposure, onboarding, T0, track } from './fixtures';

const journeys = [checkout, onboarding];
let sequence = 0;

function kinesisRecord(data: EventRecord | string): KinesisRecordLike {
  sequence += 1;
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return { kinesis: { sequenceNumber: String(sequence).padStart(20, '0'), data: Buffer.from(text).toString('base64') } };
}

interface EmfLine {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

const emfLines = (lines: string[]) => lines.map((l) => JSON.parse(l)).filter((l): l is EmfLine => '_aws' in l);

/** Metric value by name and dimension values, e.g. metric(lines, 'StepReached', { Step: 'cart_viewed' }). */
function metric(lines: string[], name: string, dims: Record<string, string> = {}): unknown {
  const line = emfLines(lines).find((l) => l._aws.CloudWatchMetrics[0].Metrics[0].Name === name
    && Object.entries(dims).every(([k, v]) => l[k] === v));
  return line?.[name];
}

const checkoutRun = (user: string, from: number) => checkout.steps.map((step, i) => track(step, from + i * 10, user));

describeWithMoto('journey processor against DynamoDB (moto)', (moto) => {
  let doc: DynamoDBDocumentClient;
  /** The processor's own client: its calls are IAM-evaluated against the stack's processor role after the suite. */
  let processorDoc: DynamoDBDocumentClient;
  let tableCount = 0;

  beforeAll(() => {
    doc = DynamoDBDocumentClient.from(new DynamoDBClient(motoClientConfig(moto().endpoint)));
    processorDoc = DynamoDBDocumentClient.from(new DynamoDBClient(functionClientConfig(moto().endpoint, 'monoenv-journey-processor')));
  });

  async function newTable(): Promise<string> {
    tableCount += 1;
    const name = `analytics-${tableCount}`;
    const raw = new DynamoDBClient(motoClientConfig(moto().endpoint));
    await raw.send(new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    }));
    await raw.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }));
    return name;
  }

  /** Processing time: an hour after the events' T0 (markers expire from it). */
  const NOW = T0 + 3600_000;

  function handlerFor(tableName: string) {
    const lines: string[] = [];
    const handler = createHandler({ client: processorDoc, tableName, journeys, namespace: 'Test/Product', writeLine: (l) => lines.push(l), now: () => NOW });
    return { handler, lines };
  }

  it('processes events into progress, metrics and experiment aggregates', async () => {
    const table = await newTable();
    const { handler, lines } = handlerFor(table);
    const events = [
      exposure('new-checkout', 'control', 0, 'alice'),
      exposure('new-checkout', 'treatment', 0, 'bob'),
      exposure('new-checkout', 'treatment', 0, 'carol'),
      ...checkoutRun('bob', 100),
      track('cart_viewed', 100, 'alice'),
      track('checkout_started', 110, 'alice'),
      track('signed_up', 120, 'dave'),
    ];
    const response = await handler({ Records: events.map(kinesisRecord) });
    expect(response).toEqual({ batchItemFailures: [] });

    expect(metric(lines, 'FeatureUsed', { Feature: 'cart_viewed' })).toBe(2);
    expect(metric(lines, 'ExperimentExposure', { Flag: 'new-checkout', Variant: 'treatment' })).toBe(2);
    expect(metric(lines, 'StepReached', { Journey: 'checkout', Step: 'checkout_started', Variant: 'treatment' })).toBe(1);
    expect(metric(lines, 'StepReached', { Journey: 'checkout', Step: 'checkout_started', Variant: 'control' })).toBe(1);
    expect(metric(lines, 'JourneyStarted', { Journey: 'onboarding', Variant: 'none' })).toBe(1);
    expect(metric(lines, 'JourneyCompleted', { Journey: 'checkout', Variant: 'treatment' })).toBe(1);
    expect(metric(lines, 'TimeToConvert', { Journey: 'checkout', Variant: 'treatment' })).toBe(30);
    expect(metric(lines, 'ExperimentConversion', { Flag: 'new-checkout', Variant: 'treatment', Journey: 'checkout' })).toBe(1);
    const timeLine = emfLines(lines).find((l) => l._aws.CloudWatchMetrics[0].Metrics[0].Name === 'TimeToConvert')!;
    expect(timeLine._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: 'Test/Product', Dimensions: [['Journey', 'Variant']], Metrics: [{ Name: 'TimeToConvert', Unit: 'Seconds' }],
    });

    const alice = await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'user#alice' } }));
    expect(alice.Items?.map((i) => i.sk).sort()).toEqual(['exposure#new-checkout', 'journey#checkout']);
    expect(alice.Items?.find((i) => i.sk === 'journey#checkout')).toMatchObject({ stepIndex: 1, version: 2 });

    const summary = await readExperimentSummary(doc, table, 'new-checkout');
    expect(summary).toEqual({
      flag: 'new-checkout',
      variants: [
        { name: 'control', users: 1, metrics: { checkout: { n: 1, sum: 0, sumSquares: 0 }, 'checkout.seconds_to_convert': { n: 0, sum: 0, sumSquares: 0 } } },
        { name: 'treatment', users: 2, metrics: { checkout: { n: 2, sum: 1, sumSquares: 1 }, 'checkout.seconds_to_convert': { n: 1, sum: 30, sumSquares: 900 } } },
      ],
      // Every checkout step was sent by an exposed user (bob); signed_up (dave) is not a step of an exposed user.
      stepsSeen: { checkout: [...checkout.steps].sort() },
    });
  });

  it('records the journey steps exposed users sent, so a report without conversions can say what is missing', async () => {
    const table = await newTable();
    const { handler } = handlerFor(table);
    // The README's first loop: no cart_viewed, so the sequential checkout never starts.
    const events = ['u1', 'u2'].flatMap((user) => [exposure('new-checkout', user === 'u1' ? 'on' : 'off', 0, user), track('checkout_started', 10, user), track('order_completed', 20, user)]);
    expect(await handler({ Records: events.map(kinesisRecord) })).toEqual({ batchItemFailures: [] });
    const summary = await readExperimentSummary(doc, table, 'new-checkout');
    expect(summary.variants.map((v) => [v.name, v.users, v.metrics])).toEqual([['off', 1, {}], ['on', 1, {}]]);
    expect(summary.stepsSeen).toEqual({ checkout: ['checkout_started', 'order_completed'] });
  });

  it('never uses a user id as a metric dimension', async () => {
    const table = await newTable();
    const { handler, lines } = handlerFor(table);
    const user = 'user-secret-4242';
    await handler({ Records: [exposure('f', 'on', 0, user), ...checkoutRun(user, 1), track(user, 50, user)].map(kinesisRecord) });
    const emf = emfLines(lines);
    expect(emf.length).toBeGreaterThan(5);
    for (const line of emf) {
      const dimensionNames = line._aws.CloudWatchMetrics[0].Dimensions[0];
      expect(dimensionNames.every((d) => ['Feature', 'Journey', 'Step', 'Variant', 'Flag'].includes(d))).toBe(true);
      // The one exception would be an event named like the user; see the last event above.
      const values = dimensionNames.filter((d) => d !== 'Feature').map((d) => line[d]);
      expect(values).not.toContain(user);
    }
    expect(lines.filter((l) => !l.includes('"Feature":')).join('\n')).not.toContain(user);
  });

  it('counts duplicated and replayed events once', async () => {
    const table = await newTable();
    const { handler, lines } = handlerFor(table);
    const events = [exposure('exp', 'a', 0, 'u1'), exposure('exp', 'b', 0, 'u2'), ...checkoutRun('u1', 10)];
    const withDuplicate = [...events, events[0], events[3]];
    expect(await handler({ Records: withDuplicate.map(kinesisRecord) })).toEqual({ batchItemFailures: [] });
    expect(metric(lines, 'DuplicateEvent')).toBe(2);
    const firstRun = await readExperimentSummary(doc, table, 'exp');

    lines.length = 0;
    expect(await handler({ Records: events.map(kinesisRecord) })).toEqual({ batchItemFailures: [] });
    expect(metric(lines, 'DuplicateEvent')).toBe(events.length);
    expect(emfLines(lines).map((l) => l._aws.CloudWatchMetrics[0].Metrics[0].Name)).toEqual(['DuplicateEvent']);
    expect(await readExperimentSummary(doc, table, 'exp')).toEqual(firstRun);
    expect(firstRun.variants.map((v) => [v.name, v.users, v.metrics.checkout.sum])).toEqual([['a', 1, 1], ['b', 1, 0]]);
  });

  it('dedupes per user: another user reusing a messageId is counted, the same user replaying it is not', async () => {
    const table = await newTable();
    const { handler, lines } = handlerFor(table);
    const events = [exposure('exp', 'a', 0, 'u1', 'same-id'), exposure('exp', 'b', 0, 'u2', 'same-id'), exposure('exp', 'b', 0, 'u3', 'same-id')];
    expect(await handler({ Records: [...events, events[1]].map(kinesisRecord) })).toEqual({ batchItemFailures: [] });
    expect(metric(lines, 'DuplicateEvent')).toBe(1);
    const summary = await readExperimentSummary(doc, table, 'exp');
    expect(summary.variants.map((v) => [v.name, v.users])).toEqual([['a', 1], ['b', 2]]);
  });

  it('holds the longest user key and messageId the decoder accepts, in bytes', async () => {
    const table = await newTable();
    const { handler } = handlerFor(table);
    // 3-byte characters up to the byte limits: 1024 bytes of user key, 512 of messageId.
    const userKey = `${'€'.repeat(341)}u`;
    const messageId = `${'€'.repeat(170)}mm`;
    expect([Buffer.byteLength(userKey), Buffer.byteLength(messageId)]).toEqual([1024, 512]);
    const events = [exposure('exp', 'a', 0, userKey, messageId), exposure('exp', 'b', 0, 'u2'), ...checkoutRun(userKey, 10)];
    expect(await handler({ Records: [...events, events[0]].map(kinesisRecord) })).toEqual({ batchItemFailures: [] });
    const summary = await readExperimentSummary(doc, table, 'exp');
    expect(summary.variants.map((v) => [v.name, v.users, v.metrics.checkout.sum])).toEqual([['a', 1, 1], ['b', 1, 0]]);
  });

  it('still treats an event deduped under the old, global key as a duplicate (a replay across the deploy), until that marker expires', async () => {
    const table = await newTable();
    const { handler, lines } = handlerFor(table);
    const legacyMarker = (messageId: string, expiresAtMs: number) =>
      doc.send(new PutCommand({ TableName: table, Item: { pk: `msg#${messageId}`, sk: 'msg', expiresAt: Math.floor(expiresAtMs / 1000) } }));
    await legacyMarker('before-deploy', NOW + 1000);
    await legacyMarker('expired', NOW - 1000); // TTL deletes late: still in the table, no longer a marker
    const records = [exposure('exp', 'a', 0, 'u1', 'before-deploy'), exposure('exp', 'b', 0, 'u2', 'expired')].map(kinesisRecord);
    expect(await handler({ Records: records })).toEqual({ batchItemFailures: [] });
    expect(metric(lines, 'DuplicateEvent')).toBe(1);
    expect(metric(lines, 'ExperimentExposure', { Flag: 'exp', Variant: 'a' })).toBeUndefined();
    expect(metric(lines, 'ExperimentExposure', { Flag: 'exp', Variant: 'b' })).toBe(1);
  });

  it('skips poison records and returns the failed record and all after it, which a retry then completes once', async () => {
    const table = await newTable();
    const dynamo = new DynamoUserStore(processorDoc, table, journeys);
    let failNext = true;
    const flaky: UserStore = {
      load: (userKey) => dynamo.load(userKey),
      commit: async (change) => {
        if (change.messageId === 'boom' && failNext) {
          failNext = false;
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        }
        return dynamo.commit(change);
      },
    };
    const lines: string[] = [];
    const options = { store: flaky, journeys, writeLine: (l: string) => lines.push(l) };
    const records = [
      kinesisRecord(exposure('exp', 'a', 0, 'u1')),
      kinesisRecord('not json'),
      kinesisRecord({ ...track('x', 0), userKey: '' }),
      kinesisRecord(track('cart_viewed', 5, 'u1', 'boom')),
      kinesisRecord(track('checkout_started', 6, 'u1')),
      kinesisRecord(exposure('exp', 'b', 0, 'u2')),
    ];
    const response = await processKinesisBatch(records, options);
    expect(response.batchItemFailures).toEqual(records.slice(3).map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })));
    expect(metric(lines, 'InvalidRecord', { Reason: 'INVALID_JSON' })).toBe(1);
    expect(metric(lines, 'InvalidRecord', { Reason: 'INVALID_RECORD' })).toBe(1);
    expect(lines.some((l) => /"code":"RECORD_FAILED".*Rate exceeded/.test(l))).toBe(true);
    expect(lines.some((l) => /"code":"INVALID_RECORD".*userKey/.test(l))).toBe(true);

    // The event source mapping retries from the first failed record.
    lines.length = 0;
    const retry = await processKinesisBatch(records.slice(3), options);
    expect(retry.batchItemFailures).toEqual([]);
    expect(metric(lines, 'StepReached', { Journey: 'checkout', Step: 'checkout_started', Variant: 'a' })).toBe(1);
    const summary = await readExperimentSummary(doc, table, 'exp');
    expect(summary.variants.map((v) => [v.name, v.users])).toEqual([['a', 1], ['b', 1]]);
  });

  it('rejects a write from stale state as a conflict, writing nothing', async () => {
    const table = await newTable();
    const store = new DynamoUserStore(processorDoc, table, journeys);
    const stale = await store.load('u1');
    const first = track('cart_viewed', 0, 'u1');
    const second = track('signed_up', 1, 'u1');
    const apply = (record: EventRecord) => {
      const out = processEvent(stale.state, record, journeys);
      return store.commit({ messageId: record.messageId, userKey: 'u1', before: stale, after: out.state, facts: out.facts });
    };
    expect(await apply(first)).toBe('committed');
    // `second` creates a different item, so make it race on the same one: replay `first`'s change under a new id.
    expect(await apply({ ...first, messageId: 'other' })).toBe('conflict');
    expect(await apply(second)).toBe('committed');
    const marker = await doc.send(new GetCommand({ TableName: table, Key: { pk: 'dedupe#u1', sk: 'msg#other' } }));
    expect(marker.Item).toBeUndefined();
  });

  it('tracks journeys and flags named like the properties every object inherits', async () => {
    const table = await newTable();
    const names = ['constructor', 'toString', 'valueOf', '__proto__'];
    const lines: string[] = [];
    const handler = createHandler({
      client: processorDoc, tableName: table, journeys: names.map((name) => ({ ...checkout, name })), writeLine: (l) => lines.push(l), now: () => T0,
    });
    const events = [
      ...names.flatMap((flag) => [exposure(flag, 'on', 0, 'u-on'), exposure(flag, 'off', 0, 'u-off'), exposure(flag, 'off', 1, 'u-on')]),
      ...checkoutRun('u-on', 10),
      ...checkoutRun('u-off', 10).slice(0, 2),
    ];
    // One event per invocation: every step is read back from the table rather than carried in memory.
    for (const event of events) expect(await handler({ Records: [kinesisRecord(event)] })).toEqual({ batchItemFailures: [] });

    const perJourney = (sum: number, seconds: number) => Object.fromEntries(names.flatMap((journey) => [
      [journey, { n: 1, sum, sumSquares: sum }],
      [`${journey}.seconds_to_convert`, { n: sum, sum: seconds, sumSquares: seconds * seconds }],
    ]).sort(([a], [b]) => String(a).localeCompare(String(b))));
    for (const flag of names) {
      const summary = await readExperimentSummary(doc, table, flag);
      expect(summary.flag).toBe(flag);
      expect(summary.variants).toEqual([
        { name: 'off', users: 1, metrics: perJourney(0, 0) },
        { name: 'on', users: 1, metrics: perJourney(1, 30) },
      ]);
      expect(Object.keys(summary.stepsSeen ?? {}).sort()).toEqual([...names].sort());
      expect(metric(lines, 'ExperimentExposure', { Flag: flag, Variant: 'on' })).toBe(1);
    }
    for (const journey of names) {
      expect(metric(lines, 'JourneyCompleted', { Journey: journey, Variant: 'on' })).toBe(1);
      expect(metric(lines, 'StepReached', { Journey: journey, Step: 'checkout_started', Variant: 'off' })).toBe(1);
    }
  });

  it('explains an experiment without two variants', async () => {
    const table = await newTable();
    const { handler } = handlerFor(table);
    await handler({ Records: [kinesisRecord(exposure('lonely', 'on', 0, 'u1'))] });
    await expect(readExperimentSummary(doc, table, 'lonely')).rejects.toMatchObject({ code: 'NOT_ENOUGH_VARIANTS' });
    await expect(readExperimentSummary(doc, table, 'lonely')).rejects.toBeInstanceOf(ExperimentDataError);
  });
}, {
  // Each test has a table of its own; all stand for the stack's analytics table.
  iam: { alias: (arn) => arn.replace(/:table\/analytics-\d+$/, ':table/monoenv-analytics') },
});
