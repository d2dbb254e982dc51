import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { LambdaFunction, type LambdaFunctionConfig } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionUrl } from '@cdktf/provider-aws/lib/lambda-function-url';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { TerraformStack } from 'cdktf';
import { invokePermissions } from '../../../../constructs/security/guardrails';
import { findingsOf } from '../../../support/guardrails-harness';

const fnProps = {
  role: 'arn:aws:iam::111111111111:role/fn',
  runtime: 'nodejs22.x',
  handler: 'index.handler',
  filename: 'fn.zip',
  timeout: 10,
};
const fn = (s: TerraformStack, id = 'Fn', props: Partial<LambdaFunctionConfig> = {}) =>
  new LambdaFunction(s, id, { ...fnProps, functionName: id.toLowerCase(), reservedConcurrentExecutions: 50, ...props });

/** The front door the rules want: an HTTP API, a Lambda proxy integration, a route, a throttled stage, one scoped grant. */
function httpApiFrontDoor(s: TerraformStack, options: { target?: LambdaFunction; permission?: boolean; stage?: boolean } = {}) {
  const target = options.target ?? fn(s);
  const api = new Apigatewayv2Api(s, 'Api', { name: 'api', protocolType: 'HTTP' });
  const integration = new Apigatewayv2Integration(s, 'Integration', {
    apiId: api.id,
    integrationType: 'AWS_PROXY',
    integrationUri: target.invokeArn,
    payloadFormatVersion: '2.0',
  });
  new Apigatewayv2Route(s, 'Route', { apiId: api.id, routeKey: 'GET /items', target: `integrations/${integration.id}` });
  if (options.stage !== false)
    new Apigatewayv2Stage(s, 'Stage', {
      apiId: api.id,
      name: '$default',
      autoDeploy: true,
      defaultRouteSettings: { throttlingBurstLimit: 100, throttlingRateLimit: 50 },
    });
  if (options.permission !== false)
    new LambdaPermission(s, 'ApiInvoke', {
      action: 'lambda:InvokeFunction',
      functionName: target.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${api.executionArn}/*/*`,
    });
  return { api, target };
}

const PUBLIC_ENTRY_RULES = ['MONO-LAMBDA-4', 'MONO-LAMBDA-5', 'MONO-LAMBDA-6', 'MONO-APIGW-1', 'MONO-APIGW-2'];

describe('an HTTP API front door', () => {
  it('passes every public-entry rule', () => {
    for (const ruleId of PUBLIC_ENTRY_RULES) expect([ruleId, findingsOf(ruleId, (s) => httpApiFrontDoor(s))]).toEqual([ruleId, []]);
  });
});

describe('MONO-LAMBDA-4 public function URLs', () => {
  it('passes a URL with AWS_IAM auth', () => {
    expect(
      findingsOf(
        'MONO-LAMBDA-4',
        (s) => new LambdaFunctionUrl(s, 'Url', { functionName: fn(s).functionName, authorizationType: 'AWS_IAM' }),
      ),
    ).toEqual([]);
  });
  it('flags auth NONE, naming the function', () => {
    expect(
      findingsOf('MONO-LAMBDA-4', (s) => new LambdaFunctionUrl(s, 'Url', { functionName: fn(s).functionName, authorizationType: 'NONE' })),
    ).toEqual([
      'test/Url: authorization_type is NONE: since October 2025 a public function URL needs lambda:InvokeFunctionUrl and lambda:InvokeFunction granted to "*", and hashicorp/aws 5.100\'s aws_lambda_permission cannot add the lambda:InvokedViaFunctionUrl condition, so the InvokeFunction grant would let every AWS account invoke aws_lambda_function.Fn directly',
    ]);
  });
});

describe('MONO-LAMBDA-5 invoke permissions', () => {
  it("passes the API grant, a URL grant (MONO-LAMBDA-4 covers the URL), and grants to this stack's own account", () => {
    expect(
      findingsOf('MONO-LAMBDA-5', (s) => {
        const { target } = httpApiFrontDoor(s);
        new LambdaPermission(s, 'UrlOnly', {
          action: 'lambda:InvokeFunctionUrl',
          functionName: target.functionName,
          principal: '*',
          functionUrlAuthType: 'NONE',
        });
        const me = new DataAwsCallerIdentity(s, 'Me');
        new LambdaPermission(s, 'Own', { action: 'lambda:InvokeFunction', functionName: target.functionName, principal: me.accountId });
        new LambdaPermission(s, 'Events', {
          action: 'lambda:InvokeFunction',
          functionName: target.functionName,
          principal: 'events.amazonaws.com',
          sourceArn: 'arn:aws:events:us-east-1:111111111111:rule/r',
        });
      }),
    ).toEqual([]);
  });
  it('flags "*" (any action pattern covering InvokeFunction), API Gateway without source_arn, and an API that does not front the function', () => {
    expect(
      findingsOf('MONO-LAMBDA-5', (s) => {
        const { target } = httpApiFrontDoor(s);
        new LambdaPermission(s, 'Anyone', { action: 'lambda:InvokeFunction', functionName: target.functionName, principal: '*' });
        new LambdaPermission(s, 'AnyoneAll', { action: 'lambda:*', functionName: target.functionName, principal: '*' });
        new LambdaPermission(s, 'AnyApi', {
          action: 'lambda:InvokeFunction',
          functionName: target.functionName,
          principal: 'apigateway.amazonaws.com',
        });
        const other = new Apigatewayv2Api(s, 'Other', { name: 'other', protocolType: 'HTTP' });
        const worker = fn(s, 'Worker');
        new LambdaPermission(s, 'Stray', {
          action: 'lambda:InvokeFunction',
          functionName: worker.functionName,
          principal: 'apigateway.amazonaws.com',
          sourceArn: `${other.executionArn}/*/*`,
        });
      }),
    ).toEqual([
      'test/Anyone: principal "*" may call lambda:InvokeFunction on aws_lambda_function.Fn with no source_arn, source_account or principal_org_id: every AWS account can invoke it directly',
      'test/AnyoneAll: principal "*" may call lambda:* on aws_lambda_function.Fn with no source_arn, source_account or principal_org_id: every AWS account can invoke it directly',
      'test/AnyApi: principal apigateway.amazonaws.com without source_arn: any API Gateway API, in any account, may invoke aws_lambda_function.Fn',
      'test/Stray: source_arn names aws_apigatewayv2_api.Other, which has no AWS_PROXY integration with aws_lambda_function.Worker: more than its front door needs',
    ]);
  });
  it("flags another account when told the stack's accounts", () => {
    const build = (s: TerraformStack) => {
      const target = fn(s);
      new LambdaPermission(s, 'Mine', { action: 'lambda:InvokeFunction', functionName: target.functionName, principal: '111111111111' });
      new LambdaPermission(s, 'Theirs', {
        action: 'lambda:InvokeFunction',
        functionName: target.functionName,
        principal: 'arn:aws:iam::222222222222:root',
      });
    };
    expect(findingsOf('MONO-LAMBDA-5', build)).toEqual([]); // without accountIds it cannot tell
    expect(findingsOf('MONO-LAMBDA-5', build, { rules: [invokePermissions({ accountIds: ['111111111111'] })] })).toEqual([
      "test/Theirs: principal arn:aws:iam::222222222222:root is AWS account 222222222222, not one of this stack's (111111111111): it may invoke aws_lambda_function.Fn",
    ]);
  });
});

describe('MONO-APIGW-1 integration permission', () => {
  it('passes an integration whose function grants its API (see the front door), and one by literal function ARN with a literal execute-api source', () => {
    expect(
      findingsOf('MONO-APIGW-1', (s) => {
        const target = fn(s, 'Fn', { functionName: 'named' });
        const api = new Apigatewayv2Api(s, 'Api', { name: 'api', protocolType: 'HTTP' });
        new Apigatewayv2Integration(s, 'Integration', {
          apiId: api.id,
          integrationType: 'AWS_PROXY',
          integrationUri: 'arn:aws:lambda:us-east-1:111111111111:function:named',
        });
        new LambdaPermission(s, 'ApiInvoke', {
          action: 'lambda:InvokeFunction',
          functionName: target.functionName,
          principal: 'apigateway.amazonaws.com',
          sourceArn: 'arn:aws:execute-api:us-east-1:111111111111:abc123/*/*',
        });
      }),
    ).toEqual([]);
  });
  it('flags an integration without a grant, or whose grant names another API', () => {
    expect(findingsOf('MONO-APIGW-1', (s) => httpApiFrontDoor(s, { permission: false }))).toEqual([
      'test/Integration: API Gateway would get 500 from Lambda: no aws_lambda_permission lets aws_apigatewayv2_api.Api (principal apigateway.amazonaws.com, action lambda:InvokeFunction, source_arn ${aws_apigatewayv2_api.Api.execution_arn}/*/*) invoke aws_lambda_function.Fn',
    ]);
    expect(
      findingsOf('MONO-APIGW-1', (s) => {
        const { target } = httpApiFrontDoor(s, { permission: false });
        const other = new Apigatewayv2Api(s, 'Other', { name: 'other', protocolType: 'HTTP' });
        new LambdaPermission(s, 'Wrong', {
          action: 'lambda:InvokeFunction',
          functionName: target.functionName,
          principal: 'apigateway.amazonaws.com',
          sourceArn: `${other.executionArn}/*/*`,
        });
      }),
    ).toEqual([expect.stringMatching(/^test\/Integration: API Gateway would get 500 from Lambda/)]);
  });
});

describe('MONO-LAMBDA-6 public function concurrency', () => {
  it('passes a public function with reserved concurrency, and a private one without', () => {
    expect(
      findingsOf('MONO-LAMBDA-6', (s) => {
        httpApiFrontDoor(s);
        fn(s, 'Private', { reservedConcurrentExecutions: undefined });
      }),
    ).toEqual([]);
  });
  it('flags public functions (HTTP API or function URL with auth NONE) without it', () => {
    expect(
      findingsOf('MONO-LAMBDA-6', (s) => {
        httpApiFrontDoor(s, { target: fn(s, 'Fn', { reservedConcurrentExecutions: undefined }) });
        const open = fn(s, 'Open', { reservedConcurrentExecutions: 0 });
        new LambdaFunctionUrl(s, 'Url', { functionName: open.functionName, authorizationType: 'NONE' });
      }),
    ).toEqual([
      "test/Fn: public through HTTP API aws_apigatewayv2_api.Api, but reserved_concurrent_executions is not set, so it can take all of the account's unreserved concurrency",
      'test/Open: public through function URL aws_lambda_function_url.Url (auth NONE), but reserved_concurrent_executions is 0',
    ]);
  });
});

describe('MONO-APIGW-2 stage throttling', () => {
  it('passes a throttled HTTP API stage, and a WebSocket stage', () => {
    expect(
      findingsOf('MONO-APIGW-2', (s) => {
        httpApiFrontDoor(s);
        const ws = new Apigatewayv2Api(s, 'Ws', {
          name: 'ws',
          protocolType: 'WEBSOCKET',
          routeSelectionExpression: '$request.body.action',
        });
        new Apigatewayv2Stage(s, 'WsStage', { apiId: ws.id, name: 'live' });
      }),
    ).toEqual([]);
  });
  it('flags a stage without default throttling, naming what is missing', () => {
    expect(
      findingsOf('MONO-APIGW-2', (s) => {
        const { api } = httpApiFrontDoor(s, { stage: false });
        new Apigatewayv2Stage(s, 'Bare', { apiId: api.id, name: '$default', autoDeploy: true });
        new Apigatewayv2Stage(s, 'Half', { apiId: api.id, name: 'half', defaultRouteSettings: { throttlingBurstLimit: 100 } });
      }),
    ).toEqual([
      'test/Bare: default_route_settings leaves throttling_burst_limit and throttling_rate_limit unset (or not positive), so only the account-level limit, shared by every API in the region, applies',
      'test/Half: default_route_settings leaves throttling_rate_limit unset (or not positive), so only the account-level limit, shared by every API in the region, applies',
    ]);
  });
});
