import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, Aspects, TerraformResource, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { Guardrails, warning, type GuardrailRule } from '../../../../constructs/security/guardrails';
import { runGuardrails } from '../../../support/guardrails-harness';
import { tempDir, testApp } from '../../../support/temp';

/** A stack a real app.synth() accepts: cdktf's own validation wants a provider. */
function appStack(): { app: App; stack: TerraformStack } {
  const app = new App({ outdir: tempDir('monoenv-synth-') });
  const stack = new TerraformStack(app, 'prod');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  return { app, stack };
}

const encryptedTopic = (scope: Construct, id: string) =>
  new SnsTopic(scope, id, { name: id.toLowerCase(), kmsMasterKeyId: 'alias/aws/sns' });

describe('Guardrails aspect', () => {
  it('fails synth with one error naming every rule id, construct path and fix', () => {
    const { error } = runGuardrails((s) => {
      new SnsTopic(s, 'Alerts', { name: 'alerts' });
      new S3Bucket(new Construct(s, 'Storage'), 'Bucket', {});
    });
    expect(error?.message).toMatch(/^Guardrails: 3 finding\(s\) under test must be fixed or acknowledged/);
    expect(error?.message).toContain('[MONO-S3-1] test/Storage/Bucket (aws_s3_bucket.Storage_Bucket_');
    expect(error?.message).toContain('[MONO-S3-2] test/Storage/Bucket');
    expect(error?.message).toContain('[MONO-SNS-1] test/Alerts (aws_sns_topic.Alerts)');
    expect(error?.message).toContain("fix: Set kmsMasterKeyId (e.g. 'alias/aws/sns' or a customer managed key).");
  });

  it('lets a compliant stack synthesize', () => {
    const { error, guardrails } = runGuardrails((s) => encryptedTopic(s, 'Alerts'));
    expect(error).toBeUndefined();
    expect(guardrails.findings).toEqual([]);
  });

  it('fails a real app.synth(), not only Testing.synth', () => {
    const { app, stack } = appStack();
    new SnsTopic(stack, 'Alerts', { name: 'alerts' });
    Aspects.of(stack).add(new Guardrails({ report: () => undefined }));
    expect(() => app.synth()).toThrow('[MONO-SNS-1] prod/Alerts');
  });

  it("in 'annotate' mode, fails app.synth() through error annotations on the resource", () => {
    const { app, stack } = appStack();
    const topic = new SnsTopic(stack, 'Alerts', { name: 'alerts' });
    Aspects.of(stack).add(new Guardrails({ onViolation: 'annotate', report: () => undefined }));
    expect(() => app.synth()).toThrow(/\[prod\/Alerts\] \[MONO-SNS-1\]/);
    expect(topic.node.metadata.map((entry) => entry.type)).toContain('@cdktf/error');
  });

  it('checks escape-hatch resources and overrides by their Terraform type', () => {
    const { guardrails } = runGuardrails((s) => {
      new TerraformResource(s, 'Raw', { terraformResourceType: 'aws_sns_topic' });
      const patched = new SnsTopic(s, 'Patched', { name: 'patched' });
      patched.addOverride('kms_master_key_id', 'alias/aws/sns');
    });
    expect(guardrails.violations.map((finding) => `${finding.ruleId} ${finding.path}`)).toEqual(['MONO-SNS-1 test/Raw']);
  });

  it('checks only the subtree it was added to', () => {
    const app = testApp();
    const stack = new TerraformStack(app, 'test');
    const team = new Construct(stack, 'Team');
    new SnsTopic(team, 'Mine', { name: 'mine' });
    new SnsTopic(stack, 'NotMine', { name: 'not-mine' });
    const guardrails = new Guardrails({ report: () => undefined });
    Aspects.of(team).add(guardrails);
    expect(() => Testing.synth(stack)).toThrow('[MONO-SNS-1] test/Team/Mine');
    expect(guardrails.violations.map((finding) => finding.path)).toEqual(['test/Team/Mine']);
  });

  it('skips disabled rules', () => {
    const { error } = runGuardrails((s) => new SnsTopic(s, 'Alerts', { name: 'alerts' }), { disabledRules: ['MONO-SNS-1'] });
    expect(error).toBeUndefined();
  });
});

