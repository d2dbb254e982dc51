/**
 * What terraform deployed to the local AWS, read back from it: each function's configuration (environment,
 * handler, timeout) with the package it was given, the HTTP API's routes and throttling, and the stream mappings.
 * Local production serves exactly this, so a wrong variable or route fails locally as it would in AWS. The
 * EventBridge Scheduler schedules that invoke a function come from the synthesized stack (moto stores them, and
 * this project has no Scheduler client to read them back).
 */
import * as path from 'node:path';
import {
  ApiGatewayV2Client,
  GetApisCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { GetFunctionConfigurationCommand, LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { motoClientConfig } from './moto-server';

export interface DeployedFunction {
  readonly name: string;
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly environment: Readonly<Record<string, string>>;
  /** The zip terraform uploaded (the synthesized stack's asset). */
  readonly zipFile: string;
}

export interface DeployedRoute {
  /** `ANY /ofrep/v1/evaluate/flags/{key}` */
  readonly routeKey: string;
  readonly functionName: string;
}

export interface DeployedApi {
  readonly id: string;
  readonly name: string;
  readonly routes: readonly DeployedRoute[];
  /** The `$default` stage's throttling. */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
}

export interface DeployedStreamMapping {
  readonly functionName: string;
  readonly streamArn: string;
  readonly batchSize: number;
}

/** An EventBridge Scheduler schedule whose target is a Lambda function. */
export interface DeployedSchedule {
  /** The schedule's name, e.g. `monoenv-image-rescan`. */
  readonly name: string;
  /** As deployed: `rate(1 minute)`, `rate(1 day)`, `cron(...)`, `at(...)`. */
  readonly expression: string;
  readonly functionName: string;
  /** The event the function gets: the target's input (JSON), `{}` without one, as EventBridge Scheduler sends it. */
  readonly input: unknown;
}

export interface DeployedStack {
  readonly functions: readonly DeployedFunction[];
  readonly apis: readonly DeployedApi[];
  readonly streamMappings: readonly DeployedStreamMapping[];
  /** Every enabled schedule of a function; which of them run locally is localScheduleRule's call. */
  readonly schedules: readonly DeployedSchedule[];
}

type Resources = Record<string, Record<string, Record<string, unknown>>>;
type StackJson = { resource?: Resources };

/** `arn:...:function:name`, or an API Gateway invoke URI that wraps one, to the function name. */
export const functionNameOf = (arnOrUri: string): string => /:function:([^/:]+)/.exec(arnOrUri)?.[1] ?? arnOrUri;

/** The literal value of a referenced attribute in the synthesized stack, when it is one (not itself computed). */
function literalAttribute(resources: Resources, type: string, id: string, attribute: string): string | undefined {
  const value = resources[type]?.[id]?.[attribute];
  return typeof value === 'string' && !value.includes('${') ? value : undefined;
}

/** The function a schedule's target ARN names: a reference to an aws_lambda_function, or a literal Lambda ARN. */
function targetFunction(arn: unknown, resources: Resources): string | undefined {
  if (typeof arn !== 'string') return undefined;
  const reference = /^\$\{aws_lambda_function\.([^.}]+)\.(arn|qualified_arn)\}$/.exec(arn);
  if (reference) return literalAttribute(resources, 'aws_lambda_function', reference[1], 'function_name');
  return /^arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+/.test(arn) ? functionNameOf(arn) : undefined;
}

/**
 * The target's input as the event: `{}` without one; references to literal attributes of other resources resolved
 * (a table name, say). A reference to a value only known after apply (an ARN, an id) leaves it unresolved.
 */
function targetInput(input: unknown, resources: Resources): { event: unknown } | { problem: string } {
  if (input === undefined || input === null || input === '') return { event: {} };
  if (typeof input !== 'string') return { event: input };
  let unresolved = false;
  // cdktf writes a literal `${` as `$${`; `${type.id.attribute}` is a reference to another resource.
  const text = input.replace(/\$\$\{|\$\{([^}]*)\}?/g, (whole, inner: string | undefined) => {
    if (whole === '$${') return '${';
    const reference = /^([a-z0-9_]+)\.([^.}]+)\.([a-z0-9_]+)$/.exec(inner ?? '');
    const value = reference ? literalAttribute(resources, reference[1], reference[2], reference[3]) : undefined;
    if (value === undefined) unresolved = true;
    return value === undefined ? whole : JSON.stringify(value).slice(1, -1);
  });
  if (unresolved) return { problem: 'its input refers to values known only after apply' };
  try {
    return { event: JSON.parse(text) };
  } catch {
    return { problem: 'its input is not JSON' };
  }
}

/**
 * One `aws_scheduler_schedule` of the synthesized stack: the schedule of a function, or why it cannot be one
 * (disabled, a target that is not a Lambda function, an input known only after apply).
 */
