import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { z } from 'zod';
import { ownershipTags, type OwnershipTags } from '../core/ownership';
import { parseProps, tokenOr } from '../core/props';
import { Grant, type Grantee } from '../core/grants';

/** A CloudWatch metric, as alarms and dashboard widgets use it. */
export interface MetricSpec {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions?: Record<string, string>;
  /** `Sum`, `Average`, `Maximum`, `Minimum`, `SampleCount` or a percentile like `p99`. @default 'Average' */
  readonly statistic?: string;
  /** @default 60 */
  readonly periodSeconds?: number;
  readonly label?: string;
}

/** Metric math over named metrics, e.g. `100 * errors / MAX([requests, 1])`. */
export interface MathSpec {
  readonly expression: string;
  readonly metrics: Record<string, MetricSpec>;
  readonly label: string;
  /** @default 60 */
  readonly periodSeconds?: number;
}

export type ComparisonOperator =
  'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';

export interface AlarmDefinition {
  readonly description: string;
  readonly metric: MetricSpec | MathSpec;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  /** @default 3 */
  readonly evaluationPeriods?: number;
  /** @default - evaluationPeriods */
  readonly datapointsToAlarm?: number;
  /** @default 'notBreaching' */
  readonly treatMissingData?: 'missing' | 'notBreaching' | 'breaching' | 'ignore';
  /** Where the alarm notifies, e.g. an owning team's topic. @default - the alerts topic */
  readonly topicArn?: string;
  /** @default - `<prefix>-<id>` */
  readonly alarmName?: string;
  readonly ownership?: OwnershipTags;
}

/** A CloudWatch dashboard widget (the dashboard body's JSON); position is assigned by the dashboard. */
export interface DashboardWidget {
  readonly type: 'metric' | 'text';
  readonly width?: number;
  readonly height?: number;
  readonly properties: Record<string, unknown>;
}

export interface MonitoringProps {
  /** Name prefix for the topic, dashboard and alarms. */
  readonly namePrefix: string;
  /** Subscribed to the alerts topic by email. @default - no subscription */
  readonly alertEmail?: string;
  /** @default - `<namePrefix>` */
  readonly dashboardName?: string;
  readonly ownership?: OwnershipTags;
}

/** The rules of each setting; the config's alert emails are checked with `alertEmail`. */
export const monitoringFields = {
  namePrefix: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, "must be 1-200 letters, digits, '-' or '_' (it begins the topic and alarm names)"),
  /** An address, or a deploy-time token (e.g. a Terraform variable). */
  alertEmail: tokenOr(z.email('must be an email address')),
  dashboardName: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,255}$/, "must be 1-255 letters, digits, '-' or '_' (CloudWatch's rule for dashboard names)"),
};

/** The construct's scalar props with their defaults. */
export const monitoringSettingsSchema = z
  .object({
    namePrefix: monitoringFields.namePrefix,
    alertEmail: monitoringFields.alertEmail.optional(),
    dashboardName: monitoringFields.dashboardName.optional(),
  })
  .transform((value) => ({ ...value, dashboardName: value.dashboardName ?? value.namePrefix }));

const isMath = (metric: MetricSpec | MathSpec): metric is MathSpec => 'expression' in metric;
const isPercentile = (stat: string) => /^p\d+(\.\d+)?$/.test(stat);

/** A metric line for a widget's `metrics` array: [namespace, name, dim, value, ..., options]. */
export function widgetMetric(metric: MetricSpec, extra: Record<string, unknown> = {}): unknown[] {
  const dims = Object.entries(metric.dimensions ?? {}).flat();
  return [
    metric.namespace,
    metric.metricName,
    ...dims,
    { stat: metric.statistic ?? 'Average', period: metric.periodSeconds ?? 60, ...(metric.label ? { label: metric.label } : {}), ...extra },
  ];
}

