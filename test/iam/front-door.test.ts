import { Testing } from 'cdktf';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { parseConfig } from '../../config/load';
import { ProductionStack } from '../../stacks/production-stack';
import { MOTO_ACCOUNT_ID, simulateRequest } from '../support/iam';
import { SynthesizedPolicies } from '../support/iam/synthesized-policies';
import { testApp } from '../support/temp';
import { REPO_ROOT } from '../support/paths';

/**
 * The public entries as AWS evaluates them: each function's resource policy, built from the synthesized
 * aws_lambda_permission resources, lets API Gateway invoke it only through this API's own routes, and nobody
 * else, from this account or another, invoke it directly.
 */
const account = MOTO_ACCOUNT_ID;
const region = 'eu-west-1';
const apiId = 'a1b2c3d4e5';
const otherAccount = 'arn:aws:iam::999999999999:root';
// The other account's own side allows everything: only this function's resource policy can stop it.
const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function synthesized(alter: (stack: ProductionStack) => void = () => undefined): SynthesizedPolicies {
  const stack = new ProductionStack(testApp(), 'production', {
    config: parseConfig({ appName: 'shop', region }),
    baseDir: REPO_ROOT,
    guardrails: false,
  });
  alter(stack);
  const json = JSON.parse(Testing.synth(stack));
  const [apiName] = Object.keys(json.resource.aws_apigatewayv2_api);
  return new SynthesizedPolicies(json, { account, region, generatedIds: { [`aws_apigatewayv2_api.${apiName}`]: apiId } });
}

const viaApi = (method: string, path: string) => `arn:aws:execute-api:${region}:${account}:${apiId}/$default/${method}${path}`;

describe.each([
  ['shop-flags-evaluate', 'POST', '/ofrep/v1/evaluate/flags/new-checkout'],
  ['shop-flags-evaluate', 'OPTIONS', '/ofrep/v1/evaluate/flags'],
  ['shop-ingest', 'POST', '/v1/events'],
])('%s: %s %s', (functionName, method, path) => {
  const stack = synthesized();
  const functionArn = `arn:aws:lambda:${region}:${account}:function:${functionName}`;
  const invoke = (principalArn: string, context: Record<string, string> = {}, policies = stack) =>
    simulateRequest({
      principalArn,
      action: 'lambda:InvokeFunction',
      resource: functionArn,
      resourcePolicy: policies.lambdaResourcePolicy(functionName),
      identityPolicies: principalArn === otherAccount ? [allowAll] : [],
      context,
    });

  it('API Gateway may invoke it for a request on this API route', async () => {
    expect(await invoke('apigateway.amazonaws.com', { 'aws:SourceArn': viaApi(method, path), 'aws:SourceAccount': account })).toEqual({
      decision: 'Allowed',
      reasons: [],
    });
  });

  it('API Gateway may not invoke it for another API, or for a route of the other function', async () => {
    const otherApi = `arn:aws:execute-api:${region}:${account}:zzzzzzzzzz/$default/${method}${path}`;
    expect((await invoke('apigateway.amazonaws.com', { 'aws:SourceArn': otherApi })).decision).not.toBe('Allowed');
    const otherRoute = functionName === 'shop-ingest' ? viaApi('POST', '/ofrep/v1/evaluate/flags') : viaApi('POST', '/v1/events');
    expect((await invoke('apigateway.amazonaws.com', { 'aws:SourceArn': otherRoute })).decision).not.toBe('Allowed');
  });

  it('another account may not invoke it directly', async () => {
    expect((await invoke(otherAccount)).decision).not.toBe('Allowed');
  });

  it('put back: a permission for any principal would let another account invoke it directly', async () => {
    const open = synthesized((s) => {
      const fn = functionName === 'shop-ingest' ? s.eventStream.ingestFunction : s.flagStore.evaluationFunction;
      new LambdaPermission(s, 'open-to-all', { action: 'lambda:InvokeFunction', functionName: fn.function.functionName, principal: '*' });
    });
    expect((await invoke(otherAccount, {}, open)).decision).toBe('Allowed');
  });
});
