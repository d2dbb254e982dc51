import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ExperimentDataError, readExperimentSummary } from '../../domain/experiments/experiment-table';
import { readFlag } from '../../domain/flags/flag-table';
import type { RateCounts, ServiceSignals } from '../../domain/rollouts/guardrails';
import { editFlagForRollout, failSchedule, fireSchedule, putState, readRollouts, readSchedules } from '../../domain/rollouts/rollout-table';
import { CONTROLLER_ACTOR } from '../../domain/rollouts/rollout-state';
import { lambdaIo, type LambdaIo } from '../shared/lambda-io';
import { rolloutControllerSettings, type MetricRef, type RolloutControllerSettings } from './contract';
import { runController, type ControllerPorts, type ControllerRun } from './controller';

/** Thin AWS adapter for the rollout controller: DynamoDB (flags, rollouts, schedules, summaries), CloudWatch, SNS. */

export interface ControllerClients {
  readonly dynamo: DynamoDBDocumentClient;
  readonly cloudwatch: CloudWatchClient;
  readonly sns: SNSClient;
}

/** SNS subjects are at most 100 ASCII characters. */
const snsSubject = (subject: string) => subject.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);

function metricQuery(id: string, ref: MetricRef, stat: string, periodSeconds: number): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: ref.namespace,
        MetricName: ref.metricName,
        Dimensions: Object.entries(ref.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: periodSeconds,
      Stat: stat,
    },
    ReturnData: true,
  };
}

/**
 * The guardrail metrics since the step began, each as one value over the whole window (one period spanning it;
 * CloudWatch wants a multiple of 60 s). A metric with no data reads undefined: the guardrail says insufficient data.
 */
export async function readSignals(
  cloudwatch: CloudWatchClient,
  settings: RolloutControllerSettings,
  serviceName: string | undefined,
  since: Date,
  until: Date,
): Promise<ServiceSignals> {
  const periodSeconds = Math.max(60, Math.ceil((until.getTime() - since.getTime()) / 60_000) * 60);
  const queries: MetricDataQuery[] = [];
  const service = serviceName ? settings.signals.services[serviceName] : undefined;
  if (service) {
    queries.push(metricQuery('requests', service.requests, 'Sum', periodSeconds));
    queries.push(metricQuery('errors5xx', service.errors5xx, 'Sum', periodSeconds));
    queries.push(metricQuery('p99', service.responseTimeSeconds, 'p99', periodSeconds));
  }
  settings.signals.flagEvaluations.forEach((ref, i) => queries.push(metricQuery(`evaluations${i}`, ref, 'Sum', periodSeconds)));
  settings.signals.flagErrors.forEach((ref, i) => queries.push(metricQuery(`flagErrors${i}`, ref, 'Sum', periodSeconds)));
  if (queries.length === 0) return {};

  const values = new Map<string, number>();
  let nextToken: string | undefined;
  do {
    const out = await cloudwatch.send(
      new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: since, EndTime: until, NextToken: nextToken }),
    );
    for (const result of out.MetricDataResults ?? []) {
      const sum = (result.Values ?? []).reduce((a, b) => a + b, 0);
      if ((result.Values ?? []).length > 0 && result.Id) values.set(result.Id, (values.get(result.Id) ?? 0) + sum);
    }
    nextToken = out.NextToken;
  } while (nextToken);

  const counts = (events: string[], totals: string[]): RateCounts | undefined => {
    if (!totals.some((id) => values.has(id))) return undefined;
    return {
      events: events.reduce((a, id) => a + (values.get(id) ?? 0), 0),
      total: totals.reduce((a, id) => a + (values.get(id) ?? 0), 0),
    };
  };
  const p99Seconds = values.get('p99');
  return {
    ...(service ? { service5xx: counts(['errors5xx'], ['requests']) } : {}),
    ...(p99Seconds !== undefined ? { serviceP99Ms: p99Seconds * 1000 } : {}),
    flagErrors: counts(
      settings.signals.flagErrors.map((_, i) => `flagErrors${i}`),
      settings.signals.flagEvaluations.map((_, i) => `evaluations${i}`),
    ),
  };
}

export function awsControllerPorts(settings: RolloutControllerSettings, clients: ControllerClients, io: LambdaIo): ControllerPorts {
  const table = settings.flagTable;
  const now = () => new Date(io.now());
  return {
    readRollouts: () => readRollouts(clients.dynamo, table),
    readFlag: (key) => readFlag(clients.dynamo, table, key),
    async readSummary(flag) {
      try {
        return await readExperimentSummary(clients.dynamo, settings.analyticsTable, flag);
      } catch (error) {
        if (error instanceof ExperimentDataError) return undefined; // fewer than two variants exposed yet
        throw error;
      }
    },
    readSignals: (plan, since, until) => readSignals(clients.cloudwatch, settings, plan.guardrails.service?.name, since, until),
    async editFlag(edit) {
      await editFlagForRollout(clients.dynamo, table, {
        flag: edit.plan.flag,
        flagVersion: edit.flagVersion,
        mutate: edit.mutate,
        nextState: edit.nextState,
        readVersion: edit.readVersion,
        actor: CONTROLLER_ACTOR,
        action: edit.action,
        now,
      });
    },
    putState: (state, readVersion) => putState(clients.dynamo, table, state, readVersion),
    dueSchedules: (dueBy) => readSchedules(clients.dynamo, table, { dueBy }),
    fireSchedule: (schedule, mutate) => fireSchedule(clients.dynamo, table, schedule, mutate, CONTROLLER_ACTOR, now),
    failSchedule: (schedule, reason) => failSchedule(clients.dynamo, table, schedule, reason, now()),
    async alert(subject, message) {
      await clients.sns.send(new PublishCommand({ TopicArn: settings.alertsTopicArn, Subject: snsSubject(subject), Message: message }));
    },
    log: (line) => io.writeLine(line),
  };
}

/** The scheduled run over the function's environment; its log lines go to `io.writeLine`. */
export function createControllerHandler(env: NodeJS.ProcessEnv, io: Partial<LambdaIo> = {}): () => Promise<ControllerRun> {
  const resolvedIo = lambdaIo(io);
  let settings: RolloutControllerSettings | undefined;
  let clients: ControllerClients | undefined;
  return async () => {
    // Read once per instance: the environment does not change between runs.
    settings ??= rolloutControllerSettings(env);
    clients ??= {
      dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({})),
      cloudwatch: new CloudWatchClient({}),
      sns: new SNSClient({}),
    };
    return runController(awsControllerPorts(settings, clients, resolvedIo), {
      now: () => new Date(resolvedIo.now()),
      intervalMs: settings.intervalSeconds * 1000,
    });
  };
}

let fromEnv: ReturnType<typeof createControllerHandler> | undefined;

/** Invoked by EventBridge Scheduler every minute; the event carries nothing the controller needs. */
export const handler = (): Promise<ControllerRun> => (fromEnv ??= createControllerHandler(process.env))();
