import { Construct } from 'constructs';
import { Lazy, Token } from 'cdktf';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { containerServiceSettingsSchema, type ContainerServiceSettings } from './container-service-props';
import type { INetwork } from './network';
import { parseProps } from '../core/props';
import type { IMonitoring, MathSpec, MetricSpec } from '../monitoring/monitoring';
import { ownershipTags, type OwnershipTags } from '../core/ownership';
import { checkStatement, policyDocument, type Grantee, type PolicyStatement } from '../core/grants';
import { APP_CONTAINER_NAME, appContainerDefinitions, ecrRepositoryArnOfImage, TMP_VOLUME_NAME } from './container-service-fargate';
import { addServiceAlarms, ServiceMetrics } from './container-service-alarms';

/** TLS 1.3 with 1.2 fallback, forward-secret ciphers only. */
export const HTTPS_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/** The ECS cluster a service runs in: an `EcsCluster`, or the ARN and name of one made elsewhere. */
export interface ICluster {
  readonly arn: string;
  readonly name: string;
}

export interface ContainerServiceProps {
  /** Service, cluster, task family and name prefix; 1-32 letters, digits and '-'. */
  readonly serviceName: string;
  readonly network: INetwork;
  /**
   * The ECS cluster to run in, so several services of the one environment share a cluster.
   * @default - a cluster of its own, named after the service, with Container Insights on
   */
  readonly cluster?: ICluster;
  /** Container image, e.g. `<account>.dkr.ecr.<region>.amazonaws.com/web:1.4.2`. */
  readonly image: string;
  /**
   * The ECR repository the execution role may pull from.
   * @default - parsed from `image` when it is a literal ECR URI; required when `image` is a deploy-time token
   *   (e.g. built from `ImageScanning.repositoryUrl`); none for a public image
   */
  readonly imageRepositoryArn?: string;
  /** Alarms and a dashboard row go here. @default - no alarms */
  readonly monitoring?: IMonitoring;
  /** Topic for this service's alarms (e.g. the owning team's). @default - the monitoring alerts topic */
  readonly alarmTopicArn?: string;
  /** @default 8080 */
  readonly containerPort?: number;
  /** @default '/health' */
  readonly healthCheckPath?: string;
  /** Fargate CPU units. @default 256 */
  readonly cpu?: number;
  /** Must fit `cpu` (Fargate's size table). @default 512 */
  readonly memoryMiB?: number;
  /** Tasks at first deploy; autoscaling owns it afterwards. @default - minCount */
  readonly desiredCount?: number;
  /** @default 2 (one per AZ) */
  readonly minCount?: number;
  /** @default 10 */
  readonly maxCount?: number;
  /** ACM certificate: adds an HTTPS listener and turns HTTP into a redirect. @default - HTTP only */
  readonly certificateArn?: string;
  /** Custom domain the certificate covers; used for `serviceUrl`. @default - the load balancer's DNS name */
  readonly domain?: string;
  /** Plain (non-secret) environment variables. @default - none */
  readonly environment?: Record<string, string>;
  /** @default true (a writable /tmp volume is mounted) */
  readonly readonlyRootFilesystem?: boolean;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** Time a new task gets before failed health checks count. @default 60 */
  readonly healthCheckGracePeriodSeconds?: number;
  /** @default true */
  readonly deletionProtection?: boolean;
  /**
   * Fail the apply when a deployment does not reach a steady state or was rolled back (see the
   * post-deploy guard below). Turn off only for a first bootstrap without an image yet.
   * @default true
   */
  readonly failOnRollback?: boolean;
  /**
   * Target-tracking autoscaling on CPU and on requests per task, between minCount and maxCount.
   * Off only where nothing runs tasks (a local AWS).
   * @default true
   */
  readonly autoscaling?: boolean;
  /** The tasks' CPU architecture, spelt as Lambda spells it. @default 'x86_64' */
  readonly cpuArchitecture?: 'x86_64' | 'arm64';
  /** Autoscaling target for average CPU. @default 60 */
  readonly targetCpuUtilizationPercent?: number;
  /** Autoscaling target for ALB requests per task per minute. @default 1000 */
  readonly targetRequestsPerTask?: number;
  /** @default 5 */
  readonly alarmHttp5xxRatePercent?: number;
  /** @default 2 */
  readonly alarmLatencyP99Seconds?: number;
  /** @default 85 */
  readonly alarmCpuPercent?: number;
  /** @default 85 */
  readonly alarmMemoryPercent?: number;
  readonly ownership?: OwnershipTags;
}

/**
 * A Fargate service behind an Application Load Balancer, with autoscaling, safe rolling deploys
 * (circuit breaker with rollback, and an apply that fails when a rollback happened) and alarms.
 */
