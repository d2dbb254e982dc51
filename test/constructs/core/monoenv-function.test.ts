import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { bundleHandler, lambdaEntry, MonoenvFunction } from '../../../constructs/core/monoenv-function';
import { Monitoring } from '../../../constructs/monitoring/monitoring';
import { tempDir, testApp } from '../../support/temp';
import { HELLO_HANDLER, REPO_ROOT } from '../../support/paths';

Testing.setupJest();

const fixture = HELLO_HANDLER;

function synth(configure: (stack: TerraformStack) => void) {
  const app = testApp();
  const stack = new TerraformStack(app, 'test');
  configure(stack);
  return { json: Testing.synth(stack), parsed: JSON.parse(Testing.synth(stack)) };
}

describe('MonoenvFunction', () => {
  it('bundles the handler minified for node22 with the AWS SDK left external', () => {
    const bundle = bundleHandler(fixture, tempDir('monoenv-bundles-'));
    expect(bundle.sizeBytes).toBeGreaterThan(0);
    expect(bundle.sizeBytes).toBeLessThan(4000);
    const code = require('node:fs').readFileSync(path.join(bundle.dir, 'index.js'), 'utf8') as string;
    expect(code).toContain('require("@aws-sdk/client-dynamodb")');
    expect(code).not.toMatch(/\n\s{2,}/); // minified
  });

  it('creates a nodejs22 function with its own log group, retention and least-privilege role', () => {
    const { json, parsed } = synth((stack) => {
      const fn = new MonoenvFunction(stack, 'hello', {
        entry: fixture,
        functionName: 'monoenv-hello',
        environment: { TABLE: 'flags' },
        policyStatements: [{ actions: ['dynamodb:GetItem'], resources: ['arn:aws:dynamodb:us-east-1:123456789012:table/flags'] }],
        logRetentionDays: 14,
      });
      fn.addToPrincipalPolicy({ actions: ['kinesis:PutRecords'], resources: ['arn:aws:kinesis:us-east-1:123456789012:stream/events'] });
    });
    expect(json).toHaveResourceWithProperties(LambdaFunction, {
      function_name: 'monoenv-hello',
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      timeout: 10,
      architectures: ['arm64'],
      environment: { variables: { NODE_OPTIONS: '--enable-source-maps', TABLE: 'flags' } },
    });
    const logGroupId = Object.keys(parsed.resource.aws_cloudwatch_log_group)[0];
    expect(json).toHaveResourceWithProperties(LambdaFunction, {
      logging_config: { log_format: 'JSON', log_group: `\${aws_cloudwatch_log_group.${logGroupId}.name}` },
    });
    expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, { name: '/aws/lambda/monoenv-hello', retention_in_days: 14 });
    const policies = Object.values(parsed.resource.aws_iam_role_policy) as { policy: string }[];
    expect(policies).toHaveLength(1);
    const document = JSON.parse(policies[0].policy);
    expect(document.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [`\${aws_cloudwatch_log_group.${logGroupId}.arn}:*`],
      },
      { Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: ['arn:aws:dynamodb:us-east-1:123456789012:table/flags'] },
      { Effect: 'Allow', Action: ['kinesis:PutRecords'], Resource: ['arn:aws:kinesis:us-east-1:123456789012:stream/events'] },
    ]);
    expect(json).toHaveResourceWithProperties(IamRolePolicy, { name: 'least-privilege' });
  });

  it('wires error and throttle alarms to the alerts topic when monitoring is given', () => {
    const { json, parsed } = synth((stack) => {
      const monitoring = new Monitoring(stack, 'monitoring', { namePrefix: 'monoenv' });
      new MonoenvFunction(stack, 'hello', { entry: fixture, functionName: 'monoenv-hello', monitoring });
    });
    const topicRef = `\${aws_sns_topic.${Object.keys(parsed.resource.aws_sns_topic)[0]}.arn}`;
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: 'monoenv-hello-errors',
      metric_name: 'Errors',
      namespace: 'AWS/Lambda',
      dimensions: { FunctionName: 'monoenv-hello' },
      alarm_actions: [topicRef],
    });
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { metric_name: 'Throttles', alarm_actions: [topicRef] });
    const body = JSON.parse(
      Object.values(parsed.resource.aws_cloudwatch_dashboard as Record<string, { dashboard_body: string }>)[0].dashboard_body,
    );
    expect(body.widgets.map((w: { properties: { title: string } }) => w.properties.title)).toContain(
      'monoenv-hello: invocations, errors, throttles',
    );
  });

  it('rejects bad props with a clear error', () => {
    expect(() => synth((stack) => new MonoenvFunction(stack, 'f', { entry: fixture, timeoutSeconds: 0 }))).toThrow(
      /timeoutSeconds: must be 1\.\.900/,
    );
    expect(() => synth((stack) => new MonoenvFunction(stack, 'f', { entry: fixture, functionName: 'bad name!' }))).toThrow(/functionName/);
    expect(() =>
      synth((stack) => new MonoenvFunction(stack, 'f', { entry: fixture, policyStatements: [{ actions: [], resources: ['*'] }] })),
    ).toThrow(/actions and resources/);
    expect(() => synth((stack) => new MonoenvFunction(stack, 'f', { entry: 'lambdas/missing/handler.ts' }))).toThrow(
      /could not bundle|Could not resolve/,
    );
  });

  it('names every bad field at construction, in one error, before bundling anything', () => {
    const bad = {
      entry: fixture,
      functionName: 'bad name!',
      handler: 'not a name',
      description: 'x'.repeat(257),
      environment: { GOOD_NAME: 'ok', '1BAD': 'x', A: 'too short', AWS_REGION: 'eu-west-1' },
      timeoutSeconds: 901,
      memoryMiB: 127.5,
      logRetentionDays: 10,
      runtime: 'python3.12',
      architecture: 'sparc' as never,
      reservedConcurrentExecutions: -1,
    };
    const stack = new TerraformStack(testApp(), 'test');
    let message = '';
    try {
      new MonoenvFunction(stack, 'f', bad);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n').map((line) => line.trim())).toEqual([
      'MonoenvFunction f: invalid props:',
      expect.stringMatching(/^handler: must be the name the handler module exports/),
      "functionName: must be 1-64 letters, digits, '-' or '_'",
      'description: must be at most 256 characters (a Lambda limit)',
      expect.stringMatching(/^environment\.1BAD: environment variable name '1BAD' must be a letter/),
      expect.stringMatching(/^environment\.A: environment variable name 'A' must be a letter/),
      "environment.AWS_REGION: environment variable 'AWS_REGION' is reserved: the Lambda runtime sets it",
      'timeoutSeconds: must be 1..900 (whole seconds)',
      'memoryMiB: must be 128..10240 (whole MiB)',
      expect.stringMatching(/^logRetentionDays: must be one of CloudWatch Logs' retention values/),
      'runtime: must be a Node.js runtime like nodejs22.x',
      "architecture: must be 'arm64' or 'x86_64'",
      'reservedConcurrentExecutions: must be a whole number >= 0',
    ]);
    // Nothing was made: the checks run before the bundle, the asset or any resource.
    expect(stack.node.findAll().filter((c) => c.node.path.includes('/f/'))).toEqual([]);
  });

  it('applies its defaults and passes every checked setting through', () => {
    const defaults = synth((stack) => new MonoenvFunction(stack, 'hello', { entry: fixture, functionName: 'monoenv-hello' })).parsed;
    const fn = Object.values(defaults.resource.aws_lambda_function as Record<string, any>)[0];
    expect(fn).toMatchObject({ handler: 'index.handler', timeout: 10, memory_size: 256, runtime: 'nodejs22.x', architectures: ['arm64'] });
    expect(fn.reserved_concurrent_executions).toBeUndefined();
    expect(Object.values(defaults.resource.aws_cloudwatch_log_group as Record<string, any>)[0].retention_in_days).toBe(30);

    const { json } = synth(
      (stack) =>
        new MonoenvFunction(stack, 'hello', {
          entry: fixture,
          functionName: 'monoenv-hello',
          handler: 'handler',
          description: 'says hello',
          timeoutSeconds: 30,
          memoryMiB: 1024,
          runtime: 'nodejs22.x',
          architecture: 'x86_64',
          reservedConcurrentExecutions: 0,
        }),
    );
    expect(json).toHaveResourceWithProperties(LambdaFunction, {
      description: 'says hello',
      timeout: 30,
      memory_size: 1024,
      architectures: ['x86_64'],
      reserved_concurrent_executions: 0,
    });
  });
});

describe('lambdaEntry', () => {
  const root = REPO_ROOT;

  it('bundles the TypeScript source, run from the sources or compiled in dist/ beside them (as the CLI runs)', () => {
    const source = path.join(root, 'lambdas', 'ingest', 'handler.ts');
    expect(lambdaEntry('ingest')).toBe(source);
    expect(lambdaEntry('ingest', root)).toBe(source);
    expect(lambdaEntry('ingest', path.join(root, 'dist'))).toBe(source);
  });

  it('falls back to the compiled handler where a package ships no sources', () => {
    const pkg = mkdtempSync(path.join(os.tmpdir(), 'monoenv-entry-'));
    try {
      const compiled = path.join(pkg, 'dist', 'lambdas', 'ingest', 'handler.js');
      mkdirSync(path.dirname(compiled), { recursive: true });
      writeFileSync(compiled, 'exports.handler = async () => ({});\n');
      expect(lambdaEntry('ingest', path.join(pkg, 'dist'))).toBe(compiled);
    } finally {
      rmSync(pkg, { recursive: true, force: true });
    }
  });
});
