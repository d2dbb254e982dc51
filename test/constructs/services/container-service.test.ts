import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Testing, TerraformOutput, TerraformStack } from 'cdktf';
// Brings in the global jest matcher types that Testing.setupJest() registers.
import 'cdktf/lib/testing/adapters/jest';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Network } from '../../../constructs/services/network';
import { Monitoring } from '../../../constructs/monitoring/monitoring';
import { ContainerService, ContainerServiceProps, HTTPS_SSL_POLICY } from '../../../constructs/services/container-service';
import { ImageScanning } from '../../../constructs/images/image-scanning';
import { describeNeeding } from '../../support/needs';
import { fullSynth, synthScope, tempDir, testApp } from '../../support/temp';
import { validateSynthesizedStack } from '../../support/terraform';

Testing.setupJest();

const image = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.2';
const certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc-123';
const ownership = { domain: 'storefront', team: 'web' };

type Parts = { json: string; parsed: any; service: ContainerService };

function synth(props: Partial<ContainerServiceProps> = {}, after?: (service: ContainerService) => void): Parts {
  let service!: ContainerService;
  const json = synthScope((scope) => {
    const network = new Network(scope, 'net', { flowLogs: false });
    const monitoring = new Monitoring(scope, 'monitoring', { namePrefix: 'prod' });
    service = new ContainerService(scope, 'web', { serviceName: 'web', network, monitoring, image, ownership, ...props });
    new TerraformOutput(scope, 'url', { value: service.serviceUrl });
    new TerraformOutput(scope, 'task-role-arn', { value: service.taskRoleArn });
    after?.(service);
  });
  return { json, parsed: JSON.parse(json), service };
}

const resources = (parsed: any, type: string): any[] => Object.values(parsed.resource?.[type] ?? {});
const containerDefinition = (parsed: any) => JSON.parse(resources(parsed, 'aws_ecs_task_definition')[0].container_definitions)[0];
const rolePolicy = (parsed: any, name: string) => JSON.parse(resources(parsed, 'aws_iam_role_policy').find((p) => p.name === name).policy);