export function readSchedule(
  config: Record<string, unknown>,
  resources: Resources,
  address: string,
): { schedule: DeployedSchedule } | { problem: string; expression?: string } {
  const name = typeof config.name === 'string' && !config.name.includes('${') ? config.name : address;
  const expression = typeof config.schedule_expression === 'string' ? config.schedule_expression : undefined;
  const target = (Array.isArray(config.target) ? config.target[0] : config.target) as Record<string, unknown> | undefined;
  if (config.state === 'DISABLED') return { problem: 'it is disabled', expression };
  if (!expression) return { problem: 'it has no schedule expression', expression };
  const functionName = targetFunction(target?.arn, resources);
  if (!functionName) return { problem: 'its target is not a Lambda function of this stack', expression };
  const input = targetInput(target?.input, resources);
  if ('problem' in input) return { problem: input.problem, expression };
  return { schedule: { name, expression, functionName, input: input.event } };
}

/** The schedules of functions in a synthesized stack (`resource.aws_scheduler_schedule`). */
export function deployedSchedules(stack: StackJson): DeployedSchedule[] {
  const resources = stack.resource ?? {};
  return Object.entries(resources.aws_scheduler_schedule ?? {}).flatMap(([id, config]) => {
    const read = readSchedule(config, resources, `aws_scheduler_schedule.${id}`);
    return 'schedule' in read ? [read.schedule] : [];
  });
}

/** The longest schedule period local production runs (sped up); slower schedules are not run locally. */
export const LOCAL_SCHEDULE_MAX_MINUTES = 60;

/**
 * Whether local production runs a schedule: `rate(N minutes)` up to an hour (`rate(1 minute)`, `rate(5 minutes)`,
 * `rate(1 hour)`) runs, every scheduleIntervalSeconds instead; slower rates, `cron(...)` and one-time `at(...)` do not.
 */
export function localScheduleRule(expression: string): { runs: true; minutes: number } | { runs: false; reason: string } {
  const rate = /^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$/.exec(expression.trim());
  const only = 'only rate(...) schedules of an hour or less run locally (sped up)';
  if (!rate) return { runs: false, reason: `${only}, not ${/^[a-z]+(?=\()/.exec(expression.trim())?.[0] ?? expression}(...)` };
  const minutes = Number(rate[1]) * (rate[2].startsWith('minute') ? 1 : rate[2].startsWith('hour') ? 60 : 1440);
  if (minutes < 1) return { runs: false, reason: `${expression} is not a valid rate` };
  if (minutes > LOCAL_SCHEDULE_MAX_MINUTES) return { runs: false, reason: `${only}, not ${expression.trim()}` };
  return { runs: true, minutes };
}

export async function readDeployedStack(endpoint: string, region: string, stackDir: string, stack: StackJson): Promise<DeployedStack> {
  const config = motoClientConfig(endpoint, region);
  const lambda = new LambdaClient(config);
  const apigw = new ApiGatewayV2Client(config);
  try {
    const functions: DeployedFunction[] = [];
    for (const fn of Object.values(stack.resource?.aws_lambda_function ?? {})) {
      const name = String(fn.function_name);
      const deployed = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      functions.push({
        name,
        handler: deployed.Handler ?? 'index.handler',
        runtime: deployed.Runtime ?? '',
        timeoutSeconds: deployed.Timeout ?? 3,
        environment: deployed.Environment?.Variables ?? {},
        zipFile: path.join(stackDir, String(fn.filename)),
      });
    }

    const apis: DeployedApi[] = [];
    for (const api of (await apigw.send(new GetApisCommand({}))).Items ?? []) {
      const integrations = new Map(
        ((await apigw.send(new GetIntegrationsCommand({ ApiId: api.ApiId }))).Items ?? []).map((i) => [
          i.IntegrationId,
          i.IntegrationUri ?? '',
        ]),
      );
      const routes = ((await apigw.send(new GetRoutesCommand({ ApiId: api.ApiId }))).Items ?? []).flatMap((route) => {
        const integration = integrations.get(route.Target?.replace(/^integrations\//, ''));
        return integration && route.RouteKey ? [{ routeKey: route.RouteKey, functionName: functionNameOf(integration) }] : [];
      });
      const settings = await apigw.send(new GetStageCommand({ ApiId: api.ApiId, StageName: '$default' })).then(
        (stage) => stage.DefaultRouteSettings,
        () => undefined,
      );
      const throttle =
        settings?.ThrottlingRateLimit !== undefined && settings.ThrottlingBurstLimit !== undefined
          ? { rateLimit: settings.ThrottlingRateLimit, burstLimit: settings.ThrottlingBurstLimit }
          : undefined;
      apis.push({ id: api.ApiId ?? '', name: api.Name ?? '', routes, throttle });
    }

    const mappings = (await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? [];
    const streamMappings = mappings
      .filter((m) => m.EventSourceArn?.includes(':kinesis:'))
      .map((m) => ({ functionName: functionNameOf(m.FunctionArn ?? ''), streamArn: m.EventSourceArn!, batchSize: m.BatchSize ?? 100 }));
    return { functions, apis, streamMappings, schedules: deployedSchedules(stack) };
  } finally {
    lambda.destroy();
    apigw.destroy();
  }
}
