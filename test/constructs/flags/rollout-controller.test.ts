import { Testing } from 'cdktf';
import 'cdktf/lib/testing/adapters/jest';
import { Grant, type Grantee } from '../../../constructs/core/grants';
import { Monitoring } from '../../../constructs/monitoring/monitoring';
import { RolloutController, type RolloutControllerProps } from '../../../constructs/flags/rollout-controller';
import type { RolloutPlan } from '../../../domain/rollouts/rollout-plan';
import { synthScope } from '../../support/temp';

Testing.setupJest();

const plan: RolloutPlan = {
  flag: 'new-checkout',
  variant: 'on',
  safeVariant: 'off',
  steps: [
    { percent: 10, minMinutes: 30, minUsers: 100 },
    { percent: 100, minMinutes: 30, minUsers: 100 },
  ],
  guardrails: { journeys: { checkout: { maxRelativeDrop: 0.05 } }, service: { name: 'web', max5xxRate: 0.01 }, maxFlagErrorRate: 0.01 },
  alpha: 0.05,
};

const flagTable = {
  tableName: 'prod-flags',
  grantWrite: (grantee: Grantee) =>
    Grant.addToPrincipal(grantee, [
      { actions: ['dynamodb:PutItem'], resources: ['arn:aws:dynamodb:eu-west-1:123456789012:table/prod-flags'] },
    ]),
};
const analyticsTable = {
  analyticsTableName: 'prod-analytics',
  grantReadAnalytics: (grantee: Grantee) =>
    Grant.addToPrincipal(grantee, [
      { actions: ['dynamodb:Query'], resources: ['arn:aws:dynamodb:eu-west-1:123456789012:table/prod-analytics'] },
    ]),
};
const web = {
  metricRequestCount: () => ({ namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions: { LoadBalancer: 'app/web/1' } }),
  metricHttp5xx: () => ({
    namespace: 'AWS/ApplicationELB',
    metricName: 'HTTPCode_Target_5XX_Count',
    dimensions: { LoadBalancer: 'app/web/1' },
  }),
  metricTargetResponseTime: () => ({
    namespace: 'AWS/ApplicationELB',
    metricName: 'TargetResponseTime',
    dimensions: { LoadBalancer: 'app/web/1' },
  }),
};

function synth(props: Partial<RolloutControllerProps> = {}): any {
  return JSON.parse(
    synthScope((scope) => {
      const monitoring = new Monitoring(scope, 'monitoring', { namePrefix: 'prod' });
      new RolloutController(scope, 'rollouts', {
        namePrefix: 'prod',
        flagTable,
        analyticsTable,
        monitoring,
        plans: [plan],
        services: { web },
        ...props,
      });
    }),
  );
}
const values = (parsed: any, type: string): any[] => Object.values(parsed.resource?.[type] ?? {});

describe('RolloutController', () => {
  it('runs the controller every minute, on time, through a role that may invoke only it', () => {
    const parsed = synth();
    const [schedule] = values(parsed, 'aws_scheduler_schedule');
    expect(schedule).toMatchObject({
      name: 'prod-rollout-controller',
      schedule_expression: 'rate(1 minute)',
      flexible_time_window: { mode: 'OFF' },
      target: { arn: expect.stringContaining('aws_lambda_function.rollouts_function'), retry_policy: { maximum_retry_attempts: 0 } },
    });
    const invoke = values(parsed, 'aws_iam_role_policy').find((p) => p.name === 'invoke-rollout-controller-only');
    expect(JSON.parse(invoke.policy).Statement).toEqual([
      { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [expect.stringContaining('aws_lambda_function.rollouts_function')] },
    ]);
  });

  it('gives the function one run at a time, nodejs22.x, and its settings', () => {
    const [fn] = values(synth(), 'aws_lambda_function');
    expect(fn).toMatchObject({ function_name: 'prod-rollout-controller', runtime: 'nodejs22.x', reserved_concurrent_executions: 1 });
    const env = fn.environment.variables;
    expect(env).toMatchObject({ FLAG_TABLE: 'prod-flags', ANALYTICS_TABLE: 'prod-analytics', INTERVAL_SECONDS: '60' });
    expect(env.ALERTS_TOPIC_ARN).toContain('aws_sns_topic.monitoring_alerts');
    const signals = JSON.parse(env.SIGNALS);
    expect(signals.services.web.errors5xx).toEqual({
      namespace: 'AWS/ApplicationELB',
      metricName: 'HTTPCode_Target_5XX_Count',
      dimensions: { LoadBalancer: 'app/web/1' },
    });
    expect(signals.flagErrors.map((m: any) => m.dimensions.Route)).toEqual(['single', 'bulk']);
  });

  it('may edit flags, read aggregates, read metrics and publish alerts with the topic key, and nothing else', () => {
    const parsed = synth();
    const statements = values(parsed, 'aws_iam_role_policy')
      .filter((p) => p.name !== 'invoke-rollout-controller-only')
      .flatMap((p) => JSON.parse(p.policy).Statement);
    const actions = statements.flatMap((s: any) => s.Action).sort();
    expect(actions).toEqual(
      expect.arrayContaining([
        'cloudwatch:GetMetricData',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'kms:Decrypt',
        'kms:GenerateDataKey*',
        'sns:Publish',
      ]),
    );
    const kms = statements.find((s: any) => s.Action.includes('kms:GenerateDataKey*'));
    expect(kms.Resource).toEqual([expect.stringContaining('aws_kms_key.monitoring_alerts-key')]);
    expect(statements.find((s: any) => s.Action.includes('sns:Publish')).Resource).toEqual([
      expect.stringContaining('aws_sns_topic.monitoring_alerts'),
    ]);
  });

  it('writes each plan to the flag table, and each schedule once (kept as the controller marks it)', () => {
    const parsed = synth({ schedules: [{ flag: 'new-checkout', at: '2030-01-01T00:00:00.000Z', change: { change: 'disable' } }] });
    const items = values(parsed, 'aws_dynamodb_table_item');
    const planItem = items.find((i) => JSON.parse(i.item).sk.S === 'plan#new-checkout');
    expect(JSON.parse(JSON.parse(planItem.item).definition.S)).toEqual(plan);
    expect(planItem.lifecycle).toBeUndefined();
    const scheduleItem = items.find((i) => JSON.parse(i.item).pk.S === 'schedule');
    expect(JSON.parse(scheduleItem.item)).toMatchObject({
      status: { S: 'pending' },
      flag: { S: 'new-checkout' },
      createdBy: { S: 'deploy' },
    });
    expect(JSON.parse(scheduleItem.item).sk.S).toMatch(/^2030-01-01T00:00:00\.000Z#new-checkout#[0-9a-f]{12}$/);
    expect(scheduleItem.lifecycle).toEqual({ ignore_changes: ['item'] });
  });

  it('refuses a plan guarding a service it was not given, and a bad schedule expression, naming them', () => {
    expect(() => synth({ services: {} })).toThrow(
      "RolloutController rollouts: plans.new-checkout: guardrails.service.name 'web' is not one of the services given",
    );
    expect(() => synth({ scheduleExpression: 'every minute' })).toThrow(/scheduleExpression/);
  });
});
