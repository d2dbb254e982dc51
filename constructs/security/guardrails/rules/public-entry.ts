/**
 * Public Lambda entry points get exactly the permissions their front door needs, and a throttle.
 *
 * The front door is an API Gateway HTTP API: aws_apigatewayv2_api (protocol HTTP), an AWS_PROXY
 * aws_apigatewayv2_integration whose integration_uri is the function's invoke_arn, routes and a stage, and one
 * aws_lambda_permission for principal apigateway.amazonaws.com whose source_arn is that API's execution_arn.
 * A function URL with auth NONE is no longer a good door: since October 2025 AWS wants both lambda:InvokeFunctionUrl
 * and lambda:InvokeFunction granted to `*` for it, and hashicorp/aws 5.100's aws_lambda_permission cannot add the
 * lambda:InvokedViaFunctionUrl condition that would keep the second one to URL calls.
 */
import { actionMatches } from '../iam-policy';
import type { GuardrailRule } from '../rule';
import { references, type ElementView, type StackView } from '../stack-view';
import { firstBlock, isExpression, isSet } from '../values';

const API_GATEWAY = 'apigateway.amazonaws.com';

/** The aws_lambda_function a value points at: a reference to it or to one of its aliases, its name, or an ARN of it. */
export function lambdaFunctionOf(value: unknown, stack: StackView): ElementView | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const functions = stack.resources('aws_lambda_function');
  const referenced = functions.find((fn) => references(value, fn));
  if (referenced) return referenced;
  const alias = stack.resources('aws_lambda_alias').find((candidate) => references(value, candidate));
  if (alias) return lambdaFunctionOf(alias.config.function_name, stack);
  if (isExpression(value)) return undefined;
  // A name, a function ARN (...:function:name[:qualifier]) or an invoke ARN (.../functions/arn...:function:name/invocations).
  const name = /:function:([A-Za-z0-9_-]+)/.exec(value)?.[1] ?? value;
  return functions.find((fn) => fn.config.function_name === name);
}

const apiOf = (value: unknown, stack: StackView): ElementView | undefined =>
  stack.resources('aws_apigatewayv2_api').find((api) => references(value, api));

interface LambdaIntegration {
  readonly integration: ElementView;
  readonly fn: ElementView;
  /** undefined when the API is not defined in this stack. */
  readonly api?: ElementView;
}

/** AWS_PROXY integrations of HTTP APIs (or of APIs defined elsewhere) that invoke a function of this stack. */
function lambdaIntegrations(stack: StackView): LambdaIntegration[] {
  return stack.resources('aws_apigatewayv2_integration').flatMap((integration) => {
    if (integration.config.integration_type !== 'AWS_PROXY') return [];
    const api = apiOf(integration.config.api_id, stack);
    if (api && api.config.protocol_type !== 'HTTP' && !isExpression(api.config.protocol_type)) return []; // WebSocket APIs
    const fn = lambdaFunctionOf(integration.config.integration_uri, stack);
    return fn ? [{ integration, fn, api }] : [];
  });
}

const allowsInvoke = (permission: ElementView): boolean =>
  typeof permission.config.action === 'string' && actionMatches(permission.config.action, 'lambda:InvokeFunction');

const nameOf = (fn: ElementView | undefined, fallback: unknown): string => fn?.address ?? `function ${JSON.stringify(fallback)}`;

export const publicFunctionUrl: GuardrailRule = {
  id: 'MONO-LAMBDA-4',
  description: 'Lambda function URLs are not public (authorization_type NONE).',
  fix: "Put an API Gateway HTTP API in front: Apigatewayv2Api (protocolType 'HTTP'), an Apigatewayv2Integration (integrationType 'AWS_PROXY', integrationUri fn.invokeArn), routes, a throttled stage, and a LambdaPermission for 'apigateway.amazonaws.com' with sourceArn `${api.executionArn}/*/*`; or set authorizationType: 'AWS_IAM' and sign the requests.",
  appliesTo: ['aws_lambda_function_url'],
  check: ({ config }, stack) => {
    if (config.authorization_type !== 'NONE') return [];
    const fn = nameOf(lambdaFunctionOf(config.function_name, stack), config.function_name);
    return [
      `authorization_type is NONE: since October 2025 a public function URL needs lambda:InvokeFunctionUrl and lambda:InvokeFunction granted to "*", and hashicorp/aws 5.100's aws_lambda_permission cannot add the lambda:InvokedViaFunctionUrl condition, so the InvokeFunction grant would let every AWS account invoke ${fn} directly`,
    ];
  },
};

