import { Construct } from 'constructs';
import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { z } from 'zod';
import type { MonoenvFunction } from '../core/monoenv-function';
import { metricWidget, type MetricSpec, type IMonitoring } from '../monitoring/monitoring';
import { ownershipTags, type OwnershipTags } from '../core/ownership';
import { logRetentionDaysSchema, parseProps } from '../core/props';

export interface PublicApiProps {
  /** Name of the HTTP API (and prefix of its log group and alarms). */
  readonly apiName: string;
  /** Steady requests per second across the API before API Gateway answers 429, before any Lambda runs. @default 1000 */
  readonly throttleRateLimit?: number;
  /** Requests allowed in a burst above the steady rate. @default 2000 */
  readonly throttleBurstLimit?: number;
  /** Retention of the access log. @default 30 */
  readonly logRetentionDays?: number;
  /** 4xx/5xx and latency widgets, and a 5xx alarm. @default - no alarms */
  readonly monitoring?: IMonitoring;
  /** @default - the monitoring alerts topic */
  readonly alarmTopicArn?: string;
  readonly ownership?: OwnershipTags;
}

/** The rules of each setting; the config's `api` section is checked with the throttle ones. */
export const publicApiFields = {
  apiName: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "must be 1-128 letters, digits, '-' or '_'"),
  throttleRateLimit: z.number().positive('must be a positive number of requests per second'),
  throttleBurstLimit: z.number().int('must be a whole number >= 1').min(1, 'must be a whole number >= 1'),
  logRetentionDays: logRetentionDaysSchema,
};

/** The construct's scalar props with their defaults. */
export const publicApiSettingsSchema = z.object({
  apiName: publicApiFields.apiName,
  throttleRateLimit: publicApiFields.throttleRateLimit.default(1000),
  throttleBurstLimit: publicApiFields.throttleBurstLimit.default(2000),
  logRetentionDays: publicApiFields.logRetentionDays.default(30),
});

/** `ANY /v1/events`: a method (or ANY) and a path, `{name}` for a path parameter, as API Gateway writes route keys. */
export type RouteKey = `${string} /${string}`;

/**
 * The public front door of the environment's Lambdas: one API Gateway HTTP API with a `$default` stage that
 * throttles every route, logs every request, and invokes each function through a permission scoped to its own
 * routes on this API (no other API, account or direct call can use it). See docs/front-door.md for why an HTTP
 * API and not function URLs or the load balancer. Lambdas get the same payload (format 2.0) as from a function URL.
 */
/** A front door functions are routed to: a `PublicApi`, or your own implementation. */
export interface IPublicApi {
  /** The base URL clients call. */
  readonly url: string;
  /** Routes `routes` to `fn`, with an invoke permission scoped to each route. */
  addLambdaRoutes(id: string, fn: MonoenvFunction, routes: readonly RouteKey[]): void;
}

export class PublicApi extends Construct implements IPublicApi {
  readonly api: Apigatewayv2Api;
  readonly stage: Apigatewayv2Stage;
  readonly accessLogGroup: CloudwatchLogGroup;
  /** Base URL of every route, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com` (no trailing slash). */
  readonly url: string;
  /** `arn:aws:execute-api:<region>:<account>:<api id>`: what invoke permissions are scoped to. */
  readonly executionArn: string;
  readonly apiName: string;