describe('Guardrails.acknowledge', () => {
  it('accepts an acknowledged finding, on the resource or any scope above it, and reports it once', () => {
    const report = jest.fn();
    const app = testApp();
    const stack = new TerraformStack(app, 'test');
    const legacy = new Construct(stack, 'Legacy');
    const topic = new SnsTopic(stack, 'Alerts', { name: 'alerts' });
    new SnsTopic(legacy, 'Old', { name: 'old' });
    Guardrails.acknowledge(topic, 'MONO-SNS-1', 'carries only public status page events');
    Guardrails.acknowledge(legacy, 'MONO-SNS-1', 'legacy topics, migrated in ticket OPS-12');
    const guardrails = new Guardrails({ report });
    Aspects.of(stack).add(guardrails);

    Testing.synth(stack);
    Testing.synth(stack); // a second synth must not print the summary again

    expect(guardrails.violations).toEqual([]);
    expect(guardrails.acknowledged.map((finding) => [finding.path, finding.acknowledgedBecause])).toEqual([
      ['test/Legacy/Old', 'legacy topics, migrated in ticket OPS-12'],
      ['test/Alerts', 'carries only public status page events'],
    ]);
    expect(report).toHaveBeenCalledTimes(1);
    expect(report.mock.calls[0][0]).toMatch(
      /^Guardrails: 2 acknowledged finding\(s\):\n\[MONO-SNS-1\] test\/Legacy\/Old .*\n {4}acknowledged: legacy topics/,
    );
  });

  it('does not silence other rules', () => {
    const { guardrails } = runGuardrails((s) => {
      const bucket = new S3Bucket(s, 'Bucket', {});
      Guardrails.acknowledge(bucket, 'MONO-S3-1', 'encrypted by the S3 default (SSE-S3)');
    });
    expect(guardrails.violations.map((finding) => finding.ruleId)).toEqual(['MONO-S3-2']);
    expect(guardrails.acknowledged.map((finding) => finding.ruleId)).toEqual(['MONO-S3-1']);
  });

  it('rejects a malformed rule id or a missing reason', () => {
    const stack = new TerraformStack(testApp(), 'test');
    expect(() => Guardrails.acknowledge(stack, 's3-1', 'a good reason here')).toThrow('ruleId "s3-1" is not a rule id like "MONO-S3-1"');
    expect(() => Guardrails.acknowledge(stack, 'MONO-S3-1', ' ')).toThrow('give a reason of at least 10 characters');
  });
});

describe('warnings', () => {
  /** A rule that warns about topics named "old-*" and fails those named "bad-*". */
  const topicNames: GuardrailRule = {
    id: 'TEST-TOPIC-1',
    description: 'Topics have current names.',
    fix: 'Rename the topic.',
    appliesTo: ['aws_sns_topic'],
    check: ({ config }) => [
      ...(String(config.name).startsWith('old-') ? [warning(`name ${String(config.name)} is going away`)] : []),
      ...(String(config.name).startsWith('bad-') ? [`name ${String(config.name)} is refused`] : []),
    ],
  };

  it('never fail synth, and are reported once in the summary with the acknowledged findings', () => {
    const report = jest.fn();
    const app = testApp();
    const stack = new TerraformStack(app, 'test');
    new SnsTopic(stack, 'Old', { name: 'old-alerts' });
    const legacy = new SnsTopic(stack, 'Legacy', { name: 'old-legacy' });
    Guardrails.acknowledge(legacy, 'TEST-TOPIC-1', 'removed with the legacy stack in OPS-12');
    const guardrails = new Guardrails({ rules: [topicNames], report });
    Aspects.of(stack).add(guardrails);

    expect(() => Testing.synth(stack)).not.toThrow();
    Testing.synth(stack);

    expect(guardrails.violations).toEqual([]);
    expect(guardrails.warnings.map((finding) => [finding.path, finding.severity, finding.problems])).toEqual([
      ['test/Old', 'warning', ['name old-alerts is going away']],
    ]);
    expect(guardrails.acknowledged.map((finding) => finding.path)).toEqual(['test/Legacy']);
    expect(report).toHaveBeenCalledTimes(1);
    const summary: string = report.mock.calls[0][0];
    expect(summary).toMatch(
      /^Guardrails: 1 warning\(s\), not failing synth:\n\[TEST-TOPIC-1\] test\/Old \(aws_sns_topic.Old\): Topics have current names.\n {4}- name old-alerts is going away\n {4}fix: Rename the topic./,
    );
    expect(summary).toContain('\n\nGuardrails: 1 acknowledged finding(s):\n[TEST-TOPIC-1] test/Legacy');
  });

  it("split a rule's problems on one element into an error finding and a warning finding", () => {
    const { error, guardrails } = runGuardrails((s) => new SnsTopic(s, 'Both', { name: 'bad-old' }), {
      rules: [{ ...topicNames, check: () => ['refused', warning('going away')] }],
    });
    expect(guardrails.findings.map((finding) => [finding.severity, finding.problems])).toEqual([
      ['error', ['refused']],
      ['warning', ['going away']],
    ]);
    expect(error?.message).toContain('- refused');
    expect(error?.message).not.toContain('going away');
  });
});

describe('a synthesized stack', () => {
  it('does not carry acknowledgements into the Terraform JSON', () => {
    const { app, stack } = appStack();
    const topic = new SnsTopic(stack, 'Alerts', { name: 'alerts' });
    Guardrails.acknowledge(topic, 'MONO-SNS-1', 'carries only public status page events');
    Aspects.of(stack).add(new Guardrails({ report: () => undefined }));
    app.synth();
    const json = JSON.parse(readFileSync(join(app.outdir, 'stacks', 'prod', 'cdk.tf.json'), 'utf8'));
    expect(json.resource.aws_sns_topic.Alerts).toMatchObject({ name: 'alerts' });
    expect(JSON.stringify(json)).not.toContain('acknowledg');
  });
});