/** A time-series widget of plain metrics and/or metric math. */
export function metricWidget(
  title: string,
  metrics: readonly (MetricSpec | MathSpec)[],
  options: { width?: number; height?: number; stacked?: boolean; view?: 'timeSeries' | 'singleValue' | 'bar' } = {},
): DashboardWidget {
  const lines: unknown[] = [];
  metrics.forEach((metric, index) => {
    if (isMath(metric)) {
      for (const [id, inner] of Object.entries(metric.metrics)) lines.push(widgetMetric(inner, { id: `${id}${index}`, visible: false }));
      const expression = Object.keys(metric.metrics).reduce(
        (expr, id) => expr.replace(new RegExp(`\\b${id}\\b`, 'g'), `${id}${index}`),
        metric.expression,
      );
      lines.push([{ expression, label: metric.label, id: `e${index}` }]);
    } else {
      lines.push(widgetMetric(metric));
    }
  });
  return {
    type: 'metric',
    width: options.width ?? 8,
    height: options.height ?? 6,
    properties: { title, metrics: lines, view: options.view ?? 'timeSeries', stacked: options.stacked ?? false },
  };
}

export function textWidget(markdown: string, width = 24, height = 2): DashboardWidget {
  return { type: 'text', width, height, properties: { markdown } };
}

/**
 * The environment's alerts topic (KMS-encrypted with a key CloudWatch and EventBridge may use, since the
 * AWS-managed SNS key does not let them publish) and its one dashboard. Other constructs add widgets and
 * alarms through it, so every alarm is wired to a topic and appears in one place.
 */
/** Where constructs put their alarms and dashboard rows: a `Monitoring`, or your own implementation. */
export interface IMonitoring {
  /** The environment's alerts topic. */
  readonly alertsTopicArn: string;
  /** The topic a team's alarms go to. */
  topicArnFor(ownership?: OwnershipTags & { alertEmail?: string }): string;
  addWidgets(...widgets: DashboardWidget[]): void;
  addAlarm(id: string, def: AlarmDefinition, scope?: Construct): CloudwatchMetricAlarm;
  /** Lets `grantee` publish to the alerts topic (and use its encryption key). */
  grantPublishAlerts(grantee: Grantee): Grant;
}