/** A Grantee: what is granted to the service goes to its task role, the app's identity. */
export class ContainerService extends Construct implements Grantee {
  readonly cluster: ICluster;
  readonly service: EcsService;
  readonly taskDefinition: EcsTaskDefinition;
  readonly loadBalancer: Lb;
  readonly targetGroup: LbTargetGroup;
  readonly logGroup: CloudwatchLogGroup;
  /** The role the app runs as; grant it access with other constructs' grant methods. */
  readonly taskRole: IamRole;
  /** The role ECS uses to pull the image and write logs; never the app's. */
  readonly executionRole: IamRole;
  readonly serviceSecurityGroup: SecurityGroup;
  readonly loadBalancerSecurityGroup: SecurityGroup;
  /** Undefined when `autoscaling` is off. */
  readonly scalableTarget?: AppautoscalingTarget;
  readonly alarms: CloudwatchMetricAlarm[] = [];
  /** `https://<domain or ALB DNS>` with a certificate, else `http://<ALB DNS>`. */
  readonly serviceUrl: string;
  private readonly metrics: ServiceMetrics;
  private readonly taskRoleStatements: PolicyStatement[] = [];

  constructor(scope: Construct, id: string, props: ContainerServiceProps) {
    super(scope, id);
    const settings = resolveSettings(props);
    const { serviceName } = props;
    const tags = (suffix?: string) => ownershipTags(props.ownership, suffix ? `${serviceName}-${suffix}` : serviceName);
    const region = new DataAwsRegion(this, 'region');

    this.cluster =
      props.cluster ??
      new EcsCluster(this, 'cluster', {
        name: serviceName,
        setting: [{ name: 'containerInsights', value: 'enabled' }],
        tags: tags(),
      });
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/ecs/${serviceName}`,
      retentionInDays: settings.logRetentionDays,
      tags: tags(),
    });

    this.executionRole = this.createExecutionRole(serviceName, props, tags('execution'));
    this.taskRole = new IamRole(this, 'task-role', {
      name: `${serviceName}-task`,
      assumeRolePolicy: ecsTasksAssumeRolePolicy(),
      tags: tags('task'),
    });
    new IamRolePolicy(this, 'task-role-policy', {
      role: this.taskRole.id,
      name: 'granted',
      // Rendered at synth so grants added after construction land here; with no grants the policy
      // is not created at all (IAM rejects an empty one).
      count: Lazy.numberValue({ produce: () => (this.taskRoleStatements.length > 0 ? 1 : 0) }),
      policy: policyDocument(this.taskRoleStatements),
    });

    this.taskDefinition = new EcsTaskDefinition(this, 'task', {
      family: serviceName,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(settings.cpu),
      memory: String(settings.memoryMiB),
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: settings.cpuArchitecture === 'arm64' ? 'ARM64' : 'X86_64' },
      volume: [{ name: TMP_VOLUME_NAME }],
      containerDefinitions: appContainerDefinitions({
        image: props.image,
        containerPort: settings.containerPort,
        environment: props.environment ?? {},
        readonlyRootFilesystem: settings.readonlyRootFilesystem,
        logGroupName: this.logGroup.name,
        region: region.name,
      }),
      tags: tags(),
    });

    this.loadBalancerSecurityGroup = new SecurityGroup(this, 'alb-sg', {
      name: `${serviceName}-alb`,
      description: `${serviceName} load balancer: HTTP(S) from anywhere`,
      vpcId: props.network.vpcId,
      tags: tags('alb'),
    });
    this.serviceSecurityGroup = new SecurityGroup(this, 'service-sg', {
      name: `${serviceName}-tasks`,
      description: `${serviceName} tasks: only from the load balancer`,
      vpcId: props.network.vpcId,
      tags: tags('tasks'),
    });
    for (const port of [80, 443]) {
      for (const [family, cidr] of [
        ['ipv4', '0.0.0.0/0'],
        ['ipv6', '::/0'],
      ] as const) {
        new VpcSecurityGroupIngressRule(this, `alb-in-${port}-${family}`, {
          securityGroupId: this.loadBalancerSecurityGroup.id,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          ...(family === 'ipv4' ? { cidrIpv4: cidr } : { cidrIpv6: cidr }),
          description: `HTTP${port === 443 ? 'S' : ''} from anywhere`,
          tags: tags(),
        });
      }
    }
    new VpcSecurityGroupEgressRule(this, 'alb-out-tasks', {
      securityGroupId: this.loadBalancerSecurityGroup.id,
      referencedSecurityGroupId: this.serviceSecurityGroup.id,
      ipProtocol: 'tcp',
      fromPort: settings.containerPort,
      toPort: settings.containerPort,
      description: 'to the tasks only',
      tags: tags(),
    });
    new VpcSecurityGroupIngressRule(this, 'tasks-in-alb', {
      securityGroupId: this.serviceSecurityGroup.id,
      referencedSecurityGroupId: this.loadBalancerSecurityGroup.id,
      ipProtocol: 'tcp',
      fromPort: settings.containerPort,
      toPort: settings.containerPort,
      description: 'from the load balancer only',
      tags: tags(),
    });
    new VpcSecurityGroupEgressRule(this, 'tasks-out', {
      securityGroupId: this.serviceSecurityGroup.id,
      cidrIpv4: '0.0.0.0/0',
      ipProtocol: '-1',
      description: "image pulls, AWS APIs and the app's own dependencies",
      tags: tags(),
    });

    this.loadBalancer = new Lb(this, 'alb', {
      name: serviceName,
      loadBalancerType: 'application',
      internal: false,
      subnets: [...props.network.publicSubnetIds],
      securityGroups: [this.loadBalancerSecurityGroup.id],
      dropInvalidHeaderFields: true,
      enableDeletionProtection: settings.deletionProtection,
      tags: tags(),
    });
    this.targetGroup = new LbTargetGroup(this, 'targets', {
      name: serviceName,
      port: settings.containerPort,
      protocol: 'HTTP',
      targetType: 'ip',
      vpcId: props.network.vpcId,
      deregistrationDelay: '30',
      healthCheck: {
        path: settings.healthCheckPath,
        matcher: '200-399',
        interval: 15,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
      tags: tags(),
    });
    const listeners = this.createListeners(props.certificateArn, tags());

    this.service = new EcsService(this, 'service', {
      name: serviceName,
      cluster: this.cluster.arn,
      taskDefinition: this.taskDefinition.arn,
      desiredCount: settings.desiredCount,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      networkConfiguration: {
        subnets: [...props.network.serviceSubnetIds],
        securityGroups: [this.serviceSecurityGroup.id],
        assignPublicIp: props.network.assignPublicIp,
      },
      loadBalancer: [{ targetGroupArn: this.targetGroup.arn, containerName: APP_CONTAINER_NAME, containerPort: settings.containerPort }],
      healthCheckGracePeriodSeconds: settings.healthCheckGracePeriodSeconds,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      enableEcsManagedTags: true,
      propagateTags: 'SERVICE',
      enableExecuteCommand: false,
      // Post-deploy guard, part 1: the provider waits until the deployment settles and fails the
      // apply if it never does.
      waitForSteadyState: settings.failOnRollback,
      lifecycle: {
        // Autoscaling owns the task count after the first deploy.
        ignoreChanges: ['desired_count'],
        // Post-deploy guard, part 2. When the circuit breaker rolls back, the service settles on the
        // *previous* task definition, so wait_for_steady_state alone reports success. After the
        // apply the provider re-reads the service; its task_definition is then the old revision and
        // this postcondition fails the apply. Plain Terraform, no local-exec or AWS CLI needed, so it
        // works wherever `cdktf deploy` runs (a terraform_data + `aws ecs describe-services` check
        // would need the CLI and credentials in the shell).
        postcondition: settings.failOnRollback
          ? [
              {
                condition: `\${self.task_definition == ${this.taskDefinition.fqn}.arn}`,
                errorMessage: `${serviceName}: the deployment was rolled back by the ECS circuit breaker; the service still runs the previous task definition. Check the service events and the task logs in ${`/ecs/${serviceName}`}.`,
              },
            ]
          : undefined,
      },
      tags: tags(),
      dependsOn: listeners,
    });

    this.scalableTarget = settings.autoscaling ? this.createAutoscaling(settings) : undefined;

    this.metrics = new ServiceMetrics({
      serviceName,
      clusterName: this.cluster.name,
      loadBalancerArnSuffix: this.loadBalancer.arnSuffix,
      targetGroupArnSuffix: this.targetGroup.arnSuffix,
    });
    if (props.monitoring) {
      this.alarms.push(
        ...addServiceAlarms(
          this,
          props.monitoring,
          this.metrics,
          serviceName,
          {
            http5xxRatePercent: props.alarmHttp5xxRatePercent ?? 5,
            latencyP99Seconds: props.alarmLatencyP99Seconds ?? 2,
            cpuPercent: props.alarmCpuPercent ?? 85,
            memoryPercent: props.alarmMemoryPercent ?? 85,
          },
          props.alarmTopicArn,
          props.ownership,
        ),
      );
    }

    const host = props.domain ?? this.loadBalancer.dnsName;
    this.serviceUrl = `${props.certificateArn ? 'https' : 'http'}://${host}`;
  }

