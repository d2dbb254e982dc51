import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import type { TerraformStack } from 'cdktf';
import { findingsOf } from '../../../support/guardrails-harness';

const fnProps = { role: 'arn:aws:iam::1:role/fn', runtime: 'nodejs20.x', handler: 'index.handler', filename: 'fn.zip' };

describe('MONO-LAMBDA-1 managed log group', () => {
  it('passes a log group named after the function, by reference or literally, or logging_config', () => {
    expect(
      findingsOf('MONO-LAMBDA-1', (s: TerraformStack) => {
        const byRef = new LambdaFunction(s, 'ByRef', { ...fnProps, functionName: 'by-ref', timeout: 10 });
        new CloudwatchLogGroup(s, 'ByRefLogs', { name: `/aws/lambda/${byRef.functionName}`, retentionInDays: 30 });
        new LambdaFunction(s, 'Literal', { ...fnProps, functionName: 'literal', timeout: 10 });
        new CloudwatchLogGroup(s, 'LiteralLogs', { name: '/aws/lambda/literal', retentionInDays: 30 });
        const shared = new CloudwatchLogGroup(s, 'Shared', { name: '/monoenv/functions', retentionInDays: 30 });
        new LambdaFunction(s, 'Configured', {
          ...fnProps,
          functionName: 'configured',
          timeout: 10,
          loggingConfig: { logFormat: 'JSON', logGroup: shared.name },
        });
      }),
    ).toEqual([]);
  });
  it('flags a function whose logs would go to an unmanaged group', () => {
    expect(
      findingsOf('MONO-LAMBDA-1', (s) => {
        new LambdaFunction(s, 'Fn', { ...fnProps, functionName: 'orphan', timeout: 10 });
        new CloudwatchLogGroup(s, 'Other', { name: '/aws/lambda/someone-else', retentionInDays: 30 });
      }),
    ).toEqual(['test/Fn: no aws_cloudwatch_log_group named /aws/lambda/orphan and no logging_config.log_group']);
  });
});

describe('MONO-LAMBDA-2 timeout', () => {
  it('passes a function with a timeout', () => {
    expect(findingsOf('MONO-LAMBDA-2', (s) => new LambdaFunction(s, 'Fn', { ...fnProps, functionName: 'f', timeout: 10 }))).toEqual([]);
  });
  it('flags one without', () => {
    expect(findingsOf('MONO-LAMBDA-2', (s) => new LambdaFunction(s, 'Fn', { ...fnProps, functionName: 'f' }))).toEqual([
      'test/Fn: timeout is not set',
    ]);
  });
});

describe('MONO-LAMBDA-7 environment size', () => {
  const env = (bytes: number) => ({ environment: { variables: { DOC: 'x'.repeat(bytes - 3) } } });
  it('passes an environment of 4 KB, names included', () => {
    expect(
      findingsOf('MONO-LAMBDA-7', (s) => new LambdaFunction(s, 'Fn', { ...fnProps, functionName: 'f', timeout: 10, ...env(4096) })),
    ).toEqual([]);
  });
  it('flags a byte more', () => {
    expect(
      findingsOf('MONO-LAMBDA-7', (s) => new LambdaFunction(s, 'Fn', { ...fnProps, functionName: 'f', timeout: 10, ...env(4097) })),
    ).toEqual(['test/Fn: environment is 4097 bytes; AWS allows 4096']);
  });
});