export interface InvokePermissionOptions {
  /**
   * The AWS accounts the stack deploys to. A permission for a literal account id (or an ARN in it) outside them is
   * then a finding; without them, a grant to another account cannot be told from one to the stack's own. A principal
   * that is an expression (e.g. data.aws_caller_identity's account_id) is taken to be the stack's own account.
   */
  readonly accountIds?: readonly string[];
}

/** An account id in a principal: `123456789012` or `arn:aws:iam::123456789012:root` (or a role/user of it). */
const accountOfPrincipal = (principal: string): string | undefined =>
  /^(\d{12})$/.exec(principal)?.[1] ?? /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(principal)?.[1];

/** The permission rule; pass the stack's account ids to also catch grants to other accounts. */
export function invokePermissions(options: InvokePermissionOptions = {}): GuardrailRule {
  const ownAccounts = options.accountIds ? new Set(options.accountIds) : undefined;
  return {
    id: 'MONO-LAMBDA-5',
    description: 'Lambda invoke permissions grant only what the front door needs.',
    fix: "Grant lambda:InvokeFunction only to the front door: principal 'apigateway.amazonaws.com' with sourceArn `${api.executionArn}/*/*` of the HTTP API that integrates this function. Never '*' (nor another account) without a source_arn, source_account or principal_org_id.",
    appliesTo: ['aws_lambda_permission'],
    check: (permission, stack) => {
      if (!allowsInvoke(permission)) return [];
      const { principal, source_arn: sourceArn, source_account: sourceAccount, principal_org_id: orgId } = permission.config;
      const fnElement = lambdaFunctionOf(permission.config.function_name, stack);
      const fn = nameOf(fnElement, permission.config.function_name);
      const action = String(permission.config.action);
      if (typeof principal !== 'string') return [];
      if (principal === '*') {
        return isSet(sourceArn) || isSet(sourceAccount) || isSet(orgId)
          ? []
          : [
              `principal "*" may call ${action} on ${fn} with no source_arn, source_account or principal_org_id: every AWS account can invoke it directly`,
            ];
      }
      const account = accountOfPrincipal(principal);
      if (account !== undefined) {
        return ownAccounts && !ownAccounts.has(account)
          ? [
              `principal ${principal} is AWS account ${account}, not one of this stack's (${[...ownAccounts].join(', ')}): it may invoke ${fn}`,
            ]
          : [];
      }
      if (principal !== API_GATEWAY) return [];
      if (!isSet(sourceArn)) return [`principal ${API_GATEWAY} without source_arn: any API Gateway API, in any account, may invoke ${fn}`];
      const api = apiOf(sourceArn, stack);
      if (!api || !fnElement) return [];
      const fronts = lambdaIntegrations(stack).some((entry) => entry.api === api && entry.fn === fnElement);
      return fronts
        ? []
        : [`source_arn names ${api.address}, which has no AWS_PROXY integration with ${fn}: more than its front door needs`];
    },
  };
}

