import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { experimentPk, metricSk, variantSk } from '../../../domain/experiments/experiment-keys';
import type { FlagDocument } from '../../../domain/flags/evaluator';
import { fractionalWeights, setFractionalWeights } from '../../../domain/flags/flag-edits';
import { readFlag, readHistory, updateFlag, writeFlagDocument } from '../../../domain/flags/flag-table';
import type { RolloutPlan } from '../../../domain/rollouts/rollout-plan';
import { startedState, weightsAt } from '../../../domain/rollouts/rollout-state';
import { addSchedule, editFlagForRollout, readRollout, readSchedules, writePlan } from '../../../domain/rollouts/rollout-table';
import {
  rolloutControllerSettings,
  rolloutControllerEnvironment,
  type RolloutControllerSettings,
} from '../../../lambdas/rollout-controller/contract';
import { runController } from '../../../lambdas/rollout-controller/controller';
import { awsControllerPorts } from '../../../lambdas/rollout-controller/handler';
import { createPkSkTable, describeWithMoto, functionClientConfig, motoClientConfig } from '../../support/moto';

// The production stack's names (appName monoenv), so the suite's calls are evaluated against the deployed role.
const FLAGS = 'monoenv-flags';
const ANALYTICS = 'monoenv-analytics';
const FUNCTION = 'monoenv-rollout-controller';
const T0 = new Date('2030-05-01T12:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const flags = {
  flags: {
    'new-checkout': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { fractional: [{ var: 'targetingKey' }, ['on', 0], ['off', 100]] },
    },
    banner: { state: 'DISABLED', variants: { on: true, off: false }, defaultVariant: 'off' },
  },
} as unknown as FlagDocument;

const plan: RolloutPlan = {
  flag: 'new-checkout',
  variant: 'on',
  safeVariant: 'off',
  steps: [
    { percent: 5, minMinutes: 10, minUsers: 100 },
    { percent: 50, minMinutes: 10, minUsers: 100 },
    { percent: 100, minMinutes: 10, minUsers: 100 },
  ],
  guardrails: { journeys: { checkout: { maxRelativeDrop: 0.05 } }, service: { name: 'web', max5xxRate: 0.01 }, maxFlagErrorRate: 0.01 },
  alpha: 0.05,
};

const ALB = { LoadBalancer: 'app/monoenv-web/1', TargetGroup: 'targetgroup/monoenv-web/1' };