  get taskRoleArn(): string {
    return this.taskRole.arn;
  }

  /** Lets the app (its task role) do more, before synthesis; other constructs' grantXxx(service) call this. */
  addToPrincipalPolicy(statement: PolicyStatement): void {
    checkStatement(statement, `ContainerService ${this.node.id}`);
    this.taskRoleStatements.push(statement);
  }

  metricCpuUtilization(): MetricSpec {
    return this.metrics.cpuUtilization();
  }
  metricMemoryUtilization(): MetricSpec {
    return this.metrics.memoryUtilization();
  }
  metricRequestCount(): MetricSpec {
    return this.metrics.requestCount();
  }
  metricHttp5xx(): MetricSpec {
    return this.metrics.targetHttp5xx();
  }
  metricHttp5xxRate(): MathSpec {
    return this.metrics.http5xxRate();
  }
  metricTargetResponseTime(statistic = 'p99'): MetricSpec {
    return this.metrics.targetResponseTime(statistic);
  }
  metricUnhealthyHosts(): MetricSpec {
    return this.metrics.unhealthyHosts();
  }
  metricRunningTaskCount(): MetricSpec {
    return this.metrics.runningTaskCount();
  }

  private createExecutionRole(serviceName: string, props: ContainerServiceProps, tags: Record<string, string>): IamRole {
    const role = new IamRole(this, 'execution-role', {
      name: `${serviceName}-execution`,
      assumeRolePolicy: ecsTasksAssumeRolePolicy(),
      tags,
    });
    const repositoryArn = props.imageRepositoryArn ?? (Token.isUnresolved(props.image) ? undefined : ecrRepositoryArnOfImage(props.image));
    // Scoped instead of AmazonECSTaskExecutionRolePolicy, which allows pulls from every repository
    // and writes to every log group.
    const statements: Record<string, unknown>[] = [
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`${this.logGroup.arn}:*`] },
    ];
    if (repositoryArn) {
      statements.push(
        { Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: ['*'] },
        {
          Effect: 'Allow',
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
          Resource: [repositoryArn],
        },
      );
    }
    new IamRolePolicy(this, 'execution-role-policy', {
      role: role.id,
      name: 'pull-image-and-write-logs',
      policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    });
    return role;
  }

  private createListeners(certificateArn: string | undefined, tags: Record<string, string>): LbListener[] {
    const forward = [{ type: 'forward', targetGroupArn: this.targetGroup.arn }];
    if (!certificateArn) {
      return [
        new LbListener(this, 'http', { loadBalancerArn: this.loadBalancer.arn, port: 80, protocol: 'HTTP', defaultAction: forward, tags }),
      ];
    }
    return [
      new LbListener(this, 'http', {
        loadBalancerArn: this.loadBalancer.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
        tags,
      }),
      new LbListener(this, 'https', {
        loadBalancerArn: this.loadBalancer.arn,
        port: 443,
        protocol: 'HTTPS',
        sslPolicy: HTTPS_SSL_POLICY,
        certificateArn,
        defaultAction: forward,
        tags,
      }),
    ];
  }

  private createAutoscaling(settings: Settings): AppautoscalingTarget {
    const target = new AppautoscalingTarget(this, 'scaling-target', {
      serviceNamespace: 'ecs',
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId: `service/${this.cluster.name}/${this.service.name}`,
      minCapacity: settings.minCount,
      maxCapacity: settings.maxCount,
    });
    const trackingPolicy = (id: string, metricType: string, targetValue: number, resourceLabel?: string) =>
      new AppautoscalingPolicy(this, id, {
        name: `${this.service.name}-${id}`,
        policyType: 'TargetTrackingScaling',
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue,
          predefinedMetricSpecification: { predefinedMetricType: metricType, ...(resourceLabel ? { resourceLabel } : {}) },
          // Out fast, in slowly: a premature scale-in during a spike costs more than an idle task.
          scaleOutCooldown: 60,
          scaleInCooldown: 300,
        },
      });
    trackingPolicy('scale-on-cpu', 'ECSServiceAverageCPUUtilization', settings.targetCpuUtilizationPercent);
    trackingPolicy(
      'scale-on-requests',
      'ALBRequestCountPerTarget',
      settings.targetRequestsPerTask,
      `${this.loadBalancer.arnSuffix}/${this.targetGroup.arnSuffix}`,
    );
    return target;
  }
}

type Settings = ContainerServiceSettings;

function resolveSettings(props: ContainerServiceProps): Settings {
  const { network: _network, cluster: _cluster, monitoring: _monitoring, alarmTopicArn: _topic, ownership: _ownership, ...scalars } = props;
  const settings = parseProps('ContainerService', containerServiceSettingsSchema, scalars);
  if (props.imageRepositoryArn === undefined && Token.isUnresolved(props.image)) {
    throw new Error(
      'ContainerService: invalid props:\n  imageRepositoryArn: required when image is a deploy-time value (e.g. built from ImageScanning.repositoryUrl), so the execution role may pull it',
    );
  }
  return settings;
}

function ecsTasksAssumeRolePolicy(): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
}
