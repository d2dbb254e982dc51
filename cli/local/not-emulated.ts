/**
 * Resources the local AWS (moto) applies and stores but cannot run, listed by name so a newcomer knows
 * what local production does not do (nothing is silently dropped). Read from the synthesized stack.
 */
import { localScheduleRule, readSchedule } from './deployed';

export interface NotEmulated {
  /** Terraform address, e.g. `aws_ecs_service.service-web_service_B591A6BB`. */
  readonly address: string;
  /** The AWS name (function, service, schedule...), or the address when it has none. */
  readonly name: string;
  readonly what: string;
}

type ResourceConfig = Record<string, unknown>;
type Resources = Record<string, Record<string, ResourceConfig>>;

interface Rule {
  readonly type: string;
  /** What is not emulated, or (given the resource) why. */
  readonly what: string | ((config: ResourceConfig, resources: Resources, address: string) => string);
  readonly nameFrom: readonly string[];
  readonly applies?: (config: ResourceConfig, resources: Resources) => boolean;
}

const RULES: readonly Rule[] = [
  {
    type: 'aws_ecs_service',
    nameFrom: ['name'],
    what: 'ECS service: stored, but no task runs (no containers); run examples/checkout-service on your machine instead',
  },
  { type: 'aws_lb', nameFrom: ['name'], what: 'load balancer: stored, but serves no traffic' },
  {
    type: 'aws_lambda_function',
    nameFrom: ['function_name'],
    what: 'Lambda: stored, not invoked by moto (it needs Docker); npm start runs the deployed package with its deployed environment in a thread instead, unless nothing triggers it locally (a schedule slower than an hour, like the daily image re-scan)',
  },
  {
    type: 'aws_apigatewayv2_api',
    nameFrom: ['name'],
    what: 'HTTP API: stored, not served by moto; npm start serves its deployed routes and stage throttling on loopback',
  },
  {
    type: 'aws_lambda_event_source_mapping',
    nameFrom: ['function_name'],
    what: 'event source mapping: not polled by moto; npm start polls the stream for the mapped function',
  },
  {
    type: 'aws_kinesis_firehose_delivery_stream',
    nameFrom: ['name'],
    what: 'Firehose: no delivery from Kinesis, so no S3 archive and no Athena data locally',
  },
  {
    // npm start runs a function's schedule of an hour or less itself (sped up, runtime.ts); these it does not.
    type: 'aws_scheduler_schedule',
    nameFrom: ['name'],
    what: (config, resources, address) => {
      const why = scheduleNotRun(config, resources, address)!;
      const target = why.functionName ? ` of ${why.functionName}` : '';
      return `schedule${why.expression ? ` ${why.expression}` : ''}${target}: never fires locally (${why.reason})`;
    },
    applies: (config, resources) => scheduleNotRun(config, resources, '') !== undefined,
  },
  {
    type: 'aws_cloudwatch_event_target',
    nameFrom: ['rule'],
    what: 'EventBridge rule target (SNS): never delivered, so no finding alerts',
    applies: (config, resources) => /sns|aws_sns_topic/.test(String(resolve(config.arn, resources))),
  },
  {
    type: 'aws_cloudwatch_metric_alarm',
    nameFrom: ['alarm_name'],
    what: "alarm: stored, never evaluated (the Lambdas' metrics go to the log, not CloudWatch)",
  },
];

/** Why local production does not run a schedule, or undefined when it does. */
function scheduleNotRun(
  config: ResourceConfig,
  resources: Resources,
  address: string,
): { reason: string; expression?: string; functionName?: string } | undefined {
  const read = readSchedule(config, resources, address);
  if (!('schedule' in read)) return { reason: read.problem, expression: read.expression };
  const rule = localScheduleRule(read.schedule.expression);
  return rule.runs ? undefined : { reason: rule.reason, expression: read.schedule.expression, functionName: read.schedule.functionName };
}

/** `${aws_x.id.attr}` -> that resource's literal attribute, when it has one; otherwise the value as is. */
function resolve(value: unknown, resources: Resources): unknown {
  if (typeof value !== 'string') return value;
  const reference = /^\$\{([a-z0-9_]+)\.([^.}]+)\.([a-z0-9_]+)\}$/.exec(value);
  if (!reference) return value;
  const [, type, id, attribute] = reference;
  const target = resources[type]?.[id]?.[attribute];
  return typeof target === 'string' && !target.includes('${') ? target : value;
}

function nameOf(config: ResourceConfig, rule: Rule, resources: Resources, address: string): string {
  for (const field of rule.nameFrom) {
    const value = resolve(config[field], resources);
    if (typeof value === 'string' && !value.includes('${')) return value;
  }
  return address;
}

/** The resources of a synthesized stack (`cdk.tf.json`) that local production cannot run, in rule order. */
export function notEmulatedResources(stack: { resource?: Resources }): NotEmulated[] {
  const resources = stack.resource ?? {};
  const found: NotEmulated[] = [];
  for (const rule of RULES) {
    for (const [id, config] of Object.entries(resources[rule.type] ?? {})) {
      if (rule.applies && !rule.applies(config, resources)) continue;
      const address = `${rule.type}.${id}`;
      const what = typeof rule.what === 'string' ? rule.what : rule.what(config, resources, address);
      found.push({ address, name: nameOf(config, rule, resources, address), what });
    }
  }
  // The local target leaves service autoscaling out (see stacks/production-stack.ts); say so by service.
  if (!resources.aws_appautoscaling_target) {
    for (const [id, config] of Object.entries(resources.aws_ecs_service ?? {})) {
      const address = `aws_ecs_service.${id}`;
      found.push({
        address,
        name: `${nameOf(config, RULES[0], resources, address)} autoscaling`,
        what: 'left out locally: moto does not implement Application Auto Scaling tags, and no task runs to scale',
      });
    }
  }
  if (resources.aws_athena_workgroup && !resources.aws_athena_named_query) {
    for (const [id, config] of Object.entries(resources.aws_athena_workgroup)) {
      const address = `aws_athena_workgroup.${id}`;
      found.push({
        address,
        name: `${nameOf(config, { type: '', what: '', nameFrom: ['name'] }, resources, address)} saved queries`,
        what: 'left out locally: moto cannot delete Athena named queries, and no data reaches Athena locally',
      });
    }
  }
  return found;
}

/** Printed by `npm start`: one line per resource; many alarms are folded into one line. */
export function formatNotEmulated(list: readonly NotEmulated[]): string {
  if (list.length === 0) return '';
  const alarms = list.filter((item) => item.address.startsWith('aws_cloudwatch_metric_alarm.'));
  const lines = list.filter((item) => !alarms.includes(item)).map((item) => `  ${item.name}: ${item.what}`);
  if (alarms.length > 0)
    lines.push(`  ${alarms.length} CloudWatch alarms (${alarms.map((a) => a.name).join(', ')}): stored, never evaluated`);
  return ['Applied, but not emulated by the local AWS (moto):', ...lines].join('\n');
}
