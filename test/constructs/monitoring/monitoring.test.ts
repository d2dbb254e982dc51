import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { metricWidget, Monitoring, textWidget, type MonitoringProps } from '../../../constructs/monitoring/monitoring';
import { testApp } from '../../support/temp';

Testing.setupJest();

function synth(configure: (stack: TerraformStack) => void) {
  const app = testApp();
  const stack = new TerraformStack(app, 'test');
  configure(stack);
  const json = Testing.synth(stack);
  return { json, parsed: JSON.parse(json) };
}

const ref = (parsed: any, type: string, attr: string) => `\${${type}.${Object.keys(parsed.resource[type])[0]}.${attr}}`;
const dataRef = (parsed: any, type: string, attr: string) => `\${data.${type}.${Object.keys(parsed.data[type])[0]}.${attr}}`;

describe('Monitoring', () => {
  it('creates a KMS-encrypted alerts topic that alarms and EventBridge can publish to, with an email subscription', () => {
    const { json, parsed } = synth(
      (stack) =>
        new Monitoring(stack, 'm', {
          namePrefix: 'shop',
          alertEmail: 'oncall@example.com',
          ownership: { domain: 'platform', team: 'sre' },
        }),
    );
    expect(json).toHaveResourceWithProperties(SnsTopic, {
      name: 'shop-alerts',
      kms_master_key_id: ref(parsed, 'aws_kms_key', 'arn'),
      tags: { Name: 'shop-alerts', domain: 'platform', team: 'sre' },
    });
    expect(json).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
    const keyPolicy = JSON.parse(Object.values(parsed.resource.aws_kms_key as Record<string, { policy: string }>)[0].policy);
    expect(keyPolicy.Statement[1].Principal.Service).toEqual(['cloudwatch.amazonaws.com', 'events.amazonaws.com']);
    expect(json).toHaveResourceWithProperties(SnsTopicSubscription, { protocol: 'email', endpoint: 'oncall@example.com' });
    const topicPolicy = JSON.parse(Object.values(parsed.resource.aws_sns_topic_policy as Record<string, { policy: string }>)[0].policy);
    expect(topicPolicy.Statement[0].Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': dataRef(parsed, 'aws_caller_identity', 'account_id') },
    });
  });

  it('has no subscription without an email', () => {
    const { parsed } = synth((stack) => new Monitoring(stack, 'm', { namePrefix: 'shop' }));
    expect(parsed.resource.aws_sns_topic_subscription).toBeUndefined();
  });

  it('wires alarms to the alerts topic, percentiles as extended statistics, math alarms as metric queries', () => {
    const { json, parsed } = synth((stack) => {
      const m = new Monitoring(stack, 'm', { namePrefix: 'shop' });
      m.addAlarm('latency', {
        description: 'p99',
        metric: { namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', statistic: 'p99' },
        threshold: 1,
        comparisonOperator: 'GreaterThanThreshold',
      });
      m.addAlarm('errors-rate', {
        description: '5xx rate',
        metric: {
          expression: '100 * e / MAX([r, 1])',
          label: '5xx %',
          metrics: {
            e: { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_ELB_5XX_Count' },
            r: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount' },
          },
        },
        threshold: 5,
        comparisonOperator: 'GreaterThanThreshold',
      });
    });
    const topic = ref(parsed, 'aws_sns_topic', 'arn');
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: 'shop-latency',
      extended_statistic: 'p99',
      alarm_actions: [topic],
      ok_actions: [topic],
      treat_missing_data: 'notBreaching',
    });
    const math = Object.values(parsed.resource.aws_cloudwatch_metric_alarm as Record<string, any>).find(
      (a) => a.alarm_name === 'shop-errors-rate',
    );
    expect(math.metric_query[0]).toEqual({ id: 'e1', expression: '100 * e / MAX([r, 1])', label: '5xx %', return_data: true });
    expect(math.metric_query[1].metric).toMatchObject({ metric_name: 'HTTPCode_ELB_5XX_Count', stat: 'Sum', period: 60 });
    expect(math.alarm_actions).toEqual([topic]);
  });

  it('refuses a team alert email that is not one, or a second email for the same team, naming both', () => {
    synth((stack) => {
      const m = new Monitoring(stack, 'm', { namePrefix: 'shop' });
      expect(() => m.topicArnFor({ domain: 'checkout', team: 'payments', alertEmail: 'payments at example' })).toThrow(
        /Monitoring.topicArnFor: invalid props:\n\s+alertEmail: must be an email address/,
      );
      m.topicArnFor({ domain: 'checkout', team: 'payments', alertEmail: 'payments@example.com' });
      expect(() => m.topicArnFor({ domain: 'checkout', team: 'payments', alertEmail: 'oncall@example.com' })).toThrow(
        "Monitoring.topicArnFor: team checkout-payments already alerts payments@example.com; one topic per team, so 'oncall@example.com' would be ignored",
      );
    });
  });

  it('routes a team with an alert email to its own topic, created once', () => {
    const { parsed } = synth((stack) => {
      const m = new Monitoring(stack, 'm', { namePrefix: 'shop' });
      const team = { domain: 'checkout', team: 'payments', alertEmail: 'payments@example.com' };
      const arn = m.topicArnFor(team);
      expect(m.topicArnFor(team)).toBe(arn);
      expect(m.topicArnFor({ domain: 'x', team: 'y' })).toBe(m.alertsTopicArn);
      m.addAlarm('a', {
        description: 'd',
        metric: { namespace: 'N', metricName: 'M' },
        threshold: 1,
        comparisonOperator: 'GreaterThanThreshold',
        topicArn: arn,
      });
    });
    const topics = Object.values(parsed.resource.aws_sns_topic as Record<string, { name: string }>).map((t) => t.name);
    expect(topics.sort()).toEqual(['shop-alerts', 'shop-checkout-payments-alerts']);
    const alarm = Object.values(parsed.resource.aws_cloudwatch_metric_alarm as Record<string, any>)[0];
    expect(alarm.alarm_actions[0]).toMatch(/aws_sns_topic\.m_team-checkout-payments/);
  });

  it('lays widgets out in rows of 24 and fills in the region', () => {
    const { parsed } = synth((stack) => {
      const m = new Monitoring(stack, 'm', { namePrefix: 'shop' });
      m.addWidgets(
        textWidget('# Shop'),
        metricWidget('a', [{ namespace: 'N', metricName: 'A' }], { width: 12 }),
        metricWidget('b', [{ namespace: 'N', metricName: 'B' }], { width: 12 }),
        metricWidget('c', [{ namespace: 'N', metricName: 'C' }], { width: 12 }),
      );
    });
    const body = JSON.parse(
      Object.values(parsed.resource.aws_cloudwatch_dashboard as Record<string, { dashboard_body: string }>)[0].dashboard_body,
    );
    expect(body.widgets.map((w: any) => [w.x, w.y, w.width])).toEqual([
      [0, 0, 24],
      [0, 2, 12],
      [12, 2, 12],
      [0, 8, 12],
    ]);
    expect(body.widgets[1].properties.region).toMatch(/data\.aws_region/);
    expect(body.widgets[1].properties.metrics).toEqual([['N', 'A', { stat: 'Average', period: 60 }]]);
  });

  it('rejects a bad name prefix', () => {
    expect(() => synth((stack) => new Monitoring(stack, 'm', { namePrefix: 'bad prefix' }))).toThrow(
      /namePrefix: must be 1-200 letters, digits, '-' or '_'/,
    );
  });

  it('names every bad prop in one error at construction', () => {
    const stack = new TerraformStack(testApp(), 'test');
    expect(
      () => new Monitoring(stack, 'm', { namePrefix: '', alertEmail: 'oncall at example.com', dashboardName: 'shop dashboard' }),
    ).toThrow(
      [
        'Monitoring: invalid props:',
        "  namePrefix: must be 1-200 letters, digits, '-' or '_' (it begins the topic and alarm names)",
        '  alertEmail: must be an email address',
        "  dashboardName: must be 1-255 letters, digits, '-' or '_' (CloudWatch's rule for dashboard names)",
      ].join('\n'),
    );
    // Nothing was made.
    expect(stack.node.findAll().filter((c) => c.node.path.includes('/m/'))).toEqual([]);
  });

  it('names its dashboard after the prefix unless told, and takes an alert email known only at deploy time', () => {
    const named = (props: Partial<MonitoringProps>) =>
      Object.values(
        synth((stack) => new Monitoring(stack, 'm', { namePrefix: 'shop', ...props })).parsed.resource.aws_cloudwatch_dashboard as Record<
          string,
          any
        >,
      )[0].dashboard_name;
    expect(named({})).toBe('shop');
    expect(named({ dashboardName: 'Shop_Overview' })).toBe('Shop_Overview');
    const { json } = synth((stack) => {
      const email = new TerraformVariable(stack, 'oncall', { type: 'string' });
      new Monitoring(stack, 'm', { namePrefix: 'shop', alertEmail: email.stringValue });
    });
    expect(json).toHaveResourceWithProperties(SnsTopicSubscription, { protocol: 'email', endpoint: '${var.oncall}' });
  });
});