describeWithMoto(
  'rollout controller against moto (DynamoDB, CloudWatch, SNS)',
  (moto) => {
    let doc: DynamoDBDocumentClient;
    let settings: RolloutControllerSettings;
    let queueUrl: string;
    let sqs: SQSClient;
    const lines: string[] = [];

    /** The controller as the function runs it: its own credentials, its settings from the environment it is given. */
    const controller = (now: Date) => {
      const config = { ...functionClientConfig(moto().endpoint, FUNCTION), requestHandler: new NodeHttpHandler() };
      const ports = awsControllerPorts(
        settings,
        {
          dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(config)),
          cloudwatch: new CloudWatchClient(config),
          sns: new SNSClient(config),
        },
        { now: () => now.getTime(), writeLine: (line) => lines.push(line), logError: () => undefined },
      );
      return runController(ports, { now: () => now, intervalMs: 60_000 });
    };

    const exposures = async (variant: string, users: number, converted: number) => {
      await doc.send(
        new PutCommand({
          TableName: ANALYTICS,
          Item: { pk: experimentPk('new-checkout'), sk: variantSk(variant), users, flag: 'new-checkout', variant },
        }),
      );
      await doc.send(
        new PutCommand({
          TableName: ANALYTICS,
          Item: {
            pk: experimentPk('new-checkout'),
            sk: metricSk(variant, 'checkout'),
            n: converted,
            sum: converted,
            sumSquares: converted,
            kind: 'conversion',
            metric: 'checkout',
            flag: 'new-checkout',
            variant,
          },
        }),
      );
    };

    /** A started rollout, as `monoenv flags rollout start` leaves it, and the controller's first look (the baseline). */
    const start = async () => {
      await editFlagForRollout(doc, FLAGS, {
        flag: plan.flag,
        mutate: (f) => setFractionalWeights(f, weightsAt(plan, 5)),
        nextState: (version) => startedState(plan, version, 0, T0, 'alice'),
        readVersion: 0,
        actor: 'alice',
        action: 'rollout-start',
        now: () => T0,
      });
      expect((await controller(T0)).rollouts).toEqual([{ flag: 'new-checkout', decision: 'hold', detail: 'baseline taken' }]);
    };

    const receiveAlerts = async (): Promise<string[]> => {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      return (out.Messages ?? []).map((m) => JSON.parse(m.Body!).Message as string);
    };

    beforeAll(async () => {
      const config = { ...motoClientConfig(moto().endpoint), requestHandler: new NodeHttpHandler() };
      const dynamo = new DynamoDBClient(config);
      doc = DynamoDBDocumentClient.from(dynamo);
      sqs = new SQSClient(config);
      const sns = new SNSClient(config);
      const topic = await sns.send(new CreateTopicCommand({ Name: 'monoenv-alerts' }));
      const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'alerts-inbox' }));
      queueUrl = queue.QueueUrl!;
      const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!
        .QueueArn;
      await sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: queueArn }));
      // Settings through the contract, as the construct writes them and the handler reads them.
      settings = rolloutControllerSettings(
        rolloutControllerEnvironment({
          flagTable: FLAGS,
          analyticsTable: ANALYTICS,
          alertsTopicArn: topic.TopicArn!,
          intervalSeconds: 60,
          signals: {
            services: {
              web: {
                requests: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions: ALB },
                errors5xx: { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensions: ALB },
                responseTimeSeconds: { namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', dimensions: ALB },
              },
            },
            flagEvaluations: [{ namespace: 'Monoenv/Flags', metricName: 'Evaluations', dimensions: { Route: 'single' } }],
            flagErrors: [{ namespace: 'Monoenv/Flags', metricName: 'EvaluationErrors', dimensions: { Route: 'single' } }],
          },
        }),
      );
    });

    beforeEach(async () => {
      lines.length = 0;
      const dynamo = new DynamoDBClient({ ...motoClientConfig(moto().endpoint), requestHandler: new NodeHttpHandler() });
      const { DeleteTableCommand } = await import('@aws-sdk/client-dynamodb');
      for (const table of [FLAGS, ANALYTICS]) {
        await dynamo.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
        await createPkSkTable(dynamo, table);
      }
      await writeFlagDocument(doc, FLAGS, flags, 'deploy', T0);
      await writePlan(doc, FLAGS, plan);
      await receiveAlerts(); // empty the inbox
    });

    it('holds while a step lacks time or users, then advances the flag, audited as the controller', async () => {
      await start();
      await exposures('on', 150, 60);
      await exposures('off', 2800, 1100);
      expect((await controller(at(5))).rollouts).toEqual([
        { flag: 'new-checkout', decision: 'hold', detail: 'minimum time (until 2030-05-01T12:10:00.000Z)' },
      ]);
      const held = await readRollout(doc, FLAGS, 'new-checkout');
      expect(held.state!.lastCheck).toMatchObject({ usersInStep: 150, nextDecisionAt: '2030-05-01T12:10:00.000Z' });
      expect(held.state!.lastCheck!.readings.map((r) => `${r.name} ${r.status}`)).toEqual([
        'checkout conversion ok',
        'web 5xx rate insufficient-data',
        'flag evaluation error rate insufficient-data',
      ]);

      expect((await controller(at(11))).rollouts[0]).toMatchObject({ decision: 'advance', detail: '50%' });
      const flag = await readFlag(doc, FLAGS, 'new-checkout');
      expect(fractionalWeights(flag.definition)).toEqual([
        ['on', 50],
        ['off', 50],
      ]);
      expect(flag.updatedBy).toBe('rollout-controller');
      const { state } = await readRollout(doc, FLAGS, 'new-checkout');
      expect(state).toMatchObject({ status: 'running', step: 1, percent: 50, flagVersion: flag.version, usersAtStepStart: 150 });
      expect((await readHistory(doc, FLAGS, 'new-checkout')).map((e) => `${e.action} ${e.actor}`)).toEqual([
        'rollout-start alice',
        'rollout-advance rollout-controller',
      ]);
    });

    it('rolls back a conversion regression: everyone on the safe variant, state ended, alert with the evidence', async () => {
      await start();
      await exposures('on', 1500, 300);
      await exposures('off', 1500, 600);
      expect((await controller(at(3))).rollouts[0]).toMatchObject({ decision: 'roll-back' });
      const flag = await readFlag(doc, FLAGS, 'new-checkout');
      expect(fractionalWeights(flag.definition)).toEqual([
        ['off', 100],
        ['on', 0],
      ]);
      const { state } = await readRollout(doc, FLAGS, 'new-checkout');
      expect(state).toMatchObject({ status: 'rolled-back', percent: 0, flagVersion: flag.version });
      expect(state!.reason).toMatch(/^guardrail regressed: checkout conversion: -50\.0%/);
      const [alert] = await receiveAlerts();
      expect(alert).toContain("The rollout of flag 'new-checkout' (variant 'on') was rolled back at 5%");
      expect(alert).toContain('checkout conversion: -50.0%');
      expect(alert).toContain('on: 300/1500 converted, off: 600/1500');
      // Ended: later runs leave it alone.
      expect((await controller(at(4))).rollouts[0]).toMatchObject({ decision: 'skipped', detail: 'rolled-back' });
    });

    it('judges only what came after the start: an earlier experiment where the variant won does not mask a regression', async () => {
      await exposures('on', 5000, 2500);
      await exposures('off', 5000, 2000);
      await start();
      expect((await readRollout(doc, FLAGS, 'new-checkout')).state!.baseline).toMatchObject({
        users: { on: 5000, off: 5000 },
        conversions: { checkout: { on: 2500, off: 2000 } },
      });
      // Since the start: on 150 users, 15 converted (10 %); off 300 users, 120 converted (40 %).
      await exposures('on', 5150, 2515);
      await exposures('off', 5300, 2120);
      const run = await controller(at(2));
      expect(run.rollouts[0]).toMatchObject({
        decision: 'roll-back',
        detail: expect.stringContaining('on: 15/150 converted, off: 120/300'),
      });
    });

    it('rolls back on the service 5xx rate from CloudWatch', async () => {
      await start();
      const cloudwatch = new CloudWatchClient({ ...motoClientConfig(moto().endpoint), requestHandler: new NodeHttpHandler() });
      const dims = Object.entries(ALB).map(([Name, Value]) => ({ Name, Value }));
      await cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: 'AWS/ApplicationELB',
          MetricData: [
            { MetricName: 'RequestCount', Dimensions: dims, Value: 1000, Timestamp: at(2), Unit: 'Count' },
            { MetricName: 'HTTPCode_Target_5XX_Count', Dimensions: dims, Value: 200, Timestamp: at(2), Unit: 'Count' },
          ],
        }),
      );
      const run = await controller(at(4));
      expect(run.rollouts[0]).toMatchObject({ decision: 'roll-back', detail: expect.stringContaining('web 5xx rate: 20.00%') });
    });

    it('pauses a rollout whose flag someone edited, and leaves the flag as they set it', async () => {
      await start();
      await updateFlag(
        doc,
        FLAGS,
        'new-checkout',
        (f) =>
          setFractionalWeights(f, [
            ['on', 20],
            ['off', 80],
          ]),
        'bob',
        { action: 'set-weights', now: () => at(1) },
      );
      expect((await controller(at(2))).rollouts[0]).toMatchObject({ decision: 'pause' });
      const { state } = await readRollout(doc, FLAGS, 'new-checkout');
      expect(state).toMatchObject({ status: 'paused', reason: 'flag edited outside the rollout (version 3 by bob, the rollout wrote 2)' });
      expect(fractionalWeights((await readFlag(doc, FLAGS, 'new-checkout')).definition)).toEqual([
        ['on', 20],
        ['off', 80],
      ]);
    });

    it('fires a due schedule once, even with two controllers at the same time', async () => {
      await addSchedule(doc, FLAGS, { flag: 'banner', at: at(1).toISOString(), change: { change: 'enable' } }, 'abc12345', 'carol');
      await addSchedule(doc, FLAGS, { flag: 'banner', at: at(30).toISOString(), change: { change: 'disable' } }, 'later111', 'carol');
      expect((await controller(at(0))).schedules).toEqual([]); // not due yet
      const runs = await Promise.all([controller(at(2)), controller(at(2))]);
      const outcomes = runs.flatMap((run) => run.schedules.map((s) => s.outcome)).sort();
      expect(outcomes.filter((o) => o === 'fired')).toHaveLength(1);
      const flag = await readFlag(doc, FLAGS, 'banner');
      expect(flag).toMatchObject({ version: 2, updatedBy: 'rollout-controller' });
      expect(flag.definition.state).toBe('ENABLED');
      expect((await readHistory(doc, FLAGS, 'banner')).map((e) => e.action)).toEqual(['scheduled-change']);
      const [fired, pending] = await readSchedules(doc, FLAGS, { flag: 'banner' });
      expect(fired).toMatchObject({ id: 'abc12345', status: 'fired', result: 'flag version 2' });
      expect(pending).toMatchObject({ id: 'later111', status: 'pending' });
      expect((await controller(at(3))).schedules).toEqual([]); // fired stays fired
    });

    it('marks a schedule that cannot be made failed, alerts once, and goes on', async () => {
      await addSchedule(
        doc,
        FLAGS,
        { flag: 'banner', at: at(1).toISOString(), change: { change: 'set-default', variant: 'gone' } },
        'bad00001',
        'carol',
      );
      expect((await controller(at(2))).schedules).toEqual([
        { id: 'bad00001', flag: 'banner', outcome: 'failed', detail: expect.stringContaining("variant 'gone'") },
      ]);
      const [failed] = await readSchedules(doc, FLAGS, { flag: 'banner' });
      expect(failed).toMatchObject({ status: 'failed', result: expect.stringContaining("variant 'gone'") });
      expect(await receiveAlerts()).toEqual([expect.stringContaining("The change 'set-default gone' to flag 'banner'")]);
      expect((await readFlag(doc, FLAGS, 'banner')).version).toBe(1);
    });
  },
  { iam: { alias: (arn) => arn.replace('alerts-inbox', 'monoenv-alerts') } },
);
