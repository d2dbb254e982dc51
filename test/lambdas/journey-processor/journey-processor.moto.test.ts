import { DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ExperimentDataError, readExperimentSummary } from '../../../domain/experiments/experiment-table';
import { SqsFailureQueue } from '../../../lambdas/journey-processor/failure-queue';
import { createHandler } from '../../../lambdas/journey-processor/handler';
import { processEvent } from '../../../lambdas/journey-processor/process-event';
import { processKinesisBatch, type KinesisRecordLike } from '../../../lambdas/journey-processor/processor';
import { DynamoUserStore, type OutboxChunk, type UserStore } from '../../../lambdas/journey-processor/progress-store';
import type { Journey } from '../../../domain/journeys/journey-schema';
import type { EventRecord } from '../../../domain/events/event-record';
import { createPkSkTable, describeWithMoto, functionClientConfig, motoClientConfig } from '../../support/moto';
import { checkout, exposure, onboarding, T0, track } from '../../support/journey-fixtures';

const journeys = [checkout, onboarding];
let sequence = 0;

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/monoenv-events';

function kinesisRecord(data: EventRecord | string): KinesisRecordLike {
  sequence += 1;
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  const sequenceNumber = String(sequence).padStart(20, '0');
  return {
    kinesis: { sequenceNumber, data: Buffer.from(text).toString('base64') },
    eventID: `shardId-000000000003:${sequenceNumber}`,
    eventSourceARN: STREAM_ARN,
  };
}

