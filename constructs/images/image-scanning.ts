import { Construct } from 'constructs';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRegistryScanningConfiguration } from '@cdktf/provider-aws/lib/ecr-registry-scanning-configuration';
import { Inspector2Enabler } from '@cdktf/provider-aws/lib/inspector2-enabler';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { schedulerInvokeRole } from '../core/scheduler-role';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { Grant, type Grantee } from '../core/grants';
import { lambdaEntry, MonoenvFunction } from '../core/monoenv-function';
import { metricWidget, type MetricSpec, type IMonitoring } from '../monitoring/monitoring';
import { ownershipTags, type OwnershipTags } from '../core/ownership';
import { parseProps } from '../core/props';
import { RESCAN_METRICS, rescanEnvironment, type ScanMode } from '../../lambdas/image-rescan/contract';
import { FINDING_SEVERITIES, imageScanningSettingsSchema, type FindingSeverity, type ImageScanningSettings } from './image-scanning-props';

export type { ScanMode } from '../../lambdas/image-rescan/contract';
export type { FindingSeverity } from './image-scanning-props';

/** The severities that alert for a threshold: it and everything above it. */
export function severitiesAtOrAbove(threshold: FindingSeverity): FindingSeverity[] {
  const index = FINDING_SEVERITIES.indexOf(threshold);
  if (index < 0) throw new Error(`alertSeverity must be one of ${FINDING_SEVERITIES.join(', ')}, got '${threshold}'`);
  return FINDING_SEVERITIES.slice(0, index + 1);
}

export interface ImageScanningProps {
  /** ECR repository name, e.g. `storefront/web`. */
  readonly repositoryName: string;
  /** Scan-finding events and re-scan alarms go to its alerts topic. */
  readonly monitoring: IMonitoring;
  /** @default - the monitoring alerts topic */
  readonly alarmTopicArn?: string;
  /**
   * How many images the lifecycle policy keeps (older ones expire, tagged or not; keep this above the
   * number of releases you may roll back to).
   * @default 30
   */
  readonly keepLastImages?: number;
  /**
   * 'enhanced': Amazon Inspector scans continuously (OS and language packages), the re-scan Lambda
   * checks its coverage. 'basic': ECR scans on push, the re-scan Lambda re-scans images in use daily.
   * @default 'enhanced'
   */
  readonly scanMode?: ScanMode;
  /**
   * Whether to set the account's registry scanning configuration. ECR has one per account and region,
   * so only one ImageScanning may own it; turn this off for the others and list their repositories in
   * the owner's `scannedRepositoryFilters`.
   * @default true
   */
  readonly manageRegistryScanning?: boolean;
  /**
   * Repository filters (wildcards allowed) the registry scanning rule covers.
   * @default - [repositoryName]
   */
  readonly scannedRepositoryFilters?: string[];
  /**
   * Turn on Amazon Inspector for ECR in this account (enhanced mode needs it).
   * @default true in enhanced mode
   */
  readonly enableInspector?: boolean;
  /** EventBridge Scheduler expression for the re-scan. @default 'rate(1 day)' */
  readonly rescanScheduleExpression?: string;
  /** How many of the newest images count as in use besides the running ones. @default 5 */
  readonly rescanRecentImages?: number;
  /** Findings at or above this severity alert. @default 'HIGH' */
  readonly alertSeverity?: FindingSeverity;
  /** Encrypt images with this KMS key instead of AES256. @default - AES256 (ECR-managed) */
  readonly kmsKeyArn?: string;
  /** Let `terraform destroy` delete a repository that still holds images. @default false */
  readonly forceDelete?: boolean;
  readonly ownership?: OwnershipTags;
}

const PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];
const PUSH_ACTIONS = [...PULL_ACTIONS, 'ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'];

/**
 * An ECR repository with immutable tags, encryption, a lifecycle policy and vulnerability scanning:
 * registry scanning (enhanced/continuous or basic/on push), a scheduled re-scan Lambda, and alerts for
 * findings at or above a severity.
 */
export class ImageScanning extends Construct {
  readonly repository: EcrRepository;
  readonly rescanFunction: MonoenvFunction;
  readonly schedule: SchedulerSchedule;
  readonly findingRules: CloudwatchEventRule[];
  readonly alarms: CloudwatchMetricAlarm[] = [];
  readonly scanMode: ScanMode;
  private readonly account: DataAwsCallerIdentity;

