import { Testing, TerraformStack } from 'cdktf';
// Brings in the global jest matcher types that Testing.setupJest() registers.
import 'cdktf/lib/testing/adapters/jest';
import type { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { definitionHash } from '../../../domain/flags/table-layout';
import { FLAG_ROUTES } from '../../../lambdas/flag-evaluation/contract';
import { Grant, type Grantee } from '../../../constructs/core/grants';
import type { MonoenvFunction } from '../../../constructs/core/monoenv-function';
import { FlagStore, type ExposureStream, type FlagStoreProps } from '../../../constructs/flags/flag-store';
import type { IPublicApi, RouteKey } from '../../../constructs/front-door/public-api';
import { Monitoring, type AlarmDefinition, type DashboardWidget, type IMonitoring } from '../../../constructs/monitoring/monitoring';
import { synthScope, testApp } from '../../support/temp';

Testing.setupJest();

const ownership = { domain: 'storefront', team: 'web' };
const newCheckout = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' };
const banner = { state: 'DISABLED', variants: { blue: 'blue', red: 'red' }, defaultVariant: 'blue' };
const flags = {
  flags: { 'new-checkout': newCheckout, banner },
  $evaluators: { isBeta: { in: ['beta', { var: 'groups' }] } },
  metadata: { owner: 'web' },
};

/** An exposure stream of a team's own: it grants what it was asked to, on its stream. */
const exposureStream: ExposureStream = {
  streamName: 'shop-events',
  grantPutRecords: (grantee) =>
    Grant.addToPrincipal(grantee, [
      { actions: ['kinesis:PutRecords'], resources: ['arn:aws:kinesis:eu-west-1:123456789012:stream/shop-events'] },
    ]),
};

/** A front door of the user's own: records what is routed through it. */
class RecordingApi implements IPublicApi {
  readonly url = 'https://flags.example.com';
  readonly routed: { id: string; functionName: string; routes: readonly RouteKey[] }[] = [];
  addLambdaRoutes(id: string, fn: MonoenvFunction, routes: readonly RouteKey[]): void {
    this.routed.push({ id, functionName: fn.functionName, routes });
  }
}

/** Monitoring of the user's own: records every alarm and widget, and makes each alarm as a plain alarm on its own topic. */
class RecordingMonitoring implements IMonitoring {
  readonly alertsTopicArn = 'arn:aws:sns:eu-west-1:123456789012:team-alerts';
  readonly alarms: { id: string; def: AlarmDefinition }[] = [];
  readonly widgets: DashboardWidget[] = [];
  constructor(private readonly home: Construct) {}
  topicArnFor(): string {
    return this.alertsTopicArn;
  }
  addWidgets(...widgets: DashboardWidget[]): void {
    this.widgets.push(...widgets);
  }
  grantPublishAlerts(grantee: Grantee): Grant {
    return Grant.addToPrincipal(grantee, [{ actions: ['sns:Publish'], resources: [this.alertsTopicArn] }]);
  }
  addAlarm(id: string, def: AlarmDefinition, scope: Construct = this.home): CloudwatchMetricAlarm {
    this.alarms.push({ id, def });
    return new CloudwatchMetricAlarm(scope, `recorded-${id}`, {
      alarmName: def.alarmName ?? id,
      comparisonOperator: def.comparisonOperator,
      threshold: def.threshold,
      evaluationPeriods: def.evaluationPeriods ?? 1,
      alarmActions: [def.topicArn ?? this.alertsTopicArn],
      namespace: 'Recorded',
      metricName: id,
      period: 60,
      statistic: 'Sum',
    });
  }
}

type Parts = { json: string; parsed: any; store: FlagStore };

/** A FlagStore with the environment's Monitoring, unless `parts` gives its own. */
function synth(
  props: Partial<FlagStoreProps> = {},
  parts: (scope: Construct) => Partial<FlagStoreProps> = (scope) => ({
    monitoring: new Monitoring(scope, 'monitoring', { namePrefix: 'shop' }),
  }),
): Parts {
  let store!: FlagStore;
  const json = synthScope((scope) => {
    store = new FlagStore(scope, 'flags', {
      namePrefix: 'shop',
      ownership,
      flags,
      ...(parts(scope) as { monitoring: IMonitoring }),
      ...props,
    });
  });
  return { json, parsed: JSON.parse(json), store };
}

const resources = (parsed: any, type: string): [string, any][] => Object.entries(parsed.resource?.[type] ?? {});
const idOf = (parsed: any, type: string): string => {
  const found = resources(parsed, type);
  expect(found).toHaveLength(1);
  return found[0][0];
};
const ref = (parsed: any, type: string, attribute: string) => `\${${type}.${idOf(parsed, type)}.${attribute}}`;
const evaluationFunction = (parsed: any) =>
  resources(parsed, 'aws_lambda_function')
    .map(([, f]) => f)
    .find((f) => f.function_name === 'shop-flags-evaluate');
const leastPrivilege = (parsed: any) =>
  JSON.parse(resources(parsed, 'aws_iam_role_policy').find(([, p]) => p.name === 'least-privilege')![1].policy).Statement;

describe('FlagStore', () => {
  const base = synth();

  it('keeps flags in an encrypted, point-in-time-recoverable, deletion-protected table keyed pk/sk', () => {
    expect(base.json).toHaveResourceWithProperties(DynamodbTable, {
      name: 'shop-flags',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'pk',
      range_key: 'sk',
      attribute: [
        { name: 'pk', type: 'S' },
        { name: 'sk', type: 'S' },
      ],
      server_side_encryption: { enabled: true },
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: true,
      tags: expect.objectContaining({ Name: 'shop-flags', ...ownership }),
    });
    expect(synth({ deletionProtection: false }).json).toHaveResourceWithProperties(DynamodbTable, {
      name: 'shop-flags',
      deletion_protection_enabled: false,
    });
  });

  it('writes one item per flag, and the evaluators and metadata, each ignoring runtime edits until its definition in the file changes', () => {
    const items = Object.fromEntries(
      resources(base.parsed, 'aws_dynamodb_table_item').map(([id, item]) => [id.replace(/_[0-9A-F]{8}$/, ''), item]),
    );
    expect(Object.keys(items).sort()).toEqual(['flags_evaluators', 'flags_flag-banner', 'flags_flag-new-checkout', 'flags_set-metadata']);
    const triggers = Object.fromEntries(resources(base.parsed, 'terraform_data').map(([id, data]) => [id, data.triggers_replace.hash]));

    const expectItem = (id: string, pk: string, sk: string, definition: unknown, extra: Record<string, unknown> = {}) => {
      const item = items[id];
      const json = JSON.stringify(definition);
      expect(item).toMatchObject({ table_name: ref(base.parsed, 'aws_dynamodb_table', 'name'), hash_key: 'pk', range_key: 'sk' });
      expect(JSON.parse(item.item)).toEqual({
        pk: { S: pk },
        sk: { S: sk },
        definition: { S: json },
        fileHash: { S: definitionHash(json) },
        ...extra,
      });
      // Runtime edits (a kill switch) survive deploys; a changed definition replaces the item through its terraform_data.
      expect(item.lifecycle.ignore_changes).toEqual(['item']);
      const [trigger] = item.lifecycle.replace_triggered_by;
      expect(trigger).toMatch(/^terraform_data\./);
      expect(triggers[trigger.slice('terraform_data.'.length)]).toBe(definitionHash(json));
    };
    expectItem('flags_flag-new-checkout', 'flag#new-checkout', 'current', newCheckout, {
      key: { S: 'new-checkout' },
      version: { N: '1' },
      updatedBy: { S: 'deploy' },
    });
    expectItem('flags_flag-banner', 'flag#banner', 'current', banner, {
      key: { S: 'banner' },
      version: { N: '1' },
      updatedBy: { S: 'deploy' },
    });
    expectItem('flags_evaluators', 'set', 'evaluators', flags.$evaluators);
    expectItem('flags_set-metadata', 'set', 'metadata', flags.metadata);

    expect(synth({ flags: undefined }).parsed.resource.aws_dynamodb_table_item).toBeUndefined();
  });

  it('keeps the API keys in a secret (with a customer managed key on request), never in state', () => {
    expect(base.json).toHaveResourceWithProperties(SecretsmanagerSecret, { name: 'shop/flags/api-keys', recovery_window_in_days: 7 });
    expect(resources(base.parsed, 'aws_secretsmanager_secret')[0][1].kms_key_id).toBeUndefined();
    const kmsKeyArn = 'arn:aws:kms:eu-west-1:123456789012:key/abc';
    expect(synth({ apiKeysKmsKeyArn: kmsKeyArn }).json).toHaveResourceWithProperties(SecretsmanagerSecret, {
      name: 'shop/flags/api-keys',
      kms_key_id: kmsKeyArn,
    });
    // Its first version is a server and a client key generated for the run, written write-only.
    const [[, version]] = resources(base.parsed, 'aws_secretsmanager_secret_version');
    expect(version.secret_id).toBe(ref(base.parsed, 'aws_secretsmanager_secret', 'id'));
    expect(version.secret_string).toBeUndefined();
    for (const kind of ['server', 'client'])
      expect(version.secret_string_wo).toMatch(
        new RegExp(`"${kind}" = \\[ephemeral\\.aws_secretsmanager_random_password\\.\\S+\\.random_password\\]`),
      );
  });

  it("configures the function through the contract's environment", () => {
    const fn = evaluationFunction(base.parsed);
    expect(fn).toMatchObject({ memory_size: 512, timeout: 5, reserved_concurrent_executions: 50 });
    expect(fn.environment.variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      FLAGS_TABLE: ref(base.parsed, 'aws_dynamodb_table', 'name'),
      API_KEYS_SECRET_ARN: ref(base.parsed, 'aws_secretsmanager_secret', 'arn'),
      CORS_ALLOW_ORIGINS: '',
      RATE_LIMIT_PER_SECOND: '100',
      METRICS_NAMESPACE: 'Monoenv/Flags',
    });
    const tuned = synth({
      corsAllowOrigins: ['https://shop.example.com', 'http://localhost:3000'],
      rateLimitPerSecond: 7,
      reservedConcurrentExecutions: 5,
      logRetentionDays: 90,
      exposureStream,
    });
    const tunedFn = evaluationFunction(tuned.parsed);
    expect(tunedFn.reserved_concurrent_executions).toBe(5);
    expect(tunedFn.environment.variables).toMatchObject({
      CORS_ALLOW_ORIGINS: 'https://shop.example.com,http://localhost:3000',
      RATE_LIMIT_PER_SECOND: '7',
      EVENT_STREAM_NAME: 'shop-events',
    });
    // The retention reaches the function's log group and the API's access log.
    expect(
      resources(tuned.parsed, 'aws_cloudwatch_log_group')
        .map(([, g]) => [g.name, g.retention_in_days])
        .sort(),
    ).toEqual([
      ['/aws/apigateway/shop-flags-api', 90],
      ['/aws/lambda/shop-flags-evaluate', 90],
    ]);
  });

  it('gives the function only what it needs: read the table and the keys, plus what it is granted', () => {
    const logs = {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.flags_evaluate_logs_\w+\.arn\}:\*$/)],
    };
    const table = {
      Effect: 'Allow',
      Action: ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:Query'],
      Resource: [ref(base.parsed, 'aws_dynamodb_table', 'arn')],
    };
    const secret = {
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [ref(base.parsed, 'aws_secretsmanager_secret', 'arn')],
    };
    expect(leastPrivilege(base.parsed)).toEqual([logs, table, secret]);

    const kmsKeyArn = 'arn:aws:kms:eu-west-1:123456789012:key/abc';
    expect(leastPrivilege(synth({ apiKeysKmsKeyArn: kmsKeyArn, exposureStream }).parsed)).toEqual([
      logs,
      table,
      secret,
      { Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [kmsKeyArn] },
      { Effect: 'Allow', Action: ['kinesis:PutRecords'], Resource: ['arn:aws:kinesis:eu-west-1:123456789012:stream/shop-events'] },
    ]);
  });

  it('serves the OFREP routes on an HTTP API of its own unless given one', () => {
    expect(resources(base.parsed, 'aws_apigatewayv2_api').map(([, api]) => api.name)).toEqual(['shop-flags-api']);
    expect(resources(base.parsed, 'aws_apigatewayv2_route').map(([, route]) => route.route_key)).toEqual([...FLAG_ROUTES]);
    const functionName = `\${aws_lambda_function.${resources(base.parsed, 'aws_lambda_function')[0][0]}.function_name}`;
    expect(resources(base.parsed, 'aws_lambda_permission').map(([, p]) => [p.function_name, p.source_arn])).toEqual([
      [functionName, `${ref(base.parsed, 'aws_apigatewayv2_api', 'execution_arn')}/*/*/ofrep/v1/evaluate/flags`],
      [functionName, `${ref(base.parsed, 'aws_apigatewayv2_api', 'execution_arn')}/*/*/ofrep/v1/evaluate/flags/*`],
    ]);
    expect(base.store.url).toBe(base.store.api.url);
  });

  it('routes through a front door of your own, and makes none', () => {
    const api = new RecordingApi();
    const { parsed, store } = synth({ api });
    expect(api.routed).toEqual([{ id: 'flags', functionName: 'shop-flags-evaluate', routes: FLAG_ROUTES }]);
    expect(store.url).toBe('https://flags.example.com');
    expect(parsed.resource.aws_apigatewayv2_api).toBeUndefined();
    expect(parsed.resource.aws_lambda_permission).toBeUndefined();
  });

  it('puts its alarms and widgets on a monitoring of your own, on the topic it is given', () => {
    let monitoring!: RecordingMonitoring;
    const api = new RecordingApi();
    const alarmTopicArn = 'arn:aws:sns:eu-west-1:123456789012:flags-oncall';
    const { parsed } = synth({ api, alarmTopicArn, latencyAlarmMs: 400 }, (scope) => ({
      monitoring: (monitoring = new RecordingMonitoring(scope)),
    }));

    expect(monitoring.alarms.map(({ id, def }) => [id, def.topicArn, def.ownership])).toEqual([
      ['shop-flags-evaluate-errors', alarmTopicArn, ownership],
      ['shop-flags-evaluate-throttles', alarmTopicArn, ownership],
      ['shop-flags-evaluate-stale', alarmTopicArn, ownership],
      ['shop-flags-evaluate-latency', alarmTopicArn, ownership],
    ]);
    const byId = Object.fromEntries(monitoring.alarms.map(({ id, def }) => [id, def]));
    expect(byId['shop-flags-evaluate-stale']).toMatchObject({
      alarmName: 'shop-flags-evaluate-stale-flags',
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      metric: { expression: 'FILL(single, 0) + FILL(bulk, 0)' },
    });
    expect(byId['shop-flags-evaluate-latency']).toMatchObject({
      alarmName: 'shop-flags-evaluate-latency-p99',
      threshold: 400,
      comparisonOperator: 'GreaterThanThreshold',
      metric: { namespace: 'AWS/Lambda', metricName: 'Duration', statistic: 'p99' },
    });
    expect(monitoring.widgets.map((w) => w.properties.title)).toContain('Flags: evaluations and errors');

    // What the recording monitoring made is all there is: no topic or dashboard of monoenv's own.
    expect(
      resources(parsed, 'aws_cloudwatch_metric_alarm')
        .map(([, a]) => [a.alarm_name, a.alarm_actions])
        .sort(),
    ).toEqual([
      ['shop-flags-evaluate-errors', [alarmTopicArn]],
      ['shop-flags-evaluate-latency-p99', [alarmTopicArn]],
      ['shop-flags-evaluate-stale-flags', [alarmTopicArn]],
      ['shop-flags-evaluate-throttles', [alarmTopicArn]],
    ]);
    expect(parsed.resource.aws_sns_topic).toBeUndefined();
    expect(parsed.resource.aws_cloudwatch_dashboard).toBeUndefined();
  });

  it('alarms on the environment topic by default, the latency alarm at 250 ms', () => {
    const topic = ref(base.parsed, 'aws_sns_topic', 'arn');
    const alarms = Object.fromEntries(resources(base.parsed, 'aws_cloudwatch_metric_alarm').map(([, a]) => [a.alarm_name, a]));
    expect(Object.keys(alarms).sort()).toEqual([
      'shop-flags-api-5xx',
      'shop-flags-evaluate-errors',
      'shop-flags-evaluate-latency-p99',
      'shop-flags-evaluate-stale-flags',
      'shop-flags-evaluate-throttles',
    ]);
    expect(alarms['shop-flags-evaluate-latency-p99']).toMatchObject({ threshold: 250, extended_statistic: 'p99', alarm_actions: [topic] });
    expect(base.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: 'shop-flags-evaluate-stale-flags',
      alarm_actions: [topic],
    });
  });

  it('names every bad prop in one error, before making anything', () => {
    const stack = new TerraformStack(testApp(), 'stack');
    const monitoring = new RecordingMonitoring(stack);
    let message = '';
    try {
      new FlagStore(stack, 'flags', {
        namePrefix: 'Shop_Flags',
        monitoring,
        corsAllowOrigins: ['https://shop.example.com', 'https://shop.example.com/app', 'shop.example.com'],
        apiKeysKmsKeyArn: 'alias/flags',
        rateLimitPerSecond: 0,
        reservedConcurrentExecutions: 0,
        deletionProtection: 'no' as never,
        logRetentionDays: 31,
        latencyAlarmMs: -1,
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n').map((line) => line.trim())).toEqual([
      'FlagStore: invalid props:',
      expect.stringMatching(/^namePrefix: must be 1-28 lower-case letters/),
      expect.stringMatching(/^corsAllowOrigins\[1\]: must be "\*" or an origin like https:\/\/app\.example\.com/),
      expect.stringMatching(/^corsAllowOrigins\[2\]: must be "\*" or an origin/),
      'apiKeysKmsKeyArn: must be a KMS key ARN',
      'rateLimitPerSecond: must be a positive number of requests per second',
      'reservedConcurrentExecutions: must be a whole number >= 1',
      expect.stringMatching(/^deletionProtection: Invalid input: expected boolean/),
      expect.stringMatching(/^logRetentionDays: must be one of CloudWatch Logs' retention values/),
      'latencyAlarmMs: must be a positive number of milliseconds',
    ]);
    expect(stack.node.findAll().filter((c) => c.node.path.includes('/flags/'))).toEqual([]);
    expect(monitoring.alarms).toEqual([]);
  });

  it('refuses flags the flag API could not serve, naming the flag and field, before making anything', () => {
    const stack = new TerraformStack(testApp(), 'stack');
    const broken = { flags: { banner: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'maybe' } } };
    expect(() => new FlagStore(stack, 'flags', { namePrefix: 'shop', monitoring: new RecordingMonitoring(stack), flags: broken })).toThrow(
      /^FlagStore flags: flags: invalid flag document \(1 issue\):\n\s+flags\.banner\.defaultVariant: /,
    );
    expect(stack.node.findAll().filter((c) => c.node.path.includes('/flags/'))).toEqual([]);
  });

  it('takes a key made in the same deploy for the API keys', () => {
    const json = synthScope((scope) => {
      const key = new KmsKey(scope, 'key', {});
      new FlagStore(scope, 'flags', {
        namePrefix: 'shop',
        monitoring: new RecordingMonitoring(scope),
        api: new RecordingApi(),
        apiKeysKmsKeyArn: key.arn,
      });
    });
    expect(json).toHaveResourceWithProperties(SecretsmanagerSecret, { kms_key_id: '${aws_kms_key.key.arn}' });
  });
});
