import { Testing, TerraformStack } from 'cdktf';
// Brings in the global jest matcher types that Testing.setupJest() registers.
import 'cdktf/lib/testing/adapters/jest';
import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { MonoenvFunction } from '../../../constructs/core/monoenv-function';
import { Monitoring } from '../../../constructs/monitoring/monitoring';
import { PublicApi, type PublicApiProps } from '../../../constructs/front-door/public-api';
import { synthScope, testApp } from '../../support/temp';
import { HELLO_HANDLER } from '../../support/paths';

Testing.setupJest();

const ownership = { domain: 'checkout', team: 'payments' };

function synth(props: Partial<PublicApiProps> = {}, routes: (api: PublicApi, stack: TerraformStack) => void = () => undefined) {
  const json = synthScope((scope) => {
    const api = new PublicApi(scope, 'front', { apiName: 'shop-api', ownership, ...props });
    routes(api, scope as TerraformStack);
  });
  return { json, parsed: JSON.parse(json) };
}

const resources = (parsed: any, type: string): [string, any][] => Object.entries(parsed.resource?.[type] ?? {});
const only = (parsed: any, type: string): [string, any] => {
  const found = resources(parsed, type);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('PublicApi', () => {
  const base = synth();
  const [apiId] = only(base.parsed, 'aws_apigatewayv2_api');

  it('is an HTTP API named after apiName, tagged with its owners', () => {
    expect(base.json).toHaveResourceWithProperties(Apigatewayv2Api, {
      name: 'shop-api',
      protocol_type: 'HTTP',
      tags: expect.objectContaining({ Name: 'shop-api', ...ownership }),
    });
  });

  it('throttles every route on an auto-deployed $default stage', () => {
    const [, stage] = only(base.parsed, 'aws_apigatewayv2_stage');
    expect(stage).toMatchObject({
      api_id: `\${aws_apigatewayv2_api.${apiId}.id}`,
      name: '$default',
      auto_deploy: true,
      default_route_settings: { throttling_rate_limit: 1000, throttling_burst_limit: 2000 },
    });
    const [, tuned] = only(synth({ throttleRateLimit: 25.5, throttleBurstLimit: 50 }).parsed, 'aws_apigatewayv2_stage');
    expect(tuned.default_route_settings).toEqual({ throttling_rate_limit: 25.5, throttling_burst_limit: 50 });
  });

  it('logs every request to its own log group with retention, and never headers, bodies or query strings', () => {
    const [logGroupId] = only(base.parsed, 'aws_cloudwatch_log_group');
    expect(base.json).toHaveResourceWithProperties(CloudwatchLogGroup, { name: '/aws/apigateway/shop-api', retention_in_days: 30 });
    expect(synth({ logRetentionDays: 365 }).json).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: '/aws/apigateway/shop-api',
      retention_in_days: 365,
    });
    const [, stage] = only(base.parsed, 'aws_apigatewayv2_stage');
    expect(stage.access_log_settings.destination_arn).toBe(`\${aws_cloudwatch_log_group.${logGroupId}.arn}`);
    const format = JSON.parse(stage.access_log_settings.format);
    expect(format).toMatchObject({ requestId: '$context.requestId', route: '$context.routeKey', status: '$context.status' });
    expect(Object.values(format).join(' ')).not.toMatch(/header|requestBody|querystring/i);
  });

  it('routes each route key to the function, with an invoke permission scoped to that route on this API', () => {
    const { json, parsed } = synth({}, (api, stack) => {
      const fn = new MonoenvFunction(stack, 'items', { entry: HELLO_HANDLER, functionName: 'shop-items', timeoutSeconds: 60 });
      api.addLambdaRoutes('items', fn, ['ANY /v1/items', 'GET /v1/items/{id}/parts/{part}']);
    });
    const [apiKey] = only(parsed, 'aws_apigatewayv2_api');
    const [functionKey] = only(parsed, 'aws_lambda_function');
    const [integrationId] = only(parsed, 'aws_apigatewayv2_integration');
    // API Gateway stops waiting at 30 s, whatever the function's own timeout.
    expect(json).toHaveResourceWithProperties(Apigatewayv2Integration, {
      integration_type: 'AWS_PROXY',
      payload_format_version: '2.0',
      timeout_milliseconds: 30000,
      integration_uri: `\${aws_lambda_function.${functionKey}.invoke_arn}`,
    });
    expect(resources(parsed, 'aws_apigatewayv2_route').map(([, r]) => [r.route_key, r.target])).toEqual([
      ['ANY /v1/items', `integrations/\${aws_apigatewayv2_integration.${integrationId}.id}`],
      ['GET /v1/items/{id}/parts/{part}', `integrations/\${aws_apigatewayv2_integration.${integrationId}.id}`],
    ]);
    const executionArn = `\${aws_apigatewayv2_api.${apiKey}.execution_arn}`;
    expect(resources(parsed, 'aws_lambda_permission').map(([, p]) => p)).toEqual([
      {
        statement_id: 'shop-api-items-0',
        action: 'lambda:InvokeFunction',
        function_name: `\${aws_lambda_function.${functionKey}.function_name}`,
        principal: 'apigateway.amazonaws.com',
        source_arn: `${executionArn}/*/*/v1/items`,
      },
      {
        statement_id: 'shop-api-items-1',
        action: 'lambda:InvokeFunction',
        function_name: `\${aws_lambda_function.${functionKey}.function_name}`,
        principal: 'apigateway.amazonaws.com',
        source_arn: `${executionArn}/*/GET/v1/items/*/parts/*`,
      },
    ]);
  });

  it('waits no longer than a short function may run', () => {
    const { json } = synth({}, (api, stack) =>
      api.addLambdaRoutes(
        'quick',
        new MonoenvFunction(stack, 'quick', { entry: HELLO_HANDLER, functionName: 'shop-quick', timeoutSeconds: 5 }),
        ['POST /v1/quick'],
      ),
    );
    expect(json).toHaveResourceWithProperties(Apigatewayv2Integration, { timeout_milliseconds: 5000 });
  });

  it('rejects routes it cannot scope', () => {
    const stack = new TerraformStack(testApp(), 'stack');
    const api = new PublicApi(stack, 'front', { apiName: 'shop-api' });
    const fn = new MonoenvFunction(stack, 'items', { entry: HELLO_HANDLER, functionName: 'shop-items' });
    expect(() => api.addLambdaRoutes('none', fn, [])).toThrow('PublicApi.addLambdaRoutes(none): give at least one route');
    expect(() => api.addLambdaRoutes('bad', fn, ['FETCH /v1/items'])).toThrow(
      "PublicApi.addLambdaRoutes(bad): 'FETCH /v1/items' is not a route key like 'ANY /v1/events'",
    );
  });

  it('with monitoring: a 5xx alarm on its $default stage, and request and latency widgets', () => {
    expect(base.parsed.resource.aws_cloudwatch_metric_alarm).toBeUndefined();
    const monitored = JSON.parse(
      synthScope((scope) => {
        const monitoring = new Monitoring(scope, 'monitoring', { namePrefix: 'shop' });
        new PublicApi(scope, 'front', { apiName: 'shop-api', monitoring });
      }),
    );
    const [apiKey] = only(monitored, 'aws_apigatewayv2_api');
    const [, alarm] = only(monitored, 'aws_cloudwatch_metric_alarm');
    expect(alarm).toMatchObject({
      alarm_name: 'shop-api-5xx',
      namespace: 'AWS/ApiGateway',
      metric_name: '5xx',
      statistic: 'Sum',
      dimensions: { ApiId: `\${aws_apigatewayv2_api.${apiKey}.id}`, Stage: '$default' },
    });
    const [, dashboard] = only(monitored, 'aws_cloudwatch_dashboard');
    expect(JSON.parse(dashboard.dashboard_body).widgets.map((w: any) => w.properties.title)).toEqual([
      'shop-api: requests, 4xx (incl. throttled), 5xx',
      'shop-api: latency p50 / p99 (ms)',
    ]);
  });

  it('names every bad prop in one error at construction', () => {
    const stack = new TerraformStack(testApp(), 'stack');
    expect(
      () => new PublicApi(stack, 'front', { apiName: 'shop api!', throttleRateLimit: 0, throttleBurstLimit: 2.5, logRetentionDays: 2 }),
    ).toThrow(
      [
        'PublicApi front: invalid props:',
        "  apiName: must be 1-128 letters, digits, '-' or '_'",
        '  throttleRateLimit: must be a positive number of requests per second',
        '  throttleBurstLimit: must be a whole number >= 1',
        `  logRetentionDays: must be one of CloudWatch Logs' retention values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653`,
      ].join('\n'),
    );
    expect(() => new PublicApi(stack, 'long', { apiName: 'a'.repeat(129) })).toThrow(/apiName: must be 1-128/);
    expect(() => new PublicApi(stack, 'burst', { apiName: 'shop-api', throttleBurstLimit: 0 })).toThrow(
      /throttleBurstLimit: must be a whole number >= 1/,
    );
  });
});
