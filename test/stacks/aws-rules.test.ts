import { Testing } from 'cdktf';
import { DataAwsSecretsmanagerRandomPassword } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-random-password';
import { LambdaFunctionUrl } from '@cdktf/provider-aws/lib/lambda-function-url';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { parseConfig } from '../../config/load';
import type { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { BootstrapStack } from '../../stacks/bootstrap-stack';
import { ProductionStack } from '../../stacks/production-stack';
import { SYNTH_DAY } from '../support/clock';
import { testApp } from '../support/temp';
import { REPO_ROOT } from '../support/paths';

/**
 * The ways the stack failed, or would fail, on real AWS while passing on the local one, each put back by hand:
 * synth must refuse every one, naming the guardrail. (The IAM evaluations of the same defects are in test/iam/.)
 */
const config = parseConfig({ appName: 'shop', region: 'eu-west-1', github: { repository: 'acme/shop' } });
const guardrails = { report: () => undefined, now: SYNTH_DAY };

function production(alter: (stack: ProductionStack) => void): () => string {
  const stack = new ProductionStack(testApp(), 'production', { config, baseDir: REPO_ROOT, guardrails });
  alter(stack);
  return () => Testing.synth(stack);
}

describe('what AWS refuses, put back, fails synth', () => {
  it('passes as it is', () => {
    expect(production(() => undefined)).not.toThrow();
  });

  it('1. a blocked runtime: nodejs20.x', () => {
    expect(
      production((s) => {
        s.flagStore.evaluationFunction.function.runtime = 'nodejs20.x';
      }),
    ).toThrow(/\[MONO-LAMBDA-3\].*nodejs20\.x: AWS refuses to create functions on it since 2026-08-31/s);
  });

  it('2. a public entry AWS would refuse or anyone could bypass: a function URL without auth, a permission for anyone, a route without its permission', () => {
    expect(
      production((s) => {
        new LambdaFunctionUrl(s, 'url', { functionName: s.flagStore.evaluationFunction.function.functionName, authorizationType: 'NONE' });
      }),
    ).toThrow(/\[MONO-LAMBDA-4\]/);
    expect(
      production((s) => {
        new LambdaPermission(s, 'anyone', {
          action: 'lambda:InvokeFunction',
          functionName: s.eventStream.ingestFunction.function.functionName,
          principal: '*',
        });
      }),
    ).toThrow(/\[MONO-LAMBDA-5\]/);
    expect(
      production((s) => {
        s.api.node.tryRemoveChild('ingest-invoke-0');
      }),
    ).toThrow(/\[MONO-APIGW-1\]/);
  });

  it('3. no throttle: a public function without reserved concurrency, a stage without throttling', () => {
    expect(
      production((s) => {
        s.flagStore.evaluationFunction.function.resetReservedConcurrentExecutions();
      }),
    ).toThrow(/\[MONO-LAMBDA-6\] production\/flags\/evaluate\/function/);
    expect(
      production((s) => {
        s.api.stage.resetDefaultRouteSettings();
      }),
    ).toThrow(/\[MONO-APIGW-2\]/);
  });

  it('4. an API key written to state: a random password data source into secret_string', () => {
    expect(
      production((s) => {
        const random = new DataAwsSecretsmanagerRandomPassword(s.flagStore, 'server-key', { passwordLength: 40 });
        new SecretsmanagerSecretVersion(s.flagStore, 'api-keys-initial', {
          secretId: s.flagStore.apiKeysSecret.id,
          secretString: random.randomPassword,
        });
      }),
    ).toThrow(
      /\[MONO-STATE-1\] production\/flags\/server-key.*\[MONO-STATE-1\] production\/flags\/api-keys-initial.*secret_string is written to state/s,
    );
  });

  it('5. a deploy role that can create roles without a permissions boundary', () => {
    const stack = new BootstrapStack(testApp(), 'bootstrap', { config, guardrails });
    expect(() => Testing.synth(stack)).not.toThrow();
    const deployIam = stack.node.findChild('deploy-iam') as IamRolePolicy;
    const policy = JSON.parse(deployIam.policyInput!);
    for (const statement of policy.Statement) delete statement.Condition;
    deployIam.policy = JSON.stringify(policy);
    expect(() => Testing.synth(stack)).toThrow(/\[MONO-IAM-3\] bootstrap\/deploy-iam.*iam:CreateRole/s);
  });

  it('6. a function environment over 4 KB: the rollout controller given guardrail metrics for many services', () => {
    expect(
      production((s) => {
        const variables = { ...s.rolloutController.function.function.environmentInput!.variables } as Record<string, string>;
        variables.SIGNALS = JSON.stringify({ padding: 'x'.repeat(4096) });
        s.rolloutController.function.function.putEnvironment({ variables });
      }),
    ).toThrow(/\[MONO-LAMBDA-7\] production\/rollouts\/function\/function.*environment is \d+ bytes; AWS allows 4096/s);
  });
});
