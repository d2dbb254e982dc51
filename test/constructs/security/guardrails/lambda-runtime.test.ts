import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaLayerVersion } from '@cdktf/provider-aws/lib/lambda-layer-version';
import { TerraformStack, TerraformVariable } from 'cdktf';
import { Guardrails, lambdaRuntimeCalendar, synthDate } from '../../../../constructs/security/guardrails';
import { testApp } from '../../../support/temp';
import { findingsOf, runGuardrails, warningsOf } from '../../../support/guardrails-harness';

/** Only the calendar rule, on a fixed day: no test may depend on today's date. */
const on = (day: string) => ({ rules: [lambdaRuntimeCalendar({ now: () => new Date(`${day}T12:00:00Z`) })] });
const fn = (runtime: string) => (s: TerraformStack) =>
  new LambdaFunction(s, 'Fn', {
    functionName: 'f',
    role: 'arn:aws:iam::111111111111:role/fn',
    runtime,
    handler: 'index.handler',
    filename: 'fn.zip',
    timeout: 10,
  });

// nodejs22.x: deprecated 2027-04-30, block create 2027-06-01, block update 2027-07-01.
describe('MONO-LAMBDA-3 runtime calendar', () => {
  it('passes a runtime more than 90 days before its deprecation', () => {
    const { guardrails, error } = runGuardrails(fn('nodejs22.x'), on('2027-01-01'));
    expect(error).toBeUndefined();
    expect(guardrails.findings).toEqual([]);
  });

  it('warns within the 90 days before deprecation, without failing synth', () => {
    const { guardrails, error } = runGuardrails(fn('nodejs22.x'), on('2027-03-01'));
    expect(error).toBeUndefined();
    expect(guardrails.warnings.map((finding) => `${finding.path}: ${finding.problems.join('; ')}`)).toEqual([
      'test/Fn: runtime nodejs22.x is deprecated on 2027-04-30 (in 60 days); AWS refuses to create functions on it from 2027-06-01 (in 92 days) and to update them from 2027-07-01 (in 122 days); nodejs24.x is current but needs a newer hashicorp/aws than the pinned 5.100',
    ]);
  });

  it('still only warns after deprecation and before block-create, because AWS still creates and updates such functions', () => {
    expect(findingsOf('MONO-LAMBDA-3', fn('nodejs22.x'), on('2027-05-15'))).toEqual([]);
    expect(warningsOf('MONO-LAMBDA-3', fn('nodejs22.x'), on('2027-05-15'))).toEqual([
      'test/Fn: runtime nodejs22.x is deprecated since 2027-04-30: no more security patches; AWS refuses to create functions on it from 2027-06-01 (in 17 days) and to update them from 2027-07-01 (in 47 days); nodejs24.x is current but needs a newer hashicorp/aws than the pinned 5.100',
    ]);
  });

  it('fails synth once AWS refuses to create functions with the runtime', () => {
    const { error } = runGuardrails(fn('nodejs22.x'), on('2027-06-15'));
    expect(error?.message).toContain('[MONO-LAMBDA-3] test/Fn (aws_lambda_function.Fn)');
    expect(findingsOf('MONO-LAMBDA-3', fn('nodejs22.x'), on('2027-06-15'))).toEqual([
      'test/Fn: runtime nodejs22.x: AWS refuses to create functions on it since 2027-06-01 and to update them from 2027-07-01 (in 16 days) (deprecated 2027-04-30); nodejs24.x is current but needs a newer hashicorp/aws than the pinned 5.100',
    ]);
  });

  it('names the runtime to move to: nodejs20.x after its block-create date, nodejs22.x being the newest hashicorp/aws 5.100 accepts', () => {
    expect(findingsOf('MONO-LAMBDA-3', fn('nodejs20.x'), on('2026-11-29'))).toEqual([
      'test/Fn: runtime nodejs20.x: AWS refuses to create functions on it since 2026-08-31 and to update them since 2026-09-30 (deprecated 2026-04-30); move to nodejs22.x',
    ]);
  });

  it('fails an unknown runtime, and one the pinned provider refuses', () => {
    expect(findingsOf('MONO-LAMBDA-3', fn('nodejs99.x'), on('2027-01-01'))).toEqual([
      'test/Fn: runtime "nodejs99.x": unknown runtime, add it to the calendar (LAMBDA_RUNTIMES in constructs/security/guardrails/lambda-runtimes.ts) with its dates from AWS\'s Lambda runtimes page',
    ]);
    expect(findingsOf('MONO-LAMBDA-3', fn('nodejs24.x'), on('2027-01-01'))).toEqual([
      'test/Fn: runtime nodejs24.x is refused by the pinned hashicorp/aws provider (5.100: "expected runtime to be one of [...]" at plan); move to nodejs22.x, or upgrade the provider and pass its list as providerRuntimes',
    ]);
    expect(
      findingsOf('MONO-LAMBDA-3', fn('nodejs24.x'), {
        rules: [lambdaRuntimeCalendar({ now: () => new Date('2027-01-01'), providerRuntimes: null })],
      }),
    ).toEqual([]);
  });

  it('passes container-image functions (no runtime) and a runtime only known at apply', () => {
    expect(
      findingsOf(
        'MONO-LAMBDA-3',
        (s) => {
          new LambdaFunction(s, 'Image', {
            functionName: 'i',
            role: 'arn:aws:iam::111111111111:role/fn',
            packageType: 'Image',
            imageUri: '111111111111.dkr.ecr.us-east-1.amazonaws.com/app:1',
            timeout: 10,
          });
          const runtime = new TerraformVariable(s, 'runtime', { type: 'string' });
          new LambdaFunction(s, 'Variable', {
            functionName: 'v',
            role: 'arn:aws:iam::111111111111:role/fn',
            runtime: runtime.stringValue,
            handler: 'index.handler',
            filename: 'fn.zip',
            timeout: 10,
          });
        },
        on('2030-01-01'),
      ),
    ).toEqual([]);
  });

  it("checks a layer's compatible runtimes: unknown fails, blocked only warns", () => {
    const layer = (s: TerraformStack) =>
      new LambdaLayerVersion(s, 'Layer', {
        layerName: 'l',
        filename: 'l.zip',
        compatibleRuntimes: ['nodejs22.x', 'nodejs16.x', 'nodejs99.x'],
      });
    expect(findingsOf('MONO-LAMBDA-3', layer, on('2027-01-01'))).toEqual([
      expect.stringMatching(/^test\/Layer: compatible runtime "nodejs99.x": unknown runtime/),
    ]);
    expect(warningsOf('MONO-LAMBDA-3', layer, on('2027-01-01'))).toEqual([
      'test/Layer: compatible runtime nodejs16.x: AWS refuses to create functions on it since 2025-02-28 and to update them since 2025-03-31 (deprecated 2024-06-12); move to nodejs22.x',
    ]);
  });
});

describe('the day synth checks against', () => {
  it('is MONOENV_SYNTH_DATE when set, so a team can ask whether the stack still deploys on a later day', () => {
    expect(synthDate({ MONOENV_SYNTH_DATE: '2027-06-02' })().toISOString()).toBe('2027-06-02T00:00:00.000Z');
    const fn = new LambdaFunction(new TerraformStack(testApp(), 'later'), 'Fn', {
      functionName: 'f',
      role: 'arn:aws:iam::1:role/r',
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      filename: 'f.zip',
      timeout: 3,
    });
    const guardrails = new Guardrails({ now: synthDate({ MONOENV_SYNTH_DATE: '2027-06-02' }), report: () => undefined });
    expect(guardrails.evaluate(fn.node.scope!).map((f) => f.ruleId)).toContain('MONO-LAMBDA-3');
  });

  it('refuses a MONOENV_SYNTH_DATE that is not a date, and is today without one', () => {
    expect(() => synthDate({ MONOENV_SYNTH_DATE: 'next tuesday' })).toThrow(/MONOENV_SYNTH_DATE must be a date/);
    const before = Date.now();
    expect(synthDate({})().getTime()).toBeGreaterThanOrEqual(before);
  });
});
