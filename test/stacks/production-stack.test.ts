import { Testing } from 'cdktf';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { DynamodbTableItem } from '@cdktf/provider-aws/lib/dynamodb-table-item';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { parseConfig } from '../../config/load';
import type { MonoenvConfigInput } from '../../config/schema';
import { ProductionStack } from '../../stacks/production-stack';
import { SYNTH_DAY } from '../support/clock';
import { testApp } from '../support/temp';
import { REPO_ROOT } from '../support/paths';

Testing.setupJest();

const repoRoot = REPO_ROOT;

function synth(input: MonoenvConfigInput = {}, extra: Partial<ConstructorParameters<typeof ProductionStack>[2]> = {}) {
  const app = testApp();
  const reports: string[] = [];
  const stack = new ProductionStack(app, 'production', {
    config: parseConfig({ appName: 'shop', region: 'eu-west-1', ...input }),
    baseDir: repoRoot,
    guardrails: { report: (text) => reports.push(text), now: SYNTH_DAY },
    ...extra,
  });
  const json = Testing.synth(stack);
  return { stack, json, parsed: JSON.parse(json), reports };
}

const values = <T = any>(parsed: any, type: string): T[] => Object.values(parsed.resource[type] ?? {}) as T[];

describe('ProductionStack', () => {
  const { stack, json, parsed } = synth({
    alertEmail: 'oncall@example.com',
    services: [{ name: 'web', ownership: { domain: 'checkout', team: 'payments', alertEmail: 'payments@example.com' } }],
  });

  it('keeps state in the bootstrap bucket with encryption and a native lock file', () => {
    expect(parsed.terraform.backend.s3).toEqual({
      bucket: 'shop-terraform-state',
      key: 'production/terraform.tfstate',
      region: 'eu-west-1',
      encrypt: true,
      use_lockfile: true,
    });
  });

  it('tags every resource with domain and team through provider default tags', () => {
    expect(parsed.provider.aws[0].default_tags[0].tags).toMatchObject({
      domain: 'platform',
      team: 'platform',
      app: 'shop',
      environment: 'production',
    });
    // A service owned by another team carries its own tags on top.
    const service = values(parsed, 'aws_ecs_service')[0];
    expect(service.tags).toMatchObject({ domain: 'checkout', team: 'payments' });
  });

  it('wires a service owned by a team with its own alert email to that team topic', () => {
    const teamTopic = Object.entries(parsed.resource.aws_sns_topic).find(([, t]: any) => t.name === 'shop-checkout-payments-alerts');
    expect(teamTopic).toBeDefined();
    const serviceAlarms = values(parsed, 'aws_cloudwatch_metric_alarm').filter((a: any) =>
      JSON.stringify(a.alarm_actions).includes(teamTopic![0]),
    );
    expect(serviceAlarms.length).toBeGreaterThanOrEqual(4);
  });

  it('runs every service in one shared cluster with Container Insights', () => {
    const twoServices = synth({ services: [{ name: 'web' }, { name: 'api' }] }).parsed;
    const clusters = Object.entries(twoServices.resource.aws_ecs_cluster) as [string, any][];
    expect(clusters).toHaveLength(1);
    expect(clusters[0][1]).toMatchObject({ name: 'shop', setting: [{ name: 'containerInsights', value: 'enabled' }] });
    const services = values(twoServices, 'aws_ecs_service');
    expect(services.map((s: any) => s.cluster)).toEqual([
      `\${aws_ecs_cluster.${clusters[0][0]}.arn}`,
      `\${aws_ecs_cluster.${clusters[0][0]}.arn}`,
    ]);
  });

  it('runs the service with the circuit breaker, rollback and the image from its own repository', () => {
    expect(json).toHaveResourceWithProperties(EcsService, {
      deployment_circuit_breaker: { enable: true, rollback: true },
      deployment_minimum_healthy_percent: 100,
      deployment_maximum_percent: 200,
      wait_for_steady_state: true,
    });
    const task = values(parsed, 'aws_ecs_task_definition')[0];
    expect(JSON.stringify(task.container_definitions)).toMatch(/aws_ecr_repository\.[\w-]+\.repository_url\}:latest/);
  });

  it('deploys flags as code to the flag table, keeping runtime edits until the file changes', () => {
    const items = values(parsed, 'aws_dynamodb_table_item');
    const checkout = items.find((i: any) => JSON.parse(i.item).pk.S === 'flag#new-checkout');
    expect(checkout).toBeDefined();
    expect(checkout.lifecycle.ignore_changes).toEqual(['item']);
    expect(checkout.lifecycle.replace_triggered_by[0]).toMatch(/^terraform_data\.[\w-]+$/);
    expect(JSON.parse(checkout.item)).toMatchObject({ sk: { S: 'current' }, version: { N: '1' }, updatedBy: { S: 'deploy' } });
    expect(json).toHaveResourceWithProperties(DynamodbTable, {
      name: 'shop-flags',
      billing_mode: 'PAY_PER_REQUEST',
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true },
      deletion_protection_enabled: true,
    });
    expect(json).toHaveResource(DynamodbTableItem);
  });

  it('serves flags and ingestion from one throttled HTTP API, with keys written write-only to Secrets Manager', () => {
    expect(values(parsed, 'aws_lambda_function_url')).toHaveLength(0);
    expect(values(parsed, 'aws_apigatewayv2_api')).toEqual([expect.objectContaining({ name: 'shop-api', protocol_type: 'HTTP' })]);
    expect(
      values(parsed, 'aws_apigatewayv2_route')
        .map((r: any) => r.route_key)
        .sort(),
    ).toEqual(['ANY /ofrep/v1/evaluate/flags', 'ANY /ofrep/v1/evaluate/flags/{key}', 'ANY /v1/events']);
    expect(parsed.output.flags_url.value).toBe(parsed.output.events_url.value);
    expect(
      values(parsed, 'aws_lambda_permission')
        .map((p: any) => [p.principal, p.source_arn.replace(/^\$\{[^}]+\}/, '<api>')])
        .sort(),
    ).toEqual([
      ['apigateway.amazonaws.com', '<api>/*/*/ofrep/v1/evaluate/flags'],
      ['apigateway.amazonaws.com', '<api>/*/*/ofrep/v1/evaluate/flags/*'],
      ['apigateway.amazonaws.com', '<api>/*/*/v1/events'],
    ]);
    const functions = values(parsed, 'aws_lambda_function');
    expect(functions.map((f: any) => [f.function_name, f.runtime, f.reserved_concurrent_executions]).sort()).toEqual([
      ['shop-flags-evaluate', 'nodejs22.x', 50],
      ['shop-image-rescan', 'nodejs22.x', undefined],
      ['shop-ingest', 'nodejs22.x', 20],
      ['shop-journey-processor', 'nodejs22.x', undefined],
      ['shop-rollout-controller', 'nodejs22.x', 1],
    ]);
    for (const version of values(parsed, 'aws_secretsmanager_secret_version')) {
      expect(version).toMatchObject({
        secret_string_wo: expect.stringContaining('ephemeral.aws_secretsmanager_random_password.'),
        secret_string_wo_version: 1,
      });
      expect(version.secret_string).toBeUndefined();
    }
    for (const output of Object.values(parsed.output) as { value: string }[]) {
      expect(output.value).not.toMatch(/random_password/);
    }
    expect(Object.keys(parsed.output)).toEqual(
      expect.arrayContaining(['service_url', 'repository_url', 'dashboard_url', 'flags_url', 'events_url']),
    );
  });

  it("puts every IAM role under the bootstrap stack's workload boundary, named under the app prefix", () => {
    const roles = values(parsed, 'aws_iam_role');
    expect(roles.length).toBeGreaterThanOrEqual(9);
    for (const role of roles) {
      expect(role).toMatchObject({
        name: expect.stringMatching(/^shop-/),
        permissions_boundary: 'arn:aws:iam::${data.aws_caller_identity.account.account_id}:policy/shop-workload-boundary',
      });
    }
  });

  it('gives the flag Lambda only its table, its key secret and the event stream', () => {
    const fn = stack.flagStore.evaluationFunction.functionName;
    const policy = values(parsed, 'aws_iam_role_policy').find(
      (p: any) => p.role.includes(fn.replace(/-/g, '')) || p.role.includes('flags_evaluate'),
    );
    expect(policy).toBeDefined();
    const statements = JSON.parse(policy.policy).Statement;
    expect(statements.flatMap((s: any) => s.Action).sort()).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'kinesis:PutRecord',
        'kinesis:PutRecords',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:GetSecretValue',
      ].sort(),
    );
    expect(statements.flatMap((s: any) => s.Resource)).not.toContain('*');
  });

  it('has an alarm on errors and throttles of every Lambda, each wired to a topic', () => {
    const functions = values(parsed, 'aws_lambda_function').map((f: any) => f.function_name);
    expect(functions.length).toBeGreaterThanOrEqual(4);
    const alarms = values(parsed, 'aws_cloudwatch_metric_alarm');
    for (const name of functions) {
      for (const metric of ['Errors', 'Throttles']) {
        expect(alarms.some((a: any) => a.metric_name === metric && a.dimensions?.FunctionName === name)).toBe(true);
      }
    }
    for (const alarm of alarms) expect(alarm.alarm_actions[0]).toMatch(/aws_sns_topic\./);
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { namespace: 'AWS/ApplicationELB' });
  });

  it('reports the acknowledged findings once, through the injected writer', () => {
    const { reports } = synth();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/1 acknowledged finding.*\[MONO-ELB-1\] production\/service-web\/http.*no domain\/certificate/s);
  });

  it('fails synth with the rule id when a guardrail is broken, and can be turned off', () => {
    const insecure = (s: ProductionStack) => (s.flagStore.table as any).addOverride('server_side_encryption.enabled', false);
    const app = testApp();
    const s = new ProductionStack(app, 'production', {
      config: parseConfig({}),
      baseDir: repoRoot,
      guardrails: { report: () => undefined, now: SYNTH_DAY },
    });
    insecure(s);
    expect(() => Testing.synth(s)).toThrow(/MONO-DDB-1/);
  });

  it('fails synth naming the flag and field when a flag file is invalid', () => {
    expect(() => synth({ flags: { dir: 'test/stacks/fixtures/bad-flags', corsAllowOrigins: [] } })).toThrow(
      /broken\.json.*\[flag broken\].*defaultVariant/s,
    );
  });

  it('points every service at a local AWS for the local target, with local state', () => {
    const local = synth({}, { backend: { type: 'local', path: 'local.tfstate' }, localAwsEndpoint: 'http://127.0.0.1:4566' });
    expect(local.parsed.terraform.backend.local.path).toBe('local.tfstate');
    const provider = local.parsed.provider.aws[0];
    expect(provider).toMatchObject({
      access_key: 'testing',
      skip_credentials_validation: true,
      skip_requesting_account_id: false,
      s3_use_path_style: true,
    });
    expect(provider.endpoints[0].dynamodb).toBe('http://127.0.0.1:4566');
    expect(() => synth({}, { localAwsEndpoint: 'https://example.com' })).toThrow(/loopback/);
    // What moto cannot run or delete is left out of the local target only (and listed by `npm start`).
    expect(local.parsed.resource.aws_appautoscaling_policy).toBeUndefined();
    expect(local.parsed.resource.aws_athena_named_query).toBeUndefined();
    expect(Object.keys(parsed.resource.aws_appautoscaling_policy)).toHaveLength(2);
    expect(Object.keys(parsed.resource.aws_athena_named_query).length).toBeGreaterThanOrEqual(4);
    // What moto does not round-trip is ignored locally only, so a plan after the local apply shows no changes.
    for (const fn of values(local.parsed, 'aws_lambda_function')) expect(fn.lifecycle).toEqual({ ignore_changes: ['logging_config'] });
    for (const fn of values(parsed, 'aws_lambda_function')) expect(fn.lifecycle).toBeUndefined();
  });

  it('matches the snapshot', () => {
    expect(
      json
        .replace(/"source_code_hash": "[^"]+"/g, '"source_code_hash": "<bundle hash>"')
        .replace(/assets\/[^"/]+\/[0-9A-F]{32}/g, 'assets/<asset>'),
    ).toMatchSnapshot();
  });
});