export class Monitoring extends Construct implements IMonitoring {
  readonly alertsTopic: SnsTopic;
  readonly alertsKey: KmsKey;
  readonly dashboard: CloudwatchDashboard;
  readonly dashboardName: string;
  readonly alarms: CloudwatchMetricAlarm[] = [];
  private readonly widgets: DashboardWidget[] = [];
  readonly alertsTopicArn: string;
  private readonly teamTopics = new Map<string, { arn: string; email: string }>();
  private readonly region: DataAwsRegion;
  private readonly account: DataAwsCallerIdentity;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: MonitoringProps,
  ) {
    super(scope, id);
    const { ownership: _ownership, ...scalars } = props;
    const settings = parseProps('Monitoring', monitoringSettingsSchema, scalars);
    this.region = new DataAwsRegion(this, 'region');
    this.account = new DataAwsCallerIdentity(this, 'account');
    this.alertsKey = new KmsKey(this, 'alerts-key', {
      description: `${props.namePrefix} alerts topic encryption`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AccountAdmin',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${this.account.accountId}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Sid: 'AlarmAndEventPublishers',
            Effect: 'Allow',
            Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
          },
        ],
      }),
      tags: ownershipTags(props.ownership, `${props.namePrefix}-alerts`),
    });
    this.alertsTopic = this.createTopic('alerts', `${props.namePrefix}-alerts`, settings.alertEmail, props.ownership);
    this.alertsTopicArn = this.alertsTopic.arn;
    this.dashboardName = settings.dashboardName;
    this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: this.dashboardName,
      dashboardBody: Lazy.stringValue({ produce: () => JSON.stringify({ widgets: this.layoutWidgets() }) }),
    });
  }

  grantPublishAlerts(grantee: Grantee): Grant {
    return Grant.addToPrincipal(grantee, [
      { actions: ['sns:Publish'], resources: [this.alertsTopicArn] },
      // The topic is encrypted with the alerts key: publishing needs the key too (real AWS refuses without it).
      { actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], resources: [this.alertsKey.arn] },
    ]);
  }

  /** Console URL of the dashboard. */
  get dashboardUrl(): string {
    return `https://console.aws.amazon.com/cloudwatch/home?region=${this.region.name}#dashboards:name=${this.dashboardName}`;
  }

  /** The topic a team's alarms go to: its own when it has an alert email, else the alerts topic. */
  topicArnFor(ownership?: OwnershipTags & { alertEmail?: string }): string {
    if (!ownership?.alertEmail) return this.alertsTopicArn;
    const { alertEmail } = parseProps('Monitoring.topicArnFor', z.object({ alertEmail: monitoringFields.alertEmail }), {
      alertEmail: ownership.alertEmail,
    });
    const key = `${ownership.domain}-${ownership.team}`;
    const known = this.teamTopics.get(key);
    if (known && known.email !== alertEmail)
      throw new Error(
        `Monitoring.topicArnFor: team ${key} already alerts ${known.email}; one topic per team, so '${alertEmail}' would be ignored`,
      );
    if (known) return known.arn;
    const arn = this.createTopic(`team-${key}`, `${this.props.namePrefix}-${key}-alerts`, alertEmail, ownership).arn;
    this.teamTopics.set(key, { arn, email: alertEmail });
    return arn;
  }

  addWidgets(...widgets: DashboardWidget[]): void {
    this.widgets.push(...widgets);
  }

  /** Creates an alarm that notifies (alarm and OK) the alerts topic or `def.topicArn`. */
  addAlarm(id: string, def: AlarmDefinition, scope: Construct = this): CloudwatchMetricAlarm {
    const evaluationPeriods = def.evaluationPeriods ?? 3;
    const topic = def.topicArn ?? this.alertsTopicArn;
    const common = {
      alarmName: def.alarmName ?? `${this.props.namePrefix}-${id}`,
      alarmDescription: def.description,
      comparisonOperator: def.comparisonOperator,
      threshold: def.threshold,
      evaluationPeriods,
      datapointsToAlarm: def.datapointsToAlarm ?? evaluationPeriods,
      treatMissingData: def.treatMissingData ?? 'notBreaching',
      alarmActions: [topic],
      okActions: [topic],
      tags: ownershipTags(def.ownership ?? this.props.ownership),
    };
    const metric = def.metric;
    const alarm = isMath(metric)
      ? new CloudwatchMetricAlarm(scope, `alarm-${id}`, {
          ...common,
          metricQuery: [
            { id: 'e1', expression: metric.expression, label: metric.label, returnData: true },
            ...Object.entries(metric.metrics).map(([metricId, m]) => ({
              id: metricId,
              returnData: false,
              metric: {
                namespace: m.namespace,
                metricName: m.metricName,
                dimensions: m.dimensions,
                period: m.periodSeconds ?? metric.periodSeconds ?? 60,
                stat: m.statistic ?? 'Sum',
              },
            })),
          ],
        })
      : new CloudwatchMetricAlarm(scope, `alarm-${id}`, {
          ...common,
          namespace: metric.namespace,
          metricName: metric.metricName,
          dimensions: metric.dimensions,
          period: metric.periodSeconds ?? 60,
          ...(isPercentile(metric.statistic ?? 'Average')
            ? { extendedStatistic: metric.statistic }
            : { statistic: metric.statistic ?? 'Average' }),
        });
    this.alarms.push(alarm);
    return alarm;
  }

  private createTopic(id: string, name: string, email: string | undefined, ownership: OwnershipTags | undefined): SnsTopic {
    const topic = new SnsTopic(this, id, { name, kmsMasterKeyId: this.alertsKey.arn, tags: ownershipTags(ownership, name) });
    new SnsTopicPolicy(this, `${id}-policy`, {
      arn: topic.arn,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AlarmsAndEventsPublish',
            Effect: 'Allow',
            Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
            Action: 'sns:Publish',
            Resource: topic.arn,
            Condition: { StringEquals: { 'aws:SourceAccount': this.account.accountId } },
          },
        ],
      }),
    });
    if (email) {
      new SnsTopicSubscription(this, `${id}-email`, { topicArn: topic.arn, protocol: 'email', endpoint: email });
    }
    return topic;
  }

  /** Rows of 24 units, widgets placed left to right in the order they were added. */
  private layoutWidgets(): Record<string, unknown>[] {
    let x = 0;
    let y = 0;
    let rowHeight = 0;
    return this.widgets.map((widget) => {
      const width = Math.min(widget.width ?? 8, 24);
      const height = widget.height ?? 6;
      if (x + width > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      const placed = {
        type: widget.type,
        x,
        y,
        width,
        height,
        properties: widget.type === 'metric' ? { region: this.region.name, ...widget.properties } : widget.properties,
      };
      x += width;
      rowHeight = Math.max(rowHeight, height);
      return placed;
    });
  }
}
