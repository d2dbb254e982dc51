import type { Construct } from 'constructs';
import type { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { metricWidget, type MathSpec, type MetricSpec, type IMonitoring } from '../monitoring/monitoring';
import type { OwnershipTags } from '../core/ownership';

/**
 * The service's metrics (ALB, ECS, Container Insights) and its alarms and dashboard row.
 */
export interface ServiceMetricIds {
  readonly serviceName: string;
  readonly clusterName: string;
  /** The ALB's ARN suffix (`app/<name>/<id>`), CloudWatch's LoadBalancer dimension. */
  readonly loadBalancerArnSuffix: string;
  /** The target group's ARN suffix, CloudWatch's TargetGroup dimension. */
  readonly targetGroupArnSuffix: string;
}

export class ServiceMetrics {
  constructor(private readonly ids: ServiceMetricIds) {}

  requestCount(): MetricSpec {
    return this.target('RequestCount', 'Sum', 'requests');
  }

  targetHttp5xx(): MetricSpec {
    return this.target('HTTPCode_Target_5XX_Count', 'Sum', 'target 5xx');
  }

  loadBalancerHttp5xx(): MetricSpec {
    return {
      namespace: 'AWS/ApplicationELB',
      metricName: 'HTTPCode_ELB_5XX_Count',
      dimensions: { LoadBalancer: this.ids.loadBalancerArnSuffix },
      statistic: 'Sum',
      periodSeconds: 60,
      label: 'load balancer 5xx',
    };
  }

  /** Percent of requests answered 5xx by the targets or the load balancer itself. */
  http5xxRate(): MathSpec {
    return {
      expression: 'IF(requests > 0, 100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests, 0)',
      metrics: { requests: this.requestCount(), elb5xx: this.loadBalancerHttp5xx(), target5xx: this.targetHttp5xx() },
      label: '5xx rate (%)',
    };
  }

  targetResponseTime(statistic = 'p99'): MetricSpec {
    return this.target('TargetResponseTime', statistic, `response time ${statistic}`);
  }

  unhealthyHosts(): MetricSpec {
    return this.target('UnHealthyHostCount', 'Maximum', 'unhealthy targets');
  }

  cpuUtilization(): MetricSpec {
    return this.ecs('AWS/ECS', 'CPUUtilization', 'Average', 'CPU %');
  }

  memoryUtilization(): MetricSpec {
    return this.ecs('AWS/ECS', 'MemoryUtilization', 'Average', 'memory %');
  }

  runningTaskCount(): MetricSpec {
    return this.ecs('ECS/ContainerInsights', 'RunningTaskCount', 'Minimum', 'running tasks');
  }

  desiredTaskCount(): MetricSpec {
    return this.ecs('ECS/ContainerInsights', 'DesiredTaskCount', 'Maximum', 'desired tasks');
  }

  /** Desired minus running tasks (Container Insights); above 0 means tasks fail to start or stay up. */
  missingTasks(): MathSpec {
    return {
      expression: 'desired - running',
      metrics: { desired: this.desiredTaskCount(), running: this.runningTaskCount() },
      label: 'tasks missing',
    };
  }

  private target(metricName: string, statistic: string, label: string): MetricSpec {
    return {
      namespace: 'AWS/ApplicationELB',
      metricName,
      dimensions: { LoadBalancer: this.ids.loadBalancerArnSuffix, TargetGroup: this.ids.targetGroupArnSuffix },
      statistic,
      periodSeconds: 60,
      label,
    };
  }

  private ecs(namespace: string, metricName: string, statistic: string, label: string): MetricSpec {
    return {
      namespace,
      metricName,
      dimensions: { ClusterName: this.ids.clusterName, ServiceName: this.ids.serviceName },
      statistic,
      periodSeconds: 60,
      label,
    };
  }
}

export interface ServiceAlarmThresholds {
  readonly http5xxRatePercent: number;
  readonly latencyP99Seconds: number;
  readonly cpuPercent: number;
  readonly memoryPercent: number;
}

export function addServiceAlarms(
  scope: Construct,
  monitoring: IMonitoring,
  metrics: ServiceMetrics,
  serviceName: string,
  thresholds: ServiceAlarmThresholds,
  topicArn: string | undefined,
  ownership: OwnershipTags | undefined,
): CloudwatchMetricAlarm[] {
  const common = { topicArn, ownership };
  const alarm = (id: string, def: Omit<Parameters<IMonitoring['addAlarm']>[1], 'topicArn' | 'ownership'>) =>
    monitoring.addAlarm(`${serviceName}-${id}`, { alarmName: `${serviceName}-${id}`, ...def, ...common }, scope);

  const alarms = [
    alarm('http-5xx-rate', {
      description: `${serviceName}: more than ${thresholds.http5xxRatePercent}% of requests answered 5xx`,
      metric: metrics.http5xxRate(),
      threshold: thresholds.http5xxRatePercent,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    }),
    alarm('latency-p99', {
      description: `${serviceName}: p99 target response time above ${thresholds.latencyP99Seconds}s`,
      metric: metrics.targetResponseTime('p99'),
      threshold: thresholds.latencyP99Seconds,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    }),
    alarm('unhealthy-hosts', {
      description: `${serviceName}: the load balancer sees unhealthy targets`,
      metric: metrics.unhealthyHosts(),
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    }),
    alarm('tasks-below-desired', {
      description: `${serviceName}: fewer tasks running than desired for 10 minutes`,
      metric: metrics.missingTasks(),
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      // Deployments and scale-outs briefly run fewer than desired; only a lasting gap alarms.
      evaluationPeriods: 10,
      datapointsToAlarm: 10,
      treatMissingData: 'breaching',
    }),
    alarm('cpu-high', {
      description: `${serviceName}: CPU above ${thresholds.cpuPercent}% (autoscaling at max?)`,
      metric: metrics.cpuUtilization(),
      threshold: thresholds.cpuPercent,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 10,
      datapointsToAlarm: 8,
    }),
    alarm('memory-high', {
      description: `${serviceName}: memory above ${thresholds.memoryPercent}%`,
      metric: metrics.memoryUtilization(),
      threshold: thresholds.memoryPercent,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 10,
      datapointsToAlarm: 8,
    }),
  ];

  monitoring.addWidgets(
    metricWidget(`${serviceName}: requests and 5xx`, [metrics.requestCount(), metrics.targetHttp5xx(), metrics.loadBalancerHttp5xx()], {
      width: 6,
    }),
    metricWidget(`${serviceName}: response time`, [metrics.targetResponseTime('p50'), metrics.targetResponseTime('p99')], { width: 6 }),
    metricWidget(`${serviceName}: tasks`, [metrics.runningTaskCount(), metrics.desiredTaskCount()], { width: 6 }),
    metricWidget(`${serviceName}: CPU and memory`, [metrics.cpuUtilization(), metrics.memoryUtilization()], { width: 6 }),
  );
  return alarms;
}