describe('ContainerService', () => {
  const base = synth();

  it('creates a cluster with Container Insights and an ownership-tagged log group with retention', () => {
    expect(base.json).toHaveResourceWithProperties(EcsCluster, {
      setting: [{ name: 'containerInsights', value: 'enabled' }],
      tags: expect.objectContaining(ownership),
    });
    expect(base.json).toHaveResourceWithProperties(CloudwatchLogGroup, { name: '/ecs/web', retention_in_days: 30 });
  });

  it('runs a Fargate task with separate execution and task roles', () => {
    expect(base.json).toHaveResourceWithProperties(EcsTaskDefinition, {
      requires_compatibilities: ['FARGATE'],
      network_mode: 'awsvpc',
      cpu: '256',
      memory: '512',
      execution_role_arn: expect.stringContaining('web_execution-role'),
      task_role_arn: expect.stringContaining('web_task-role'),
    });
    const task = resources(base.parsed, 'aws_ecs_task_definition')[0];
    expect(task.execution_role_arn).not.toEqual(task.task_role_arn);
  });

  it('scopes the execution role to its log group and the image repository', () => {
    const policy = rolePolicy(base.parsed, 'pull-image-and-write-logs');
    expect(policy.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
          Resource: ['arn:aws:ecr:eu-west-1:123456789012:repository/web'],
        }),
        expect.objectContaining({
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: [expect.stringMatching(/aws_cloudwatch_log_group\.web_logs.*:\*$/)],
        }),
      ]),
    );
  });

  it('gives the task role nothing until granted, then exactly the grant', () => {
    expect(resources(base.parsed, 'aws_iam_role_policy').find((p) => p.name === 'granted').count).toBe(0);
    const granted = synth({}, (s) =>
      s.addToPrincipalPolicy({ actions: ['dynamodb:GetItem'], resources: ['arn:aws:dynamodb:eu-west-1:123456789012:table/flags'] }),
    );
    const policy = resources(granted.parsed, 'aws_iam_role_policy').find((p) => p.name === 'granted');
    expect(policy.count).toBe(1);
    expect(JSON.parse(policy.policy).Statement).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: ['arn:aws:dynamodb:eu-west-1:123456789012:table/flags'] },
    ]);
  });

  it('makes the root filesystem read-only with a writable /tmp, logging through awslogs', () => {
    const container = containerDefinition(base.parsed);
    expect(container).toMatchObject({
      image,
      readonlyRootFilesystem: true,
      mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false }],
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': expect.stringContaining('web_logs'), 'awslogs-stream-prefix': 'app' },
      },
    });
    expect(base.json).toHaveResourceWithProperties(EcsTaskDefinition, { volume: [{ name: 'tmp' }] });
    expect(containerDefinition(synth({ readonlyRootFilesystem: false }).parsed).readonlyRootFilesystem).toBe(false);
  });

  it('deploys safely: circuit breaker with rollback, 100/200%, steady-state wait, desired_count ignored', () => {
    expect(base.json).toHaveResourceWithProperties(EcsService, {
      deployment_circuit_breaker: { enable: true, rollback: true },
      deployment_minimum_healthy_percent: 100,
      deployment_maximum_percent: 200,
      wait_for_steady_state: true,
      health_check_grace_period_seconds: 60,
      launch_type: 'FARGATE',
      lifecycle: expect.objectContaining({ ignore_changes: ['desired_count'] }),
    });
  });

  it('fails the apply when ECS rolled the deployment back (postcondition on the running task definition)', () => {
    const service = resources(base.parsed, 'aws_ecs_service')[0];
    expect(service.lifecycle.postcondition).toEqual([
      {
        condition: expect.stringMatching(/^\$\{self\.task_definition == aws_ecs_task_definition\.web_task_\w+\.arn\}$/),
        error_message: expect.stringContaining('rolled back'),
      },
    ]);
    const unguarded = resources(synth({ failOnRollback: false }).parsed, 'aws_ecs_service')[0];
    expect(unguarded.lifecycle.postcondition).toBeUndefined();
    expect(unguarded.wait_for_steady_state).toBe(false);
  });

  it('puts tasks in the private subnets, reachable only from the load balancer security group', () => {
    const service = resources(base.parsed, 'aws_ecs_service')[0];
    expect(service.network_configuration).toMatchObject({
      assign_public_ip: false,
      subnets: [expect.stringContaining('net_private-0'), expect.stringContaining('net_private-1')],
    });
    const ingress = resources(base.parsed, 'aws_vpc_security_group_ingress_rule');
    const toTasks = ingress.filter((r) => r.security_group_id.includes('web_service-sg'));
    expect(toTasks).toEqual([
      expect.objectContaining({ referenced_security_group_id: expect.stringContaining('web_alb-sg'), from_port: 8080, to_port: 8080 }),
    ]);
    const toAlb = ingress.filter((r) => r.security_group_id.includes('web_alb-sg'));
    expect(toAlb.map((r) => [r.from_port, r.cidr_ipv4 ?? r.cidr_ipv6]).sort()).toEqual([
      [443, '0.0.0.0/0'],
      [443, '::/0'],
      [80, '0.0.0.0/0'],
      [80, '::/0'],
    ]);
  });

  it('runs in a network and cluster the user manages (INetwork, ICluster), creating neither', () => {
    const json = synthScope((scope) => {
      const network = {
        vpcId: 'vpc-0abc',
        publicSubnetIds: ['subnet-p1', 'subnet-p2'],
        serviceSubnetIds: ['subnet-s1', 'subnet-s2'],
        assignPublicIp: false,
      };
      const cluster = { arn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/shared', name: 'shared' };
      new ContainerService(scope, 'web', { serviceName: 'web', network, cluster, image });
    });
    const parsed = JSON.parse(json);
    expect(resources(parsed, 'aws_vpc')).toEqual([]);
    expect(resources(parsed, 'aws_ecs_cluster')).toEqual([]);
    expect(resources(parsed, 'aws_ecs_service')[0]).toMatchObject({
      cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/shared',
      network_configuration: { subnets: ['subnet-s1', 'subnet-s2'], assign_public_ip: false },
    });
    expect(resources(parsed, 'aws_lb')[0].subnets).toEqual(['subnet-p1', 'subnet-p2']);
    expect(resources(parsed, 'aws_appautoscaling_target')[0].resource_id).toMatch(/^service\/shared\//);
  });

  it('with no NAT runs tasks in public subnets with public IPs', () => {
    const json = synthScope((scope) => {
      const network = new Network(scope, 'net', { natGateways: 'none', flowLogs: false });
      new ContainerService(scope, 'web', { serviceName: 'web', network, image });
    });
    expect(json).toHaveResourceWithProperties(EcsService, {
      network_configuration: expect.objectContaining({
        assign_public_ip: true,
        subnets: [expect.stringContaining('net_public-0'), expect.stringContaining('net_public-1')],
      }),
    });
  });

  it('puts a public ALB that drops invalid headers and is deletion-protected, with ip targets and the health check path', () => {
    expect(base.json).toHaveResourceWithProperties(Lb, {
      internal: false,
      load_balancer_type: 'application',
      drop_invalid_header_fields: true,
      enable_deletion_protection: true,
    });
    expect(synth({ deletionProtection: false }).json).toHaveResourceWithProperties(Lb, { enable_deletion_protection: false });
    expect(base.json).toHaveResourceWithProperties(LbTargetGroup, {
      target_type: 'ip',
      port: 8080,
      protocol: 'HTTP',
      health_check: expect.objectContaining({ path: '/health' }),
    });
  });

  it('without a certificate forwards HTTP and has no HTTPS listener', () => {
    const listeners = resources(base.parsed, 'aws_lb_listener');
    expect(listeners).toEqual([
      expect.objectContaining({ port: 80, protocol: 'HTTP', default_action: [expect.objectContaining({ type: 'forward' })] }),
    ]);
    expect(base.parsed.output.url.value).toMatch(/^http:\/\/\$\{aws_lb\.web_alb_\w+\.dns_name\}$/);
  });

  it('with a certificate redirects HTTP to HTTPS and serves TLS 1.3/1.2 only', () => {
    const { json, service } = synth({ certificateArn, domain: 'shop.example.com' });
    expect(json).toHaveResourceWithProperties(LbListener, {
      port: 80,
      default_action: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }],
    });
    expect(json).toHaveResourceWithProperties(LbListener, {
      port: 443,
      protocol: 'HTTPS',
      ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      certificate_arn: certificateArn,
    });
    expect(HTTPS_SSL_POLICY).toBe('ELBSecurityPolicy-TLS13-1-2-2021-06');
    expect(service.serviceUrl).toBe('https://shop.example.com');
    expect(synth({ certificateArn }).parsed.output.url.value).toMatch(/^https:\/\/\$\{aws_lb\.web_alb_\w+\.dns_name\}$/);
  });

  it('autoscales between min and max on CPU and on requests per target', () => {
    expect(base.json).toHaveResourceWithProperties(AppautoscalingTarget, {
      min_capacity: 2,
      max_capacity: 10,
      scalable_dimension: 'ecs:service:DesiredCount',
      service_namespace: 'ecs',
    });
    expect(base.json).toHaveResourceWithProperties(AppautoscalingPolicy, {
      policy_type: 'TargetTrackingScaling',
      target_tracking_scaling_policy_configuration: expect.objectContaining({
        target_value: 60,
        predefined_metric_specification: { predefined_metric_type: 'ECSServiceAverageCPUUtilization' },
      }),
    });
    expect(base.json).toHaveResourceWithProperties(AppautoscalingPolicy, {
      target_tracking_scaling_policy_configuration: expect.objectContaining({
        predefined_metric_specification: {
          predefined_metric_type: 'ALBRequestCountPerTarget',
          resource_label: expect.stringMatching(/arn_suffix\}\/\$\{aws_lb_target_group.*arn_suffix\}$/),
        },
      }),
    });
  });

  it('leaves autoscaling out only when asked (a local AWS runs no tasks)', () => {
    const off = synth({ autoscaling: false });
    expect(off.service.scalableTarget).toBeUndefined();
    expect(off.parsed.resource.aws_appautoscaling_target).toBeUndefined();
    expect(off.parsed.resource.aws_appautoscaling_policy).toBeUndefined();
  });

  it('wires six alarms to the alerts topic, or to the given team topic', () => {
    const alarms = resources(base.parsed, 'aws_cloudwatch_metric_alarm');
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual([
      'web-cpu-high',
      'web-http-5xx-rate',
      'web-latency-p99',
      'web-memory-high',
      'web-tasks-below-desired',
      'web-unhealthy-hosts',
    ]);
    for (const alarm of alarms)
      expect(alarm.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\.monitoring_alerts_\w+\.arn\}$/)]);
    const rate = alarms.find((a) => a.alarm_name === 'web-http-5xx-rate');
    expect(rate.metric_query.map((q: any) => q.metric?.metric_name ?? q.expression)).toEqual(
      expect.arrayContaining([expect.stringContaining('requests'), 'RequestCount', 'HTTPCode_ELB_5XX_Count', 'HTTPCode_Target_5XX_Count']),
    );
    const missing = alarms.find((a) => a.alarm_name === 'web-tasks-below-desired');
    expect(missing.metric_query.map((q: any) => q.metric?.namespace).filter(Boolean)).toEqual([
      'ECS/ContainerInsights',
      'ECS/ContainerInsights',
    ]);
    expect(alarms.find((a) => a.alarm_name === 'web-latency-p99')).toMatchObject({
      extended_statistic: 'p99',
      metric_name: 'TargetResponseTime',
    });

    const teamTopic = 'arn:aws:sns:eu-west-1:123456789012:web-team';
    for (const alarm of resources(synth({ alarmTopicArn: teamTopic }).parsed, 'aws_cloudwatch_metric_alarm'))
      expect(alarm.alarm_actions).toEqual([teamTopic]);
  });

  it('adds a dashboard row for the service', () => {
    const body = JSON.parse(resources(base.parsed, 'aws_cloudwatch_dashboard')[0].dashboard_body);
    expect(body.widgets.map((w: any) => w.properties.title)).toEqual([
      'web: requests and 5xx',
      'web: response time',
      'web: tasks',
      'web: CPU and memory',
    ]);
  });

  it('exposes metric helpers with the service dimensions', () => {
    expect(base.service.metricCpuUtilization()).toMatchObject({
      namespace: 'AWS/ECS',
      metricName: 'CPUUtilization',
      dimensions: { ServiceName: 'web' },
    });
    expect(base.service.metricHttp5xx()).toMatchObject({ namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count' });
    expect(base.parsed.output['task-role-arn'].value).toMatch(/aws_iam_role\.web_task-role_\w+\.arn/);
  });

  describe('rejects bad props', () => {
    const network = () => {
      const stack = new TerraformStack(testApp(), 'stack');
      return { stack, network: new Network(stack, 'net', { flowLogs: false }) };
    };
    it.each<[string, Partial<ContainerServiceProps>, RegExp]>([
      ['maxCount below minCount', { minCount: 3, maxCount: 2 }, /maxCount \(2\) must be a whole number >= minCount \(3\)/],
      ['desiredCount above maxCount', { desiredCount: 20 }, /desiredCount \(20\) must be between minCount \(2\) and maxCount \(10\)/],
      ['zero minCount', { minCount: 0 }, /minCount must be a whole number >= 1/],
      ['an invalid Fargate cpu', { cpu: 300 }, /cpu must be one of 256, 512/],
      [
        'memory that does not fit the cpu',
        { cpu: 256, memoryMiB: 4096 },
        /memoryMiB 4096 is not valid with cpu 256 on Fargate; allowed: 512, 1024, 2048/,
      ],
      ['memory off the 1 GiB steps', { cpu: 1024, memoryMiB: 2500 }, /allowed: 2048..8192 in steps of 1024/],
      ['a bad service name', { serviceName: 'web_service!' }, /serviceName: serviceName must start with a letter/],
      ['a domain without a certificate', { domain: 'shop.example.com' }, /domain requires certificateArn/],
      ['a certificate that is not an ACM ARN', { certificateArn: 'my-cert' }, /certificateArn must be an ACM certificate ARN/],
      ['a health check path without a slash', { healthCheckPath: 'health' }, /healthCheckPath must start with '\/'/],
      ['an invalid log retention', { logRetentionDays: 45 }, /logRetentionDays: must be one of CloudWatch Logs' retention values/],
      ['a bad environment name', { environment: { '1BAD': 'x' } }, /environment variable name '1BAD'/],
      ['a port out of range', { containerPort: 70000 }, /containerPort must be 1..65535/],
    ])('%s', (_label, props, message) => {
      const { stack, network: net } = network();
      expect(() => new ContainerService(stack, 'web', { serviceName: 'web', network: net, image, ...props })).toThrow(message);
    });

    it('a deploy-time image without its repository ARN', () => {
      const { stack, network: net } = network();
      const tokenImage = `${net.vpcId}:latest`; // any unresolved token stands in for repositoryUrl
      expect(() => new ContainerService(stack, 'web', { serviceName: 'web', network: net, image: tokenImage })).toThrow(
        /imageRepositoryArn: required when image is a deploy-time value/,
      );
    });
  });
});

// The provider's own schema checks every attribute name, type and block shape the tests above cannot.

describeNeeding(['terraform'], 'Network + ImageScanning + ContainerService under terraform validate', () => {
  it.each([
    ['with NAT, a certificate and enhanced scanning', { natGateways: 'one' as const, certificateArn, scanMode: 'enhanced' as const }],
    ['without NAT or certificate, basic scanning', { natGateways: 'none' as const, certificateArn: undefined, scanMode: 'basic' as const }],
  ])(
    '%s is valid for hashicorp/aws',
    async (_label, variant) => {
      const app = testApp();
      const stack = new TerraformStack(app, 'service');
      new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
      const network = new Network(stack, 'net', { natGateways: variant.natGateways });
      const monitoring = new Monitoring(stack, 'monitoring', { namePrefix: 'prod' });
      const images = new ImageScanning(stack, 'images', { repositoryName: 'storefront/web', monitoring, scanMode: variant.scanMode });
      const service = new ContainerService(stack, 'web', {
        serviceName: 'web',
        network,
        monitoring,
        certificateArn: variant.certificateArn,
        domain: variant.certificateArn ? 'shop.example.com' : undefined,
        image: `${images.repositoryUrl}:1.0.0`,
        imageRepositoryArn: images.repositoryArn,
      });
      service.addToPrincipalPolicy({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::assets/*'] });
      const outdir = fullSynth(stack);
      const stackDir = join(outdir, 'stacks', readdirSync(join(outdir, 'stacks'))[0]);
      const result = await validateSynthesizedStack(stackDir, { projectDir: tempDir('monoenv-c-') });
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(result.valid).toBe(true);
    },
    180000,
  );
});
