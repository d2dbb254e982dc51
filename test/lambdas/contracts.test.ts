/**
 * Each function's contract.ts is imported by its construct (to write the environment) and by its handler (to read
 * it). These tests hold both sides to it: what the synthesized production stack sets is what the handler accepts.
 */
import { Testing } from 'cdktf';
import { parseConfig } from '../../config/load';
import { parseJourneys } from '../../domain/journeys/journey-schema';
import { FLAG_EVALUATION_DEFAULTS, flagEvaluationEnvironment, flagEvaluationSettings } from '../../lambdas/flag-evaluation/contract';
import { loadRescanConfig } from '../../lambdas/image-rescan/config';
import { rescanEnvironment } from '../../lambdas/image-rescan/contract';
import { ingestEnvironment, ingestSettings } from '../../lambdas/ingest/contract';
import { journeyProcessorEnvironment, journeyProcessorSettings } from '../../lambdas/journey-processor/contract';
import { rolloutControllerSettings } from '../../lambdas/rollout-controller/contract';
import { ProductionStack } from '../../stacks/production-stack';
import { SYNTH_DAY } from '../support/clock';
import { testApp } from '../support/temp';
import { REPO_ROOT } from '../support/paths';

const repoRoot = REPO_ROOT;

function synthesizedEnvironments(): Record<string, Record<string, string>> {
  const stack = new ProductionStack(testApp(), 'production', {
    config: parseConfig({ appName: 'shop', region: 'eu-west-1', flags: { corsAllowOrigins: ['https://shop.example.com'] } }),
    baseDir: repoRoot,
    guardrails: { report: () => undefined, now: SYNTH_DAY },
  });
  const functions = Object.values(JSON.parse(Testing.synth(stack)).resource.aws_lambda_function) as Array<{
    function_name: string;
    environment: { variables: Record<string, string> };
  }>;
  return Object.fromEntries(functions.map((fn) => [fn.function_name, fn.environment.variables]));
}

/** Terraform's JSON syntax escapes `${` as `$${`; the function sees the unescaped text. */
const afterTerraform = (value: string) => value.replaceAll('$${', '${').replaceAll('%%{', '%{');

describe('what the production stack sets is what each handler reads', () => {
  const env = synthesizedEnvironments();

  it('gives the flag function its table, keys, stream and origins', () => {
    expect(flagEvaluationSettings(env['shop-flags-evaluate'])).toEqual({
      flagsTable: expect.stringContaining('aws_dynamodb_table.flags_table'),
      apiKeysSecretArn: expect.stringContaining('aws_secretsmanager_secret.flags_api-keys'),
      corsAllowOrigins: ['https://shop.example.com'],
      rateLimitPerSecond: FLAG_EVALUATION_DEFAULTS.rateLimitPerSecond,
      metricsNamespace: 'Monoenv/Flags',
      eventStreamName: 'shop-events',
    });
  });

  it('gives the ingest function its stream and write keys', () => {
    expect(ingestSettings(env['shop-ingest'])).toEqual({
      eventStreamName: 'shop-events',
      apiKeysSecretArn: expect.stringContaining('aws_secretsmanager_secret.events_write-keys'),
      metricsNamespace: 'Monoenv/Ingest',
      corsAllowOrigins: [],
    });
  });

  it('gives the journey processor its table, failure queue and journeys it can parse', () => {
    const settings = journeyProcessorSettings(env['shop-journey-processor']);
    expect(settings).toMatchObject({
      analyticsTable: 'shop-analytics',
      metricsNamespace: 'Monoenv/Product',
      failureQueueUrl: expect.stringContaining('aws_sqs_queue.events_processor-failures'),
    });
    expect(parseJourneys(afterTerraform(settings.journeysJson)).map((journey) => journey.name)).toEqual(['checkout', 'onboarding']);
  });

  it('gives the rollout controller its tables, alerts topic, interval and the metrics of every guardrail', () => {
    const settings = rolloutControllerSettings(env['shop-rollout-controller']);
    expect(settings).toMatchObject({
      flagTable: expect.stringContaining('aws_dynamodb_table.flags_table'),
      analyticsTable: 'shop-analytics',
      alertsTopicArn: expect.stringContaining('aws_sns_topic.monitoring_alerts'),
      intervalSeconds: 60,
    });
    expect(Object.keys(settings.signals.services)).toEqual(['web']);
    expect(settings.signals.services.web.errors5xx).toMatchObject({
      namespace: 'AWS/ApplicationELB',
      metricName: 'HTTPCode_Target_5XX_Count',
    });
    expect(settings.signals.flagErrors.map((ref) => ref.metricName)).toEqual(['EvaluationErrors', 'EvaluationErrors']);
    expect(() => rolloutControllerSettings({ ...env['shop-rollout-controller'], SIGNALS: '{' })).toThrow(
      'environment variable SIGNALS is not valid JSON',
    );
  });

  it('gives the image re-scan its repository, mode and image count', () => {
    expect(loadRescanConfig(env['shop-image-rescan'])).toEqual({
      repositoryName: expect.stringContaining('aws_ecr_repository.images_repository'),
      scanMode: 'enhanced',
      recentImageCount: 5,
    });
  });
});

describe('each contract reads back what it writes', () => {
  it('flags, with the optional stream and keys left out', () => {
    const settings = { flagsTable: 't', corsAllowOrigins: ['*'], rateLimitPerSecond: 7, metricsNamespace: 'X/Y' };
    expect(flagEvaluationSettings(flagEvaluationEnvironment(settings))).toEqual({
      ...settings,
      apiKeysSecretArn: undefined,
      eventStreamName: undefined,
    });
  });

  it('flags: defaults for what is unset, and a named error for what is wrong', () => {
    expect(flagEvaluationSettings({ FLAGS_TABLE: 't' })).toMatchObject({
      rateLimitPerSecond: FLAG_EVALUATION_DEFAULTS.rateLimitPerSecond,
      metricsNamespace: 'Monoenv/Flags',
      corsAllowOrigins: [],
    });
    expect(() => flagEvaluationSettings({})).toThrow('environment variable FLAGS_TABLE is required');
    expect(() => flagEvaluationSettings({ FLAGS_TABLE: 't', RATE_LIMIT_PER_SECOND: 'fast' })).toThrow(
      "RATE_LIMIT_PER_SECOND must be a positive number, got 'fast'",
    );
  });

  it('ingest, journey processor and image re-scan', () => {
    const ingest = {
      eventStreamName: 's',
      apiKeysSecretArn: 'arn:k',
      metricsNamespace: 'N',
      corsAllowOrigins: ['https://a.example', 'https://b.example'],
    };
    expect(ingestSettings(ingestEnvironment(ingest))).toEqual(ingest);
    const processor = { analyticsTable: 'a', journeysJson: '[]', metricsNamespace: 'N', failureQueueUrl: 'https://sqs/q' };
    expect(journeyProcessorSettings(journeyProcessorEnvironment(processor))).toEqual(processor);
    const rescan = { repositoryName: 'shop/web', scanMode: 'basic' as const, recentImageCount: 3 };
    expect(loadRescanConfig(rescanEnvironment(rescan))).toEqual(rescan);
  });
});