  constructor(scope: Construct, id: string, props: ImageScanningProps) {
    super(scope, id);
    const settings = resolveSettings(props);
    this.account = new DataAwsCallerIdentity(this, 'account');
    const tags = ownershipTags(props.ownership, props.repositoryName);
    this.scanMode = settings.scanMode;

    this.repository = new EcrRepository(this, 'repository', {
      name: props.repositoryName,
      imageTagMutability: 'IMMUTABLE',
      encryptionConfiguration: [settings.kmsKeyArn ? { encryptionType: 'KMS', kmsKey: settings.kmsKeyArn } : { encryptionType: 'AES256' }],
      // Registry-level scanning supersedes this flag; it still matters when the registry config is owned elsewhere.
      imageScanningConfiguration: { scanOnPush: settings.scanMode === 'basic' },
      forceDelete: settings.forceDelete,
      tags,
    });
    new EcrLifecyclePolicy(this, 'lifecycle', {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `keep the last ${settings.keepLastImages} images`,
            selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: settings.keepLastImages },
            action: { type: 'expire' },
          },
        ],
      }),
    });

    if (settings.manageRegistryScanning) {
      const repositoryFilter = settings.scannedRepositoryFilters.map((filter) => ({ filter, filterType: 'WILDCARD' }));
      new EcrRegistryScanningConfiguration(
        this,
        'registry-scanning',
        settings.scanMode === 'enhanced'
          ? { scanType: 'ENHANCED', rule: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilter }] }
          : { scanType: 'BASIC', rule: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilter }] },
      );
    }
    if (settings.scanMode === 'enhanced' && settings.enableInspector) {
      new Inspector2Enabler(this, 'inspector', { accountIds: [this.account.accountId], resourceTypes: ['ECR'] });
    }

    this.rescanFunction = this.createRescanFunction(props, settings);
    this.schedule = this.createSchedule(props.repositoryName, settings.rescanScheduleExpression, tags);
    const topicArn = props.alarmTopicArn ?? props.monitoring.alertsTopicArn;
    this.findingRules = this.createFindingRules(props.repositoryName, severitiesAtOrAbove(settings.alertSeverity), topicArn, tags);
    this.addAlarms(props, settings.scanMode);
  }

  get repositoryUrl(): string {
    return this.repository.repositoryUrl;
  }

  get repositoryArn(): string {
    return this.repository.arn;
  }

  /** Lets a grantee (e.g. `roleGrantee(someRole)`) pull images from this repository. */
  grantPull(grantee: Grantee): Grant {
    return this.grant(grantee, PULL_ACTIONS);
  }

  /** Lets a grantee (e.g. CI's role, through `roleGrantee`) push images to this repository. */
  grantPush(grantee: Grantee): Grant {
    return this.grant(grantee, PUSH_ACTIONS);
  }

  /** The re-scan's gauge: in-use images Inspector does not cover (enhanced) or failed re-scans (basic). */
  metricRescanProblems(): MetricSpec {
    return this.rescanMetric(this.scanMode === 'enhanced' ? RESCAN_METRICS.imagesNotCovered : RESCAN_METRICS.rescansFailed);
  }

  metricImagesInUse(): MetricSpec {
    return this.rescanMetric(RESCAN_METRICS.imagesInUse);
  }

  private rescanMetric(metricName: string): MetricSpec {
    // The Lambda runs once per schedule tick; a day-long period keeps the last value in view.
    return {
      namespace: RESCAN_METRICS.namespace,
      metricName,
      dimensions: { [RESCAN_METRICS.repositoryDimension]: this.repository.name },
      statistic: 'Maximum',
      periodSeconds: 86400,
    };
  }

  private grant(grantee: Grantee, actions: string[]): Grant {
    // GetAuthorizationToken has no resource-level permissions: `*` is the only resource it takes.
    return Grant.addToPrincipal(grantee, [
      { actions: ['ecr:GetAuthorizationToken'], resources: ['*'] },
      { actions, resources: [this.repository.arn] },
    ]);
  }

  private createRescanFunction(props: ImageScanningProps, settings: Settings): MonoenvFunction {
    const repositoryArn = this.repository.arn;
    return new MonoenvFunction(this, 'rescan', {
      entry: lambdaEntry('image-rescan'),
      functionName: `${props.repositoryName.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 48)}-image-rescan`,
      description: `Scheduled ${settings.scanMode} re-scan check for ECR repository ${props.repositoryName}`,
      environment: rescanEnvironment({
        repositoryName: this.repository.name,
        scanMode: settings.scanMode,
        recentImageCount: settings.rescanRecentImages,
      }),
      policyStatements: [
        {
          actions: ['ecr:DescribeRepositories', 'ecr:DescribeImages', ...(settings.scanMode === 'basic' ? ['ecr:StartImageScan'] : [])],
          resources: [repositoryArn],
        },
        // Read-only listing of running tasks in every cluster of this account: ListClusters takes only `*`;
        // ListTasks is scoped by container instance and DescribeTasks by task ARN.
        { actions: ['ecs:ListClusters'], resources: ['*'] },
        { actions: ['ecs:ListTasks'], resources: [`arn:aws:ecs:*:${this.account.accountId}:container-instance/*`] },
        { actions: ['ecs:DescribeTasks'], resources: [`arn:aws:ecs:*:${this.account.accountId}:task/*`] },
        ...(settings.scanMode === 'enhanced' ? [{ actions: ['inspector2:ListCoverage'], resources: ['*'] }] : []),
      ],
      timeoutSeconds: 300,
      monitoring: props.monitoring,
      alarmTopicArn: props.alarmTopicArn,
      ownership: props.ownership,
    });
  }

  private createSchedule(repositoryName: string, scheduleExpression: string, tags: Record<string, string>): SchedulerSchedule {
    const role = schedulerInvokeRole(this, {
      roleName: `${repositoryName.replace(/[^A-Za-z0-9_+=,.@-]/g, '-')}-rescan-scheduler`,
      policyName: 'invoke-rescan-only',
      functionArn: this.rescanFunction.functionArn,
      tags,
    });
    return new SchedulerSchedule(this, 'schedule', {
      name: `${repositoryName.replace(/[^A-Za-z0-9_.-]/g, '-')}-image-rescan`.slice(0, 64),
      description: `re-scan check of ECR repository ${repositoryName}`,
      scheduleExpression,
      flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 30 },
      target: {
        arn: this.rescanFunction.functionArn,
        roleArn: role.arn,
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
      },
    });
  }

  private createFindingRules(
    repositoryName: string,
    severities: FindingSeverity[],
    topicArn: string,
    tags: Record<string, string>,
  ): CloudwatchEventRule[] {
    // Basic scans: one "ECR Image Scan" event per completed scan, alerting when any counted severity
    // at or above the threshold is non-zero.
    const basicScan = new CloudwatchEventRule(this, 'scan-findings', {
      description: `${repositoryName}: basic scan completed with ${severities.join('/')} findings`,
      eventPattern: JSON.stringify({
        source: ['aws.ecr'],
        'detail-type': ['ECR Image Scan'],
        detail: {
          'repository-name': [repositoryName],
          'scan-status': ['COMPLETE'],
          $or: severities.map((severity) => ({ 'finding-severity-counts': { [severity]: [{ numeric: ['>', 0] }] } })),
        },
      }),
      tags,
    });
    // Enhanced scans: Inspector emits one "Inspector2 Finding" event per new or updated finding.
    const inspectorFinding = new CloudwatchEventRule(this, 'inspector-findings', {
      description: `${repositoryName}: Inspector ${severities.join('/')} finding`,
      eventPattern: JSON.stringify({
        source: ['aws.inspector2'],
        'detail-type': ['Inspector2 Finding'],
        detail: {
          severity: severities,
          status: ['ACTIVE'],
          resources: { details: { awsEcrContainerImage: { repositoryName: [repositoryName] } } },
        },
      }),
      tags,
    });
    // The Monitoring alerts topic's policy already lets events.amazonaws.com publish (same account).
    for (const [id, rule] of [
      ['scan-findings-to-topic', basicScan],
      ['inspector-findings-to-topic', inspectorFinding],
    ] as const) {
      new CloudwatchEventTarget(this, id, { rule: rule.name, arn: topicArn });
    }
    return [basicScan, inspectorFinding];
  }

  private addAlarms(props: ImageScanningProps, scanMode: ScanMode): void {
    const repositoryName = props.repositoryName;
    const id = `${repositoryName.replace(/[^A-Za-z0-9_-]/g, '-')}-rescan`;
    const description =
      scanMode === 'enhanced'
        ? `${repositoryName}: images in use are not actively scanned by Amazon Inspector (see the re-scan Lambda's log)`
        : `${repositoryName}: re-scans of images in use failed (see the re-scan Lambda's log)`;
    this.alarms.push(
      props.monitoring.addAlarm(
        id,
        {
          alarmName: id,
          description,
          metric: this.metricRescanProblems(),
          threshold: 1,
          comparisonOperator: 'GreaterThanOrEqualToThreshold',
          evaluationPeriods: 1,
          // Keeps the last verdict until the next run reports.
          treatMissingData: 'ignore',
          topicArn: props.alarmTopicArn,
          ownership: props.ownership,
        },
        this,
      ),
    );
    props.monitoring.addWidgets(
      metricWidget(`${repositoryName}: image re-scan`, [
        this.metricImagesInUse(),
        this.metricRescanProblems(),
        ...(scanMode === 'basic' ? [this.rescanMetric(RESCAN_METRICS.rescansStarted)] : []),
      ]),
    );
  }
}

type Settings = ImageScanningSettings;

function resolveSettings(props: ImageScanningProps): Settings {
  const { monitoring: _monitoring, alarmTopicArn: _topic, ownership: _ownership, ...scalars } = props;
  return parseProps('ImageScanning', imageScanningSettingsSchema, scalars);
}