  constructor(scope: Construct, id: string, props: PublicApiProps) {
    super(scope, id);
    const { monitoring: _monitoring, alarmTopicArn: _topic, ownership: _ownership, ...scalars } = props;
    const settings = parseProps(`PublicApi ${id}`, publicApiSettingsSchema, scalars);
    this.apiName = props.apiName;
    const tags = ownershipTags(props.ownership, props.apiName);

    this.api = new Apigatewayv2Api(this, 'api', { name: props.apiName, protocolType: 'HTTP', tags });
    this.url = this.api.apiEndpoint;
    this.executionArn = this.api.executionArn;
    this.accessLogGroup = new CloudwatchLogGroup(this, 'access-logs', {
      name: `/aws/apigateway/${props.apiName}`,
      retentionInDays: settings.logRetentionDays,
      tags,
    });
    this.stage = new Apigatewayv2Stage(this, 'stage', {
      apiId: this.api.id,
      name: '$default',
      autoDeploy: true,
      defaultRouteSettings: { throttlingRateLimit: settings.throttleRateLimit, throttlingBurstLimit: settings.throttleBurstLimit },
      accessLogSettings: {
        destinationArn: this.accessLogGroup.arn,
        // No headers, no body, no query string: keys and user data never reach the log.
        format: JSON.stringify({
          requestId: '$context.requestId',
          ip: '$context.identity.sourceIp',
          time: '$context.requestTimeEpoch',
          method: '$context.httpMethod',
          route: '$context.routeKey',
          status: '$context.status',
          latencyMs: '$context.responseLatency',
          integrationStatus: '$context.integrationStatus',
          error: '$context.integrationErrorMessage',
        }),
      },
      tags,
    });
    if (props.monitoring) this.addMonitoring(props.monitoring, props.alarmTopicArn, props.ownership);
  }

  /**
   * Routes `routes` to `fn`: one Lambda proxy integration, the routes, and per route an invoke permission for API
   * Gateway whose source ARN is that route on this API. Call once per function.
   */
  addLambdaRoutes(id: string, fn: MonoenvFunction, routes: readonly RouteKey[]): void {
    if (routes.length === 0) throw new Error(`PublicApi.addLambdaRoutes(${id}): give at least one route`);
    const integration = new Apigatewayv2Integration(this, `${id}-integration`, {
      apiId: this.api.id,
      integrationType: 'AWS_PROXY',
      integrationUri: fn.function.invokeArn,
      payloadFormatVersion: '2.0',
      // API Gateway gives up at 30 s; waiting longer than the function may run is pointless.
      timeoutMilliseconds: Math.min(30_000, fn.timeoutSeconds * 1000),
    });
    routes.forEach((routeKey, index) => {
      const [method, path] = routeKey.split(' ');
      if (!/^(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(method) || !path?.startsWith('/')) {
        throw new Error(`PublicApi.addLambdaRoutes(${id}): '${routeKey}' is not a route key like 'ANY /v1/events'`);
      }
      new Apigatewayv2Route(this, `${id}-route-${index}`, { apiId: this.api.id, routeKey, target: `integrations/${integration.id}` });
      new LambdaPermission(this, `${id}-invoke-${index}`, {
        statementId: `${this.apiName}-${id}-${index}`.slice(0, 100),
        action: 'lambda:InvokeFunction',
        functionName: fn.function.functionName,
        principal: 'apigateway.amazonaws.com',
        sourceArn: `${this.executionArn}/*/${method === 'ANY' ? '*' : method}${path.replace(/\{[^}]+\}/g, '*')}`,
      });
    });
  }

  metricRequests(): MetricSpec {
    return this.metric('Count', 'Sum');
  }

  metric4xx(): MetricSpec {
    return this.metric('4xx', 'Sum');
  }

  metric5xx(): MetricSpec {
    return this.metric('5xx', 'Sum');
  }

  metricLatency(statistic = 'p99'): MetricSpec {
    return this.metric('Latency', statistic);
  }

  private metric(metricName: string, statistic: string): MetricSpec {
    return { namespace: 'AWS/ApiGateway', metricName, dimensions: { ApiId: this.api.id, Stage: '$default' }, statistic, periodSeconds: 60 };
  }

  private addMonitoring(monitoring: IMonitoring, topicArn: string | undefined, ownership: OwnershipTags | undefined): void {
    monitoring.addAlarm(
      `${this.apiName}-5xx`,
      {
        alarmName: `${this.apiName}-5xx`,
        description: `${this.apiName}: the public API answered 5xx (a function failed or could not be invoked)`,
        metric: this.metric5xx(),
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        evaluationPeriods: 5,
        datapointsToAlarm: 2,
        topicArn,
        ownership,
      },
      this,
    );
    monitoring.addWidgets(
      metricWidget(`${this.apiName}: requests, 4xx (incl. throttled), 5xx`, [this.metricRequests(), this.metric4xx(), this.metric5xx()]),
      metricWidget(`${this.apiName}: latency p50 / p99 (ms)`, [this.metricLatency('p50'), this.metricLatency('p99')]),
    );
  }
}