interface EmfLine {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

const emfLines = (lines: string[]) => lines.map((l) => JSON.parse(l)).filter((l): l is EmfLine => '_aws' in l);

/** Sum of a metric over lines (several runs), by dimension values; value arrays count their values. */
function total(lines: string[], name: string, dims: Record<string, string> = {}): number {
  return emfLines(lines)
    .filter((l) => l._aws.CloudWatchMetrics[0].Metrics[0].Name === name && Object.entries(dims).every(([k, v]) => l[k] === v))
    .reduce((sum, l) => sum + (Array.isArray(l[name]) ? (l[name] as unknown[]).length : Number(l[name])), 0);
}

/** Metric value by name and dimension values, e.g. metric(lines, 'StepReached', { Step: 'cart_viewed' }). */
function metric(lines: string[], name: string, dims: Record<string, string> = {}): unknown {
  const line = emfLines(lines).find(
    (l) => l._aws.CloudWatchMetrics[0].Metrics[0].Name === name && Object.entries(dims).every(([k, v]) => l[k] === v),
  );
  return line?.[name];
}

const checkoutRun = (user: string, from: number) => checkout.steps.map((step, i) => track(step, from + i * 10, user));

describeWithMoto(
  'journey processor against DynamoDB (moto)',
  (moto) => {
    let doc: DynamoDBDocumentClient;
    /** The processor's own client: its calls are IAM-evaluated against the stack's processor role after the suite. */
    let processorDoc: DynamoDBDocumentClient;
    let sqs: SQSClient;
    let processorSqs: SQSClient;
    let tableCount = 0;
    let queueCount = 0;

    beforeAll(() => {
      doc = DynamoDBDocumentClient.from(new DynamoDBClient(motoClientConfig(moto().endpoint)));
      processorDoc = DynamoDBDocumentClient.from(new DynamoDBClient(functionClientConfig(moto().endpoint, 'monoenv-journey-processor')));
      sqs = new SQSClient(motoClientConfig(moto().endpoint));
      processorSqs = new SQSClient(functionClientConfig(moto().endpoint, 'monoenv-journey-processor'));
    });

    async function newQueue(): Promise<string> {
      queueCount += 1;
      return (await sqs.send(new CreateQueueCommand({ QueueName: `failures-${queueCount}` }))).QueueUrl!;
    }

    /** Every message on the queue, as JSON. */
    async function messagesOn(queueUrl: string): Promise<Array<Record<string, unknown>>> {
      const bodies: Array<Record<string, unknown>> = [];
      for (;;) {
        const page = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }));
        if (!page.Messages?.length) return bodies;
        bodies.push(...page.Messages.map((m) => JSON.parse(m.Body!)));
      }
    }

    /** The items left in a user's partition, by sort key. */
    async function userItems(table: string, userKey: string): Promise<string[]> {
      const out = await doc.send(
        new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `user#${userKey}` } }),
      );
      return (out.Items ?? []).map((i) => String(i.sk)).sort();
    }

    async function newTable(): Promise<string> {
      tableCount += 1;
      const name = `analytics-${tableCount}`;
      const raw = new DynamoDBClient(motoClientConfig(moto().endpoint));
      await createPkSkTable(raw, name);
      await raw.send(
        new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }),
      );
      return name;
    }

    /** Processing time: an hour after the events' T0 (markers expire from it). */
    const NOW = T0 + 3600_000;

    function handlerFor(
      tableName: string,
      options: { queueUrl?: string; client?: DynamoDBDocumentClient; journeys?: readonly Journey[] } = {},
    ) {
      const lines: string[] = [];
      const handler = createHandler({
        client: options.client ?? processorDoc,
        tableName,
        journeys: options.journeys ?? journeys,
        failureQueue: { client: processorSqs, queueUrl: options.queueUrl ?? `${moto().endpoint}/123456789012/no-failures-expected` },
        namespace: 'Test/Product',
        writeLine: (l) => lines.push(l),
        now: () => NOW,
      });
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
        Namespace: 'Test/Product',
        Dimensions: [['Journey', 'Variant']],
        Metrics: [{ Name: 'TimeToConvert', Unit: 'Seconds' }],
      });

      const alice = await doc.send(
        new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'user#alice' } }),
      );
      expect(alice.Items?.map((i) => i.sk).sort()).toEqual(['exposure#new-checkout', 'journey#checkout']);
      expect(alice.Items?.find((i) => i.sk === 'journey#checkout')).toMatchObject({ stepIndex: 1, version: 2 });

      const summary = await readExperimentSummary(doc, table, 'new-checkout');
      expect(summary).toEqual({
        flag: 'new-checkout',
        variants: [
          {
            name: 'control',
            users: 1,
            metrics: { checkout: { n: 1, sum: 0, sumSquares: 0 }, 'checkout.seconds_to_convert': { n: 0, sum: 0, sumSquares: 0 } },
          },
          {
            name: 'treatment',
            users: 2,
            metrics: { checkout: { n: 2, sum: 1, sumSquares: 1 }, 'checkout.seconds_to_convert': { n: 1, sum: 30, sumSquares: 900 } },
          },
        ],
        // Every checkout step was sent by an exposed user (bob); signed_up (dave) is not a step of an exposed user.
        stepsSeen: { checkout: [...checkout.steps].sort() },
      });
    });

    it('records the journey steps exposed users sent, so a report without conversions can say what is missing', async () => {
      const table = await newTable();
      const { handler } = handlerFor(table);
      // The README's first loop: no cart_viewed, so the sequential checkout never starts.
      const events = ['u1', 'u2'].flatMap((user) => [
        exposure('new-checkout', user === 'u1' ? 'on' : 'off', 0, user),
        track('checkout_started', 10, user),
        track('order_completed', 20, user),
      ]);
      expect(await handler({ Records: events.map(kinesisRecord) })).toEqual({ batchItemFailures: [] });
      const summary = await readExperimentSummary(doc, table, 'new-checkout');
      expect(summary.variants.map((v) => [v.name, v.users, v.metrics])).toEqual([
        ['off', 1, {}],
        ['on', 1, {}],
      ]);
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
      expect(firstRun.variants.map((v) => [v.name, v.users, v.metrics.checkout.sum])).toEqual([
        ['a', 1, 1],
        ['b', 1, 0],
      ]);
    });

    it('dedupes per user: another user reusing a messageId is counted, the same user replaying it is not', async () => {
      const table = await newTable();
      const { handler, lines } = handlerFor(table);
      const events = [
        exposure('exp', 'a', 0, 'u1', 'same-id'),
        exposure('exp', 'b', 0, 'u2', 'same-id'),
        exposure('exp', 'b', 0, 'u3', 'same-id'),
      ];
      expect(await handler({ Records: [...events, events[1]].map(kinesisRecord) })).toEqual({ batchItemFailures: [] });
      expect(metric(lines, 'DuplicateEvent')).toBe(1);
      const summary = await readExperimentSummary(doc, table, 'exp');
      expect(summary.variants.map((v) => [v.name, v.users])).toEqual([
        ['a', 1],
        ['b', 2],
      ]);
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
      expect(summary.variants.map((v) => [v.name, v.users, v.metrics.checkout.sum])).toEqual([
        ['a', 1, 1],
        ['b', 1, 0],
      ]);
    });

    it('still treats an event deduped under the old, global key as a duplicate (a replay across the deploy), until that marker expires', async () => {
      const table = await newTable();
      const { handler, lines } = handlerFor(table);
      const legacyMarker = (messageId: string, expiresAtMs: number) =>
        doc.send(
          new PutCommand({ TableName: table, Item: { pk: `msg#${messageId}`, sk: 'msg', expiresAt: Math.floor(expiresAtMs / 1000) } }),
        );
      await legacyMarker('before-deploy', NOW + 1000);
      await legacyMarker('expired', NOW - 1000); // TTL deletes late: still in the table, no longer a marker
      const records = [exposure('exp', 'a', 0, 'u1', 'before-deploy'), exposure('exp', 'b', 0, 'u2', 'expired')].map(kinesisRecord);
      expect(await handler({ Records: records })).toEqual({ batchItemFailures: [] });
      expect(metric(lines, 'DuplicateEvent')).toBe(1);
      expect(metric(lines, 'ExperimentExposure', { Flag: 'exp', Variant: 'a' })).toBeUndefined();
      expect(metric(lines, 'ExperimentExposure', { Flag: 'exp', Variant: 'b' })).toBe(1);
    });

    describe('an event with more writes than one transaction holds', () => {
      // Two steps keep the suite quick: every step an exposed user sends is marked seen once per experiment.
      const quick: Journey = { name: 'quick', steps: ['viewed', 'bought'], conversionWindowSeconds: 3600, order: 'sequential' };
      const flags = (count: number) => Array.from({ length: count }, (_, i) => `flag-${String(i).padStart(3, '0')}`);
      /** `wide` is in every experiment as `on`, `narrow` as `off`; 25 flags to an exposure record keep the setup short. */
      const exposeBoth = (names: string[]) =>
        ['wide', 'narrow'].flatMap((user) =>
          Array.from({ length: Math.ceil(names.length / 25) }, (_, i): EventRecord => ({
            ...exposure('unused', '', 0, user, `x-${user}-${i}`),
            featureFlags: names
              .slice(i * 25, i * 25 + 25)
              .map((flag) => ({ 'feature_flag.key': flag, 'feature_flag.result.variant': user === 'wide' ? 'on' : 'off' })),
          })),
        );
      /** `wide` completes the journey (2 ADDs per experiment) between two events of `narrow`. */
      const journeyBatch = () => [
        track('search', 5, 'narrow'),
        track('viewed', 10, 'wide'),
        track('bought', 40, 'wide'),
        track('viewed', 50, 'narrow'),
      ];

      /** Every conversion aggregate, `<flag> <variant> <metric>: n sum`, from one scan. */
      async function conversions(table: string): Promise<string[]> {
        const out = await doc.send(new ScanCommand({ TableName: table }));
        return (out.Items ?? [])
          .filter((i) => String(i.pk).startsWith('exp#') && i.metric !== undefined)
          .map((i) => `${i.flag} ${i.variant} ${i.metric}: ${i.n} ${i.sum}`)
          .sort();
      }

      async function expectCountedOnce(table: string, names: string[]) {
        expect(await conversions(table)).toEqual(
          names.flatMap((flag) => [`${flag} on quick: 1 1`, `${flag} on quick.seconds_to_convert: 1 30`]).sort(),
        );
        for (const flag of [names[0], names[names.length - 1]]) {
          expect(await readExperimentSummary(doc, table, flag)).toMatchObject({
            variants: [
              { name: 'off', users: 1, metrics: { quick: { n: 1, sum: 0 }, 'quick.seconds_to_convert': { n: 0, sum: 0 } } },
              { name: 'on', users: 1, metrics: { quick: { n: 1, sum: 1 }, 'quick.seconds_to_convert': { n: 1, sum: 30 } } },
            ],
          });
        }
        expect((await userItems(table, 'wide')).filter((sk) => sk.startsWith('outbox#'))).toEqual([]);
      }

      it('counts a user in 110 experiments completing a journey once, and goes on with the events behind it', async () => {
        const table = await newTable();
        const names = flags(110);
        const { handler, lines } = handlerFor(table, { journeys: [quick] });
        expect(await handler({ Records: exposeBoth(names).map(kinesisRecord) })).toEqual({ batchItemFailures: [] });
        expect(await handler({ Records: journeyBatch().map(kinesisRecord) })).toEqual({ batchItemFailures: [] });
        await expectCountedOnce(table, names);
        expect(total(lines, 'ExperimentExposure')).toBe(220);
        expect(total(lines, 'ExperimentConversion', { Journey: 'quick', Variant: 'on' })).toBe(110);
        expect(total(lines, 'StepReached', { Journey: 'quick', Step: 'viewed' })).toBe(2);
        // One item records the conversions, whatever the number of experiments.
        expect(await userItems(table, 'wide')).toEqual(['converted#quick', ...names.map((f) => `exposure#${f}`)]);
        const converted = await doc.send(new GetCommand({ TableName: table, Key: { pk: 'user#wide', sk: 'converted#quick' } }));
        expect(converted.Item?.exposures).toHaveLength(110);

        // A replay of both batches changes nothing.
        lines.length = 0;
        expect(await handler({ Records: [...exposeBoth(names), ...journeyBatch()].map(kinesisRecord) })).toEqual({ batchItemFailures: [] });
        await expectCountedOnce(table, names);
        expect(total(lines, 'ExperimentConversion')).toBe(0);
      });

      it('adds an outbox item once, however often and by whichever processor it is applied', async () => {
        const table = await newTable();
        const store = new DynamoUserStore(processorDoc, table, [quick], () => NOW);
        const other = new DynamoUserStore(processorDoc, table, [quick], () => NOW);
        const before = await store.load('u1');
        // 120 first exposures as facts alone: 120 ADDs, two outbox items.
        const facts = flags(120).map((flag) => ({ kind: 'ExperimentExposure' as const, flag, variant: 'on' }));
        const result = await store.commit({ messageId: 'm-1', userKey: 'u1', before, after: before.state, facts });
        expect(result).toMatchObject({ status: 'committed', outbox: [{ sk: 'outbox#m-1#0' }, { sk: 'outbox#m-1#1' }] });
        const outbox: readonly OutboxChunk[] = result.status === 'committed' ? result.outbox : [];
        expect((await store.load('u1')).outbox).toEqual(outbox);
        // One after another: moto does not isolate concurrent transactions as DynamoDB does (serializable: of two
        // racing applications one fails its condition or conflicts), so a race here would test moto, not this code.
        await store.applyOutbox(outbox.slice(1));
        await other.applyOutbox(outbox);
        await store.applyOutbox([...outbox].reverse());
        const users = await doc.send(new ScanCommand({ TableName: table }));
        const counts = (users.Items ?? []).filter((i) => String(i.pk).startsWith('exp#')).map((i) => i.users);
        expect(counts).toEqual(Array(120).fill(1));
        expect((await store.load('u1')).outbox).toEqual([]);
      });

      /**
       * The processor's client, with a fault at the `n`th transaction `picks` selects: it throws (the store's
       * call fails, as when throttled) or never answers (the process died there; its invocation is abandoned).
       */
      function faultyClient(picks: (items: readonly Record<string, any>[]) => boolean, n: number, fault: 'throw' | 'die') {
        let seen = 0;
        let reached: () => void = () => undefined;
        const faultReached = new Promise<void>((resolve) => {
          reached = resolve;
        });
        const client = {
          send: (command: unknown) => {
            if (command instanceof TransactWriteCommand && picks(command.input.TransactItems ?? [])) {
              seen += 1;
              if (seen === n) {
                reached();
                if (fault === 'die') return new Promise(() => undefined);
                return Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
              }
            }
            return processorDoc.send(command as TransactWriteCommand);
          },
        } as unknown as DynamoDBDocumentClient;
        return { client, faultReached };
      }
      const outboxChunk = (items: readonly Record<string, any>[]) => String(items[0]?.Delete?.Key?.sk ?? '').startsWith('outbox#');
      const eventTransaction = (items: readonly Record<string, any>[]) => String(items[0]?.Put?.Item?.pk ?? '').startsWith('dedupe#');

      it.each([
        ["the store throws on a later event's transaction", eventTransaction, 4, 'throw', 3],
        ['the store throws between the outbox items of the completing event', outboxChunk, 2, 'throw', 2],
        ["the process dies between the completing event's transaction and its outbox items", outboxChunk, 1, 'die', undefined],
        ['the process dies between two outbox items', outboxChunk, 2, 'die', undefined],
      ] as const)('counts every event once when %s and the whole batch is replayed', async (_, picks, n, fault, failedFrom) => {
        const table = await newTable();
        const names = flags(50); // 100 ADDs: two outbox items
        expect(await handlerFor(table, { journeys: [quick] }).handler({ Records: exposeBoth(names).map(kinesisRecord) })).toEqual({
          batchItemFailures: [],
        });
        const batch = journeyBatch().map(kinesisRecord);

        const faulty = faultyClient(picks, n, fault);
        const crashed = handlerFor(table, { client: faulty.client, journeys: [quick] });
        const firstRun = crashed.handler({ Records: batch });
        if (fault === 'throw') {
          expect((await firstRun).batchItemFailures).toEqual(
            batch.slice(failedFrom).map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })),
          );
        } else {
          await faulty.faultReached; // and never hears back: its metrics are never printed
        }

        const replay = handlerFor(table, { journeys: [quick] });
        expect(await replay.handler({ Records: batch })).toEqual({ batchItemFailures: [] });
        await expectCountedOnce(table, names);
        if (fault === 'throw') {
          // Printed by the failed run for what it committed, and by the replay for the rest: each event once.
          const lines = [...crashed.lines, ...replay.lines];
          expect(total(lines, 'ExperimentConversion', { Journey: 'quick', Variant: 'on' })).toBe(50);
          expect(total(lines, 'JourneyCompleted', { Journey: 'quick' })).toBe(1);
          expect(total(lines, 'StepReached', { Journey: 'quick', Step: 'viewed' })).toBe(2);
          expect(total(lines, 'FeatureUsed')).toBe(batch.length);
        } else {
          // The dead invocation committed 3 events (their metrics died with it): the replay finds them duplicates.
          expect(total(replay.lines, 'DuplicateEvent')).toBe(3);
          expect(total(replay.lines, 'StepReached', { Journey: 'quick', Step: 'viewed' })).toBe(1);
        }
      });
    });

    it('honours conversions recorded on exposure items by the release before converted# items', async () => {
      const table = await newTable();
      const { handler, lines } = handlerFor(table);
      const exposedAtMs = T0;
      await doc.send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: 'user#u1',
            sk: 'exposure#old',
            variant: 'on',
            exposedAtMs,
            convertedJourneys: ['checkout'],
            version: 2,
            expiresAt: 0,
          },
        }),
      );
      expect(await handler({ Records: [exposure('new', 'on', 1, 'u1'), ...checkoutRun('u1', 10)].map(kinesisRecord) })).toEqual({
        batchItemFailures: [],
      });
      expect(total(lines, 'ExperimentConversion', { Flag: 'new' })).toBe(1);
      expect(total(lines, 'ExperimentConversion', { Flag: 'old' })).toBe(0);
      const converted = await doc.send(new GetCommand({ TableName: table, Key: { pk: 'user#u1', sk: 'converted#checkout' } }));
      expect(converted.Item?.exposures).toEqual([`${exposedAtMs}#old`, `${T0 + 1000}#new`]);
    });

    it('records what can never succeed on the failure queue and skips it; retries a transient failure from that record, in order, once', async () => {
      const table = await newTable();
      const queueUrl = await newQueue();
      const dynamo = new DynamoUserStore(processorDoc, table, journeys, () => NOW);
      let failNext = true;
      const flaky: UserStore = {
        load: (userKey) => dynamo.load(userKey),
        applyOutbox: (chunks) => dynamo.applyOutbox(chunks),
        commit: async (change) => {
          if (change.messageId === 'boom' && failNext) {
            failNext = false;
            throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
          }
          return dynamo.commit(change);
        },
      };
      const lines: string[] = [];
      const options = {
        store: flaky,
        journeys,
        failures: new SqsFailureQueue(processorSqs, queueUrl, () => NOW),
        writeLine: (l: string) => lines.push(l),
      };
      // 98 flags new to the user: 98 exposure items, the marker and the legacy check are more than a transaction holds.
      const tooWide: EventRecord = {
        ...exposure('x', 'on', 0, 'u3', 'too-wide'),
        featureFlags: Array.from({ length: 98 }, (_, i) => ({ 'feature_flag.key': `f${i}`, 'feature_flag.result.variant': 'on' })),
      };
      const records = [
        kinesisRecord(exposure('exp', 'a', 0, 'u1')),
        kinesisRecord('not json'),
        kinesisRecord({ ...track('x', 0), userKey: '' }),
        kinesisRecord(tooWide),
        kinesisRecord(track('cart_viewed', 5, 'u1', 'boom')),
        kinesisRecord(track('checkout_started', 6, 'u1')),
        kinesisRecord(exposure('exp', 'b', 0, 'u2')),
      ];
      const response = await processKinesisBatch(records, options);
      expect(response.batchItemFailures).toEqual(records.slice(4).map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })));
      expect(metric(lines, 'RecordSkipped', { Reason: 'INVALID_JSON' })).toBe(1);
      expect(metric(lines, 'RecordSkipped', { Reason: 'INVALID_RECORD' })).toBe(1);
      expect(metric(lines, 'RecordSkipped', { Reason: 'EVENT_TOO_LARGE' })).toBe(1);
      expect(lines.some((l) => /"code":"RECORD_FAILED".*Rate exceeded/.test(l))).toBe(true);
      expect(lines.some((l) => /"code":"INVALID_RECORD".*userKey/.test(l))).toBe(true);
      const messages = await messagesOn(queueUrl);
      expect(messages.map((m) => [m.reason, m.sequenceNumber, m.messageId])).toEqual([
        ['INVALID_JSON', records[1].kinesis.sequenceNumber, undefined],
        ['INVALID_RECORD', records[2].kinesis.sequenceNumber, undefined],
        ['EVENT_TOO_LARGE', records[3].kinesis.sequenceNumber, 'too-wide'],
      ]);
      expect(messages[2]).toMatchObject({
        source: 'monoenv-journey-processor',
        kind: 'SkippedRecord',
        streamArn: STREAM_ARN,
        shardId: 'shardId-000000000003',
        skippedAt: new Date(NOW).toISOString(),
        message: expect.stringMatching(
          /too-wide changes 98 of the user's items and 98 aggregates .* more than the 100 items of a DynamoDB transaction/,
        ),
      });
      expect(await userItems(table, 'u3')).toEqual([]); // nothing of the skipped event was written

      // The event source mapping retries from the first failed record.
      lines.length = 0;
      const retry = await processKinesisBatch(records.slice(4), options);
      expect(retry.batchItemFailures).toEqual([]);
      expect(metric(lines, 'StepReached', { Journey: 'checkout', Step: 'checkout_started', Variant: 'a' })).toBe(1);
      const summary = await readExperimentSummary(doc, table, 'exp');
      expect(summary.variants.map((v) => [v.name, v.users])).toEqual([
        ['a', 1],
        ['b', 1],
      ]);
      expect(await messagesOn(queueUrl)).toEqual([]);
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
      expect(await apply(first)).toEqual({ status: 'committed', outbox: [] });
      // `second` creates a different item, so make it race on the same one: replay `first`'s change under a new id.
      expect(await apply({ ...first, messageId: 'other' })).toEqual({ status: 'conflict' });
      expect(await apply(second)).toMatchObject({ status: 'committed' });
      const marker = await doc.send(new GetCommand({ TableName: table, Key: { pk: 'dedupe#u1', sk: 'msg#other' } }));
      expect(marker.Item).toBeUndefined();
    });

    it('tracks journeys and flags named like the properties every object inherits', async () => {
      const table = await newTable();
      const names = ['constructor', 'toString', 'valueOf', '__proto__'];
      const { handler, lines } = handlerFor(table, { journeys: names.map((name) => ({ ...checkout, name })) });
      const events = [
        ...names.flatMap((flag) => [exposure(flag, 'on', 0, 'u-on'), exposure(flag, 'off', 0, 'u-off'), exposure(flag, 'off', 1, 'u-on')]),
        ...checkoutRun('u-on', 10),
        ...checkoutRun('u-off', 10).slice(0, 2),
      ];
      // One event per invocation: every step is read back from the table rather than carried in memory.
      for (const event of events) expect(await handler({ Records: [kinesisRecord(event)] })).toEqual({ batchItemFailures: [] });

      const perJourney = (sum: number, seconds: number) =>
        Object.fromEntries(
          names
            .flatMap((journey) => [
              [journey, { n: 1, sum, sumSquares: sum }],
              [`${journey}.seconds_to_convert`, { n: sum, sum: seconds, sumSquares: seconds * seconds }],
            ])
            .sort(([a], [b]) => String(a).localeCompare(String(b))),
        );
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
  },
  {
    // Each test has a table and a queue of its own; they stand for the stack's analytics table and failure queue.
    iam: {
      alias: (arn) =>
        arn
          .replace(/:table\/analytics-\d+$/, ':table/monoenv-analytics')
          .replace(/:(failures-\d+|no-failures-expected)$/, ':monoenv-journey-processor-failures'),
    },
  },
);
