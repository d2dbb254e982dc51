import { Construct } from 'constructs';
import { DynamodbTableItem } from '@cdktf/provider-aws/lib/dynamodb-table-item';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { z } from 'zod';
import { FLAG_TABLE_HASH_KEY, FLAG_TABLE_RANGE_KEY } from '../../domain/flags/table-layout';
import type { RolloutPlan, ScheduledChange } from '../../domain/rollouts/rollout-plan';
import { planItem, scheduleId, scheduleItem } from '../../domain/rollouts/rollout-table';
import { rolloutControllerEnvironment, type MetricRef, type ServiceSignalRefs } from '../../lambdas/rollout-controller/contract';
import { FLAG_METRICS } from '../../lambdas/flag-evaluation/contract';
import type { Grant, Grantee } from '../core/grants';
import { lambdaEntry, MonoenvFunction } from '../core/monoenv-function';
import { schedulerInvokeRole } from '../core/scheduler-role';
import { ownershipTags, type OwnershipTags } from '../core/ownership';
import { logRetentionDaysSchema, namePrefixSchema, parseProps } from '../core/props';
import type { IMonitoring, MetricSpec } from '../monitoring/monitoring';

/** The flag table the controller edits: a FlagStore, or a table of the same layout. */
export interface IFlagTable {
  readonly tableName: string;
  grantWrite(grantee: Grantee): Grant;
}

/** The journey processor's analytics table: an EventStream. */
export interface IAnalyticsTable {
  readonly analyticsTableName: string;
  grantReadAnalytics(grantee: Grantee): Grant;
}

/** A service whose load balancer metrics a plan may guard: a ContainerService. */
export interface IGuardedService {
  metricRequestCount(): MetricSpec;
  metricHttp5xx(): MetricSpec;
  metricTargetResponseTime(statistic?: string): MetricSpec;
}

export const rolloutControllerFields = {
  scheduleExpression: z
    .string()
    .regex(/^(rate\(\d+ (minute|minutes|hour|hours)\)|cron\(.+\))$/, 'must be an EventBridge Scheduler rate(...) or cron(...) expression'),
};

const settingsSchema = z.object({
  namePrefix: namePrefixSchema,
  scheduleExpression: rolloutControllerFields.scheduleExpression.default('rate(1 minute)'),
  logRetentionDays: logRetentionDaysSchema.default(30),
});

export interface RolloutControllerProps {
  /** Prefix of every name (function, schedule, role). */
  readonly namePrefix: string;
  readonly flagTable: IFlagTable;
  readonly analyticsTable: IAnalyticsTable;
  /** Roll-backs and failed schedules are published to its alerts topic; the function's alarms go there too. */
  readonly monitoring: IMonitoring;
  /** Rollout plans as code (validated: `loadRolloutDir`), written to the flag table on deploy. @default - none */
  readonly plans?: readonly RolloutPlan[];
  /** Scheduled changes as code, written on deploy; each fires once, even if later deploys write it again. @default - none */
  readonly schedules?: readonly ScheduledChange[];
  /** Services plans may guard, by the name plans use (`guardrails.service.name`). @default - none */
  readonly services?: Readonly<Record<string, IGuardedService>>;
  /** How often the controller runs. @default 'rate(1 minute)' */
  readonly scheduleExpression?: string;
  /** @default 30 */
  readonly logRetentionDays?: number;
  readonly ownership?: OwnershipTags;
}

const metricRef = (spec: MetricSpec): MetricRef => ({
  namespace: spec.namespace,
  metricName: spec.metricName,
  dimensions: spec.dimensions ?? {},
});

/** `rate(5 minutes)` to 300; a cron expression counts as a minute (the next decision time is only a hint). */
function intervalSecondsOf(expression: string): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(expression);
  if (!match) return 60;
  return Number(match[1]) * (match[2].startsWith('hour') ? 3600 : 60);
}

/**
 * Guarded rollouts and scheduled changes: the rollout controller Lambda, run by EventBridge Scheduler (every minute
 * by default), plans and schedules from code written to the flag table, and the permissions it needs: edit the flag
 * table, read the journey processor's aggregates, read the guardrails' CloudWatch metrics, publish alerts.
 *
 * Plans are rewritten by every deploy (a changed plan applies to the next `rollout start`). A schedule item is
 * keyed by what it does and never rewritten (`ignore_changes`), so one that fired stays fired.
 */
