import { Testing, TerraformStack } from 'cdktf';
// Brings in the global jest matcher types that Testing.setupJest() registers.
import 'cdktf/lib/testing/adapters/jest';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { EcrRegistryScanningConfiguration } from '@cdktf/provider-aws/lib/ecr-registry-scanning-configuration';
import { Inspector2Enabler } from '@cdktf/provider-aws/lib/inspector2-enabler';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Monitoring } from '../../../constructs/monitoring/monitoring';
import { Grant, roleGrantee } from '../../../constructs/core/grants';
import { ImageScanning, ImageScanningProps, severitiesAtOrAbove } from '../../../constructs/images/image-scanning';
import { testApp, synthScope } from '../../support/temp';

Testing.setupJest();

const ownership = { domain: 'storefront', team: 'web' };
type Parts = { json: string; parsed: any; scanning: ImageScanning };

function synth(props: Partial<ImageScanningProps> = {}, after?: (scanning: ImageScanning, scope: TerraformStack) => void): Parts {
  let scanning!: ImageScanning;
  const json = synthScope((scope) => {
    const monitoring = new Monitoring(scope, 'monitoring', { namePrefix: 'prod' });
    scanning = new ImageScanning(scope, 'images', { repositoryName: 'storefront/web', monitoring, ownership, ...props });
    after?.(scanning, scope as TerraformStack);
  });
  return { json, parsed: JSON.parse(json), scanning };
}

const resources = (parsed: any, type: string): [string, any][] => Object.entries(parsed.resource?.[type] ?? {});
const only = (parsed: any, type: string): any => {
  const found = resources(parsed, type);
  expect(found).toHaveLength(1);
  return found[0][1];
};
const policyOf = (parsed: any, name: string) =>
  JSON.parse(resources(parsed, 'aws_iam_role_policy').find(([, p]) => p.name === name)![1].policy);