export const lambdaIntegrationPermission: GuardrailRule = {
  id: 'MONO-APIGW-1',
  description: 'HTTP API Lambda integrations have a permission to invoke the function, scoped to their API.',
  fix: "Add a LambdaPermission { action: 'lambda:InvokeFunction', functionName: fn.functionName, principal: 'apigateway.amazonaws.com', sourceArn: `${api.executionArn}/*/*` }.",
  appliesTo: ['aws_apigatewayv2_integration'],
  check: (integration, stack) => {
    const entry = lambdaIntegrations(stack).find((candidate) => candidate.integration === integration);
    if (!entry) return [];
    const { fn, api } = entry;
    const scoped = stack.resources('aws_lambda_permission').some((permission) => {
      const { principal, source_arn: sourceArn } = permission.config;
      if (principal !== API_GATEWAY || !allowsInvoke(permission) || lambdaFunctionOf(permission.config.function_name, stack) !== fn)
        return false;
      if (!api) return isSet(sourceArn); // the API is defined elsewhere: any scoped grant may be its own
      // A literal execute-api ARN cannot be matched to the API's id here; it is scoped, so it gets the benefit of the doubt.
      return (
        references(sourceArn, api, 'execution_arn') ||
        (typeof sourceArn === 'string' && sourceArn.includes(':execute-api:') && !isExpression(sourceArn))
      );
    });
    if (scoped) return [];
    const door = api
      ? `${api.address} (principal ${API_GATEWAY}, action lambda:InvokeFunction, source_arn \${${api.address}.execution_arn}/*/*)`
      : `its API (principal ${API_GATEWAY}, action lambda:InvokeFunction, with a source_arn)`;
    return [`API Gateway would get 500 from Lambda: no aws_lambda_permission lets ${door} invoke ${fn.address}`];
  },
};

/** What makes a function public: HTTP API integrations and function URLs with auth NONE. */
function frontDoorsOf(fn: ElementView, stack: StackView): string[] {
  const apis = lambdaIntegrations(stack)
    .filter((entry) => entry.fn === fn)
    .map((entry) => (entry.api ? `HTTP API ${entry.api.address}` : `integration ${entry.integration.address}`));
  const urls = stack
    .resources('aws_lambda_function_url')
    .filter((url) => url.config.authorization_type === 'NONE' && lambdaFunctionOf(url.config.function_name, stack) === fn)
    .map((url) => `function URL ${url.address} (auth NONE)`);
  return [...new Set([...apis, ...urls])];
}

const positiveOrUnknown = (value: unknown): boolean => isExpression(value) || (typeof value === 'number' && value > 0);

export const publicFunctionConcurrency: GuardrailRule = {
  id: 'MONO-LAMBDA-6',
  description: 'Public Lambda functions reserve (and so cap) their concurrency.',
  fix: 'Set reservedConcurrentExecutions to the most concurrent requests the function should serve (a positive number); it also keeps the function from starving the rest of the account.',
  appliesTo: ['aws_lambda_function'],
  check: (fn, stack) => {
    const doors = frontDoorsOf(fn, stack);
    const reserved = fn.config.reserved_concurrent_executions;
    if (doors.length === 0 || positiveOrUnknown(reserved)) return [];
    const value =
      reserved === undefined || reserved === -1
        ? "not set, so it can take all of the account's unreserved concurrency"
        : `${JSON.stringify(reserved)}`;
    return [`public through ${doors.join(', ')}, but reserved_concurrent_executions is ${value}`];
  },
};

const THROTTLES = ['throttling_burst_limit', 'throttling_rate_limit'] as const;

export const httpApiStageThrottle: GuardrailRule = {
  id: 'MONO-APIGW-2',
  description: 'HTTP API stages throttle by default.',
  fix: 'Set defaultRouteSettings: { throttlingBurstLimit, throttlingRateLimit } on the stage (positive numbers sized for the API).',
  appliesTo: ['aws_apigatewayv2_stage'],
  check: ({ config }, stack) => {
    const api = apiOf(config.api_id, stack);
    if (api && api.config.protocol_type !== 'HTTP' && !isExpression(api.config.protocol_type)) return [];
    const settings = firstBlock(config.default_route_settings);
    const missing = THROTTLES.filter((key) => !positiveOrUnknown(settings?.[key]));
    return missing.length
      ? [
          `default_route_settings leaves ${missing.join(' and ')} unset (or not positive), so only the account-level limit, shared by every API in the region, applies`,
        ]
      : [];
  },
};