export class RolloutController extends Construct {
  readonly function: MonoenvFunction;
  readonly schedule: SchedulerSchedule;
  readonly functionName: string;

  constructor(scope: Construct, id: string, props: RolloutControllerProps) {
    super(scope, id);
    const settings = parseProps(`RolloutController ${id}`, settingsSchema, {
      namePrefix: props.namePrefix,
      scheduleExpression: props.scheduleExpression,
      logRetentionDays: props.logRetentionDays,
    });
    const services = props.services ?? {};
    for (const plan of props.plans ?? []) {
      const service = plan.guardrails.service?.name;
      if (service !== undefined && !services[service]) {
        throw new Error(
          `RolloutController ${id}: plans.${plan.flag}: guardrails.service.name '${service}' is not one of the services given`,
        );
      }
    }
    const tags = ownershipTags(props.ownership);
    const serviceSignals: Record<string, ServiceSignalRefs> = Object.fromEntries(
      Object.entries(services).map(([name, service]) => [
        name,
        {
          requests: metricRef(service.metricRequestCount()),
          errors5xx: metricRef(service.metricHttp5xx()),
          responseTimeSeconds: metricRef(service.metricTargetResponseTime('p99')),
        },
      ]),
    );
    const flagMetric = (metricName: string, route: string): MetricRef => ({
      namespace: FLAG_METRICS.namespace,
      metricName,
      dimensions: { [FLAG_METRICS.routeDimension]: route },
    });
    const routes = ['single', 'bulk'];

    this.function = new MonoenvFunction(this, 'function', {
      entry: lambdaEntry('rollout-controller'),
      functionName: `${settings.namePrefix}-rollout-controller`,
      description: 'Guarded rollouts and scheduled flag changes',
      memoryMiB: 256,
      timeoutSeconds: 50,
      // One run at a time is enough; the table's conditions keep two runs from acting twice anyway.
      reservedConcurrentExecutions: 1,
      logRetentionDays: settings.logRetentionDays,
      environment: rolloutControllerEnvironment({
        flagTable: props.flagTable.tableName,
        analyticsTable: props.analyticsTable.analyticsTableName,
        alertsTopicArn: props.monitoring.alertsTopicArn,
        signals: {
          services: serviceSignals,
          flagEvaluations: routes.map((route) => flagMetric(FLAG_METRICS.evaluations, route)),
          flagErrors: routes.map((route) => flagMetric(FLAG_METRICS.evaluationErrors, route)),
        },
        intervalSeconds: intervalSecondsOf(settings.scheduleExpression),
      }),
      policyStatements: [{ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }],
      monitoring: props.monitoring,
      ownership: props.ownership,
    });
    this.functionName = this.function.functionName;
    props.flagTable.grantWrite(this.function);
    props.analyticsTable.grantReadAnalytics(this.function);
    props.monitoring.grantPublishAlerts(this.function);

    const item = (itemId: string, attributes: Record<string, string>, ignoreChanges: boolean) =>
      new DynamodbTableItem(this, itemId, {
        tableName: props.flagTable.tableName,
        hashKey: FLAG_TABLE_HASH_KEY,
        rangeKey: FLAG_TABLE_RANGE_KEY,
        item: JSON.stringify(Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { S: value }]))),
        ...(ignoreChanges ? { lifecycle: { ignoreChanges: ['item'] } } : {}),
      });
    for (const plan of props.plans ?? []) item(`plan-${plan.flag}`, planItem(plan), false);
    for (const schedule of props.schedules ?? []) {
      const scheduleKey = scheduleId(schedule);
      item(`schedule-${scheduleKey}`, scheduleItem(schedule, scheduleKey, 'deploy'), true);
    }

    this.schedule = this.createSchedule(settings.namePrefix, settings.scheduleExpression, tags);
  }

  private createSchedule(prefix: string, scheduleExpression: string, tags: Record<string, string>): SchedulerSchedule {
    const role = schedulerInvokeRole(this, {
      roleName: `${prefix}-rollout-scheduler`,
      policyName: 'invoke-rollout-controller-only',
      functionArn: this.function.function.arn,
      tags,
    });
    return new SchedulerSchedule(this, 'schedule', {
      name: `${prefix}-rollout-controller`.slice(0, 64),
      description: 'runs the rollout controller: guarded rollouts and scheduled flag changes',
      scheduleExpression,
      // On time: a roll-back waits for no window.
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: this.function.function.arn,
        roleArn: role.arn,
        // A missed run is replaced by the next one a minute later.
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      },
    });
  }
}