describe('ImageScanning', () => {
  const enhanced = synth();
  const basic = synth({ scanMode: 'basic' });

  it('creates an immutable, AES256-encrypted repository with ownership tags, not force-deletable', () => {
    expect(enhanced.json).toHaveResourceWithProperties(EcrRepository, {
      name: 'storefront/web',
      image_tag_mutability: 'IMMUTABLE',
      encryption_configuration: [{ encryption_type: 'AES256' }],
      force_delete: false,
      image_scanning_configuration: { scan_on_push: false },
      tags: expect.objectContaining(ownership),
    });
  });

  it('encrypts with a KMS key on request', () => {
    const kmsKeyArn = 'arn:aws:kms:eu-west-1:123456789012:key/abc';
    expect(synth({ kmsKeyArn }).json).toHaveResourceWithProperties(EcrRepository, {
      encryption_configuration: [{ encryption_type: 'KMS', kms_key: kmsKeyArn }],
    });
  });

  it('keeps only the last N images', () => {
    const policy = JSON.parse(only(synth({ keepLastImages: 12 }).parsed, 'aws_ecr_lifecycle_policy').policy);
    expect(policy.rules).toEqual([
      expect.objectContaining({
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 12 },
        action: { type: 'expire' },
      }),
    ]);
    expect(JSON.parse(only(enhanced.parsed, 'aws_ecr_lifecycle_policy').policy).rules[0].selection.countNumber).toBe(30);
  });

  it('enhanced mode: continuous Inspector scanning of the repository, Inspector enabled for ECR', () => {
    expect(enhanced.json).toHaveResourceWithProperties(EcrRegistryScanningConfiguration, {
      scan_type: 'ENHANCED',
      rule: [{ scan_frequency: 'CONTINUOUS_SCAN', repository_filter: [{ filter: 'storefront/web', filter_type: 'WILDCARD' }] }],
    });
    expect(enhanced.json).toHaveResourceWithProperties(Inspector2Enabler, { resource_types: ['ECR'] });
  });

  it('basic mode: scan on push in the registry and the repository, no Inspector', () => {
    expect(basic.json).toHaveResourceWithProperties(EcrRegistryScanningConfiguration, {
      scan_type: 'BASIC',
      rule: [{ scan_frequency: 'SCAN_ON_PUSH', repository_filter: [{ filter: 'storefront/web', filter_type: 'WILDCARD' }] }],
    });
    expect(basic.json).toHaveResourceWithProperties(EcrRepository, { image_scanning_configuration: { scan_on_push: true } });
    expect(basic.json).not.toHaveResource(Inspector2Enabler);
  });

  it('leaves the registry-wide scanning configuration alone when another owner manages it', () => {
    expect(synth({ manageRegistryScanning: false }).json).not.toHaveResource(EcrRegistryScanningConfiguration);
  });

  it('schedules the re-scan Lambda daily through a role that may only invoke that function', () => {
    const schedule = only(enhanced.parsed, 'aws_scheduler_schedule');
    expect(enhanced.json).toHaveResourceWithProperties(SchedulerSchedule, { schedule_expression: 'rate(1 day)' });
    const [functionId] = resources(enhanced.parsed, 'aws_lambda_function')[0];
    expect(schedule.target.arn).toBe(`\${aws_lambda_function.${functionId}.arn}`);
    expect(schedule.target.role_arn).toMatch(/aws_iam_role\.images_scheduler-role_\w+\.arn/);
    expect(policyOf(enhanced.parsed, 'invoke-rescan-only').Statement).toEqual([
      { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [`\${aws_lambda_function.${functionId}.arn}`] },
    ]);
    const [roleId] = resources(enhanced.parsed, 'aws_iam_role').find(([id]) => id.startsWith('images_scheduler-role'))!;
    expect(JSON.parse(enhanced.parsed.resource.aws_iam_role[roleId].assume_role_policy).Statement[0].Principal).toEqual({
      Service: 'scheduler.amazonaws.com',
    });
    expect(synth({ rescanScheduleExpression: 'cron(0 6 * * ? *)' }).json).toHaveResourceWithProperties(SchedulerSchedule, {
      schedule_expression: 'cron(0 6 * * ? *)',
    });
  });

  it('configures the Lambda for its mode, with only the permissions that mode needs', () => {
    expect(enhanced.json).toHaveResourceWithProperties(LambdaFunction, {
      environment: {
        variables: expect.objectContaining({
          SCAN_MODE: 'enhanced',
          RECENT_IMAGE_COUNT: '5',
          REPOSITORY_NAME: expect.stringContaining('aws_ecr_repository.images_repository'),
        }),
      },
    });
    const enhancedActions = JSON.parse(
      resources(enhanced.parsed, 'aws_iam_role_policy').find(([, p]) => p.name === 'least-privilege')![1].policy,
    ).Statement.flatMap((s: any) => s.Action);
    expect(enhancedActions).toEqual(expect.arrayContaining(['inspector2:ListCoverage', 'ecr:DescribeImages', 'ecs:DescribeTasks']));
    expect(enhancedActions).not.toContain('ecr:StartImageScan');
    const basicActions = JSON.parse(
      resources(basic.parsed, 'aws_iam_role_policy').find(([, p]) => p.name === 'least-privilege')![1].policy,
    ).Statement.flatMap((s: any) => s.Action);
    expect(basicActions).toContain('ecr:StartImageScan');
    expect(basicActions).not.toContain('inspector2:ListCoverage');
  });

  it('routes findings at or above the severity to the alerts topic through EventBridge', () => {
    const rules = resources(synth({ alertSeverity: 'MEDIUM' }).parsed, 'aws_cloudwatch_event_rule').map(
      ([id, r]) => [id, JSON.parse(r.event_pattern)] as const,
    );
    const ecrScan = rules.find(([, p]) => p.source[0] === 'aws.ecr')![1];
    expect(ecrScan).toEqual({
      source: ['aws.ecr'],
      'detail-type': ['ECR Image Scan'],
      detail: {
        'repository-name': ['storefront/web'],
        'scan-status': ['COMPLETE'],
        $or: [
          { 'finding-severity-counts': { CRITICAL: [{ numeric: ['>', 0] }] } },
          { 'finding-severity-counts': { HIGH: [{ numeric: ['>', 0] }] } },
          { 'finding-severity-counts': { MEDIUM: [{ numeric: ['>', 0] }] } },
        ],
      },
    });
    const inspector = rules.find(([, p]) => p.source[0] === 'aws.inspector2')![1];
    expect(inspector).toMatchObject({
      'detail-type': ['Inspector2 Finding'],
      detail: {
        severity: ['CRITICAL', 'HIGH', 'MEDIUM'],
        resources: { details: { awsEcrContainerImage: { repositoryName: ['storefront/web'] } } },
      },
    });

    const targets = resources(enhanced.parsed, 'aws_cloudwatch_event_target').map(([, t]) => t);
    expect(targets).toHaveLength(2);
    for (const target of targets) expect(target.arn).toMatch(/^\$\{aws_sns_topic\.monitoring_alerts_\w+\.arn\}$/);
    expect(new Set(targets.map((t) => t.rule)).size).toBe(2);
  });

  it('alarms on the re-scan metric of its mode, wired to the alerts topic', () => {
    const alarm = resources(enhanced.parsed, 'aws_cloudwatch_metric_alarm').find(([, a]) => a.namespace === 'Monoenv/ImageScanning')![1];
    expect(alarm).toMatchObject({
      metric_name: 'ImagesNotCovered',
      threshold: 1,
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      alarm_actions: [expect.stringContaining('aws_sns_topic.monitoring_alerts')],
    });
    const basicAlarm = resources(basic.parsed, 'aws_cloudwatch_metric_alarm').find(([, a]) => a.namespace === 'Monoenv/ImageScanning')![1];
    expect(basicAlarm.metric_name).toBe('RescansFailed');
    // The Lambda's own error alarm comes through MonoenvFunction.
    expect(
      resources(enhanced.parsed, 'aws_cloudwatch_metric_alarm').some(([, a]) => a.metric_name === 'Errors' && a.namespace === 'AWS/Lambda'),
    ).toBe(true);
  });

  it('grants pull and push on the repository only, to any grantee (a plain role through roleGrantee)', () => {
    let pull: Grant | undefined;
    const { parsed } = synth({}, (scanning, scope) => {
      const role = roleGrantee(new IamRole(scope, 'ci', { assumeRolePolicy: '{}' }));
      pull = scanning.grantPull(role);
      scanning.grantPush(role);
    });
    expect(pull!.actions).toEqual([
      'ecr:GetAuthorizationToken',
      'ecr:BatchCheckLayerAvailability',
      'ecr:GetDownloadUrlForLayer',
      'ecr:BatchGetImage',
    ]);
    // One inline policy on the role holds both grants.
    const [policy] = resources(parsed, 'aws_iam_role_policy')
      .filter(([, p]) => p.name === 'granted')
      .map(([, p]) => JSON.parse(p.policy).Statement);
    expect(policy).toHaveLength(4);
    const onRepository = policy.filter((s: { Action: string[] }) => !s.Action.includes('ecr:GetAuthorizationToken'));
    for (const statement of onRepository)
      expect(statement.Resource).toEqual([expect.stringMatching(/^\$\{aws_ecr_repository\.images_repository_\w+\.arn\}$/)]);
    expect(onRepository.map((s: { Action: string[] }) => s.Action.includes('ecr:PutImage'))).toEqual([false, true]);
  });

  it('orders severities', () => {
    expect(severitiesAtOrAbove('CRITICAL')).toEqual(['CRITICAL']);
    expect(severitiesAtOrAbove('LOW')).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']);
  });

  it('scans the repositories it is told to, leaves Inspector alone on request, and re-scans the newest N', () => {
    const { json } = synth({ scannedRepositoryFilters: ['storefront/*', 'shared-base'], enableInspector: false, rescanRecentImages: 2 });
    expect(json).toHaveResourceWithProperties(EcrRegistryScanningConfiguration, {
      rule: [
        {
          scan_frequency: 'CONTINUOUS_SCAN',
          repository_filter: [
            { filter: 'storefront/*', filter_type: 'WILDCARD' },
            { filter: 'shared-base', filter_type: 'WILDCARD' },
          ],
        },
      ],
    });
    expect(json).not.toHaveResource(Inspector2Enabler);
    expect(json).toHaveResourceWithProperties(LambdaFunction, {
      environment: { variables: expect.objectContaining({ RECENT_IMAGE_COUNT: '2' }) },
    });
  });

  it('takes a KMS key made in the same deploy (a token)', () => {
    const withKey = JSON.parse(
      synthScope((scope) => {
        const monitoring = new Monitoring(scope, 'monitoring', { namePrefix: 'prod' });
        new ImageScanning(scope, 'images', { repositoryName: 'storefront/web', monitoring, kmsKeyArn: new KmsKey(scope, 'key', {}).arn });
      }),
    );
    expect(Object.values(withKey.resource.aws_ecr_repository as Record<string, any>)[0].encryption_configuration).toEqual([
      { encryption_type: 'KMS', kms_key: '${aws_kms_key.key.arn}' },
    ]);
  });

  it.each<[string, Partial<ImageScanningProps>, RegExp]>([
    ['keepLastImages below 1', { keepLastImages: 0 }, /keepLastImages: must be a whole number >= 1/],
    [
      'an uppercase repository name',
      { repositoryName: 'Web' },
      /repositoryName: must be 2-256 lowercase letters, digits and \. _ - \/ \(ECR naming rules\)/,
    ],
    ['an unknown scan mode', { scanMode: 'deep' as never }, /scanMode: must be 'enhanced' or 'basic'/],
    [
      'a bad schedule',
      { rescanScheduleExpression: 'every day' },
      /rescanScheduleExpression: must be rate\(<n> minutes\|hours\|days\), cron\(\.\.\.\) or at\(\.\.\.\)/,
    ],
    ['an unknown severity', { alertSeverity: 'SEVERE' as never }, /alertSeverity: must be one of CRITICAL, HIGH, MEDIUM, LOW/],
    ['a negative recent image count', { rescanRecentImages: -1 }, /rescanRecentImages: must be a whole number >= 0/],
    ['a KMS key that is not an ARN', { kmsKeyArn: 'alias/ecr' }, /kmsKeyArn: must be a KMS key ARN/],
    [
      'an uppercase repository filter',
      { scannedRepositoryFilters: ['Storefront/*'] },
      /scannedRepositoryFilters\[0\]: must be a repository name/,
    ],
    ['no repository filters', { scannedRepositoryFilters: [] }, /scannedRepositoryFilters: must list at least one repository filter/],
  ])('rejects %s', (_label, props, message) => {
    const stack = new TerraformStack(testApp(), 'stack');
    const monitoring = new Monitoring(stack, 'monitoring', { namePrefix: 'prod' });
    expect(() => new ImageScanning(stack, 'images', { repositoryName: 'storefront/web', monitoring, ...props })).toThrow(message);
  });

  it('names every bad prop in one error, before making anything', () => {
    const stack = new TerraformStack(testApp(), 'stack');
    const monitoring = new Monitoring(stack, 'monitoring', { namePrefix: 'prod' });
    const bad = {
      repositoryName: 'web-',
      monitoring,
      keepLastImages: 1.5,
      scanMode: 'deep' as never,
      rescanScheduleExpression: 'rate(1 week)',
      rescanRecentImages: -1,
      alertSeverity: 'SEVERE' as never,
      kmsKeyArn: 'alias/ecr',
      forceDelete: 'yes' as never,
    };
    let lines: string[] = [];
    try {
      new ImageScanning(stack, 'images', bad);
    } catch (error) {
      lines = (error as Error).message.split('\n');
    }
    expect(lines[0]).toBe('ImageScanning: invalid props:');
    expect(lines.slice(1).map((line) => line.trim().split(':')[0])).toEqual([
      'repositoryName',
      'keepLastImages',
      'scanMode',
      'rescanScheduleExpression',
      'rescanRecentImages',
      'alertSeverity',
      'kmsKeyArn',
      'forceDelete',
    ]);
    expect(stack.node.findAll().filter((c) => c.node.path.includes('/images/'))).toEqual([]);
  });
});
