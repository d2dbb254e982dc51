import { deniedCalls, formatDenials, simulateCalls, simulateRequest, type PolicyDocument } from './iam-simulation';
import { recordedCall, unmapped, type Authorization } from './recorded-call';

const ACCOUNT = '123456789012';
const STREAM = `arn:aws:kinesis:eu-west-1:${ACCOUNT}:stream/events`;
const TABLE = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/flags`;
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1111-2222`;

const policy = (...Statement: object[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[], extra: object = {}) => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...extra,
});

const call = (principal: string, service: string, operation: string, ...authorizations: Authorization[]) =>
  recordedCall({ principal, service, operation, region: 'eu-west-1', status: 200 }, authorizations);

describe('simulateCalls', () => {
  const calls = [
    call('flag-evaluation', 'dynamodb', 'GetItem', { action: 'dynamodb:GetItem', resource: TABLE }),
    call('flag-evaluation', 'kinesis', 'PutRecords', { action: 'kinesis:PutRecords', resource: STREAM }),
    call('ingest', 'kinesis', 'PutRecords', { action: 'kinesis:PutRecords', resource: STREAM }),
  ];

  it("evaluates each call against its own principal's policies", async () => {
    const results = await simulateCalls({
      calls,
      identityPolicies: {
        'flag-evaluation': [policy(allow(['dynamodb:GetItem', 'dynamodb:Query'], TABLE))],
        ingest: [policy(allow('kinesis:PutRecords', STREAM))],
      },
    });
    expect(results.map((r) => [r.principal, r.action, r.decision])).toEqual([
      ['flag-evaluation', 'dynamodb:GetItem', 'Allowed'],
      ['flag-evaluation', 'kinesis:PutRecords', 'ImplicitlyDenied'],
      ['ingest', 'kinesis:PutRecords', 'Allowed'],
    ]);
    expect(deniedCalls(results)).toHaveLength(1);
    expect(formatDenials(results)).toBe(
      `flag-evaluation: kinesis:PutRecords on ${STREAM} (Kinesis.PutRecords) would be denied: no Allow in the role policy`,
    );
  });

  it('reports an explicit Deny with its statement, and a principal given no policies', async () => {
    const results = await simulateCalls({
      calls,
      identityPolicies: {
        'flag-evaluation': [policy(allow('*', '*'), { Sid: 'NoStreams', Effect: 'Deny', Action: 'kinesis:*', Resource: '*' })],
      },
    });
    expect(formatDenials(results).split('\n')).toEqual([
      `flag-evaluation: kinesis:PutRecords on ${STREAM} (Kinesis.PutRecords) would be explicitly denied: an explicit Deny in the role policy (statement NoStreams)`,
      `ingest: kinesis:PutRecords on ${STREAM} (Kinesis.PutRecords) would be denied: no Allow in the role policy; no identity policies were given for ingest`,
    ]);
  });

  it("applies a principal's permission boundary", async () => {
    const results = await simulateCalls({
      calls: calls.slice(0, 2),
      identityPolicies: { 'flag-evaluation': [policy(allow('*', '*'))] },
      permissionBoundaries: { 'flag-evaluation': policy(allow('dynamodb:*', '*')) },
    });
    expect(results.map((r) => r.decision)).toEqual(['Allowed', 'ImplicitlyDenied']);
    expect(results[1].reasons).toEqual(['no Allow in the permission boundary']);
  });

  it('adds the KMS actions of a customer managed key, which need the key policy to trust the account', async () => {
    const keyPolicy = policy(allow('kms:*', '*', { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }));
    const input = {
      calls: [calls[2]],
      identityPolicies: { ingest: [policy(allow('kinesis:PutRecords', STREAM), allow('kms:GenerateDataKey', KEY))] },
      keyOf: (resource: string) => (resource === STREAM ? KEY : undefined),
    };
    const withKeyPolicy = await simulateCalls({ ...input, resourcePolicies: { [KEY]: keyPolicy } });
    expect(withKeyPolicy.map((r) => [r.action, r.resource, r.decision, r.implied])).toEqual([
      ['kinesis:PutRecords', STREAM, 'Allowed', undefined],
      ['kms:GenerateDataKey', KEY, 'Allowed', true],
    ]);

    const withoutKeyPolicy = await simulateCalls(input);
    expect(formatDenials(withoutKeyPolicy)).toMatch(
      /^ingest: kms:GenerateDataKey on .*key\/1111-2222 \(implied by Kinesis\.PutRecords\) would be denied: .*no key policy was given/,
    );

    const roleWithoutKms = await simulateCalls({
      ...input,
      resourcePolicies: { [KEY]: keyPolicy },
      identityPolicies: { ingest: [policy(allow('kinesis:PutRecords', STREAM))] },
    });
    expect(deniedCalls(roleWithoutKms).map((r) => r.action)).toEqual(['kms:GenerateDataKey']);
  });

  it('honours condition keys the mapping recorded, such as ecs:cluster', async () => {
    const cluster = `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/web`;
    const describe = (clusterArn: string) =>
      call('image-rescan', 'ecs', 'DescribeTasks', {
        action: 'ecs:DescribeTasks',
        resource: `arn:aws:ecs:eu-west-1:${ACCOUNT}:task/web/1`,
        context: { 'ecs:cluster': clusterArn },
      });
    const results = await simulateCalls({
      calls: [describe(cluster), describe(`arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/other`)],
      identityPolicies: {
        'image-rescan': [policy(allow('ecs:DescribeTasks', '*', { Condition: { ArnEquals: { 'ecs:cluster': cluster } } }))],
      },
    });
    expect(results.map((r) => r.decision)).toEqual(['Allowed', 'ImplicitlyDenied']);
  });

  it('matches a secret recorded by name (name-*) against the real ARN a policy names', async () => {
    const secretCall = (resource: string) =>
      call('flag-evaluation', 'secretsmanager', 'GetSecretValue', { action: 'secretsmanager:GetSecretValue', resource });
    const results = await simulateCalls({
      calls: [
        secretCall(`arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:flags/api-keys-*`),
        secretCall(`arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:events/write-key-*`),
      ],
      identityPolicies: {
        'flag-evaluation': [
          policy(allow('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:flags/api-keys-AbCdEf`)),
        ],
      },
    });
    expect(results.map((r) => r.decision)).toEqual(['Allowed', 'ImplicitlyDenied']);
  });

  it('refuses calls the mapper could not map, unless told to leave them out', async () => {
    const unknown = recordedCall(
      { principal: 'image-rescan', service: 'ecs', operation: 'RunTask', region: 'eu-west-1', status: 200 },
      unmapped('ECS RunTask is not mapped'),
    );
    await expect(simulateCalls({ calls: [unknown], identityPolicies: {} })).rejects.toThrow(
      /image-rescan: ECS\.RunTask \(ECS RunTask is not mapped\)/,
    );
    await expect(simulateCalls({ calls: [unknown], identityPolicies: {}, allowUnknown: true })).resolves.toEqual([]);
  });

  it('fails loudly when an action or ARN is not one IAM knows (a mapping bug, not a denial)', async () => {
    const wrong = call('p', 'dynamodb', 'GetItem', { action: 'dynamodb:GetItem', resource: STREAM });
    await expect(simulateCalls({ calls: [wrong], identityPolicies: { p: [] } })).rejects.toThrow(
      /iam-simulate cannot evaluate dynamodb:GetItem/,
    );
  });
});

describe('simulateRequest: who may invoke a Lambda', () => {
  const FUNCTION = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:flag-evaluation`;
  const API_ROUTE = `arn:aws:execute-api:eu-west-1:${ACCOUNT}:abc123/*/*/ofrep/v1/evaluate/flags`;
  // What Terraform's aws_lambda_permission creates, for API Gateway and for principal = "*".
  const permission = (principal: unknown, condition = true) =>
    policy({
      Sid: 'AllowApiGatewayInvoke',
      Effect: 'Allow',
      Principal: principal,
      Action: 'lambda:InvokeFunction',
      Resource: FUNCTION,
      ...(condition ? { Condition: { ArnLike: { 'AWS:SourceArn': API_ROUTE } } } : {}),
    });
  const viaApiGateway = permission({ Service: 'apigateway.amazonaws.com' });
  const OTHER_ACCOUNT = 'arn:aws:iam::999999999999:root';
  // The other account's own policies allow everything: only our resource policy can stop it.
  const otherAccountAdmin = [policy(allow('*', '*'))];

  it('allows API Gateway (a service principal) to invoke for the permitted route', async () => {
    const invoke = (sourceArn: string) =>
      simulateRequest({
        principalArn: 'apigateway.amazonaws.com',
        action: 'lambda:InvokeFunction',
        resource: FUNCTION,
        resourcePolicy: viaApiGateway,
        context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': ACCOUNT },
      });
    await expect(invoke(`arn:aws:execute-api:eu-west-1:${ACCOUNT}:abc123/prod/POST/ofrep/v1/evaluate/flags`)).resolves.toEqual({
      decision: 'Allowed',
      reasons: [],
    });
    await expect(invoke(`arn:aws:execute-api:eu-west-1:${ACCOUNT}:other1/prod/POST/ofrep/v1/evaluate/flags`)).resolves.toMatchObject({
      decision: 'ImplicitlyDenied',
    });
  });

  it('denies another account invoking the function directly', async () => {
    const result = await simulateRequest({
      principalArn: OTHER_ACCOUNT,
      action: 'lambda:InvokeFunction',
      resource: FUNCTION,
      identityPolicies: otherAccountAdmin,
      resourcePolicy: viaApiGateway,
    });
    expect(result).toEqual({ decision: 'ImplicitlyDenied', reasons: ['no Allow in the resource policy'] });
  });

  it('allows another account when the permission says Principal "*" (the defect this guards against)', async () => {
    const result = await simulateRequest({
      principalArn: OTHER_ACCOUNT,
      action: 'lambda:InvokeFunction',
      resource: FUNCTION,
      identityPolicies: otherAccountAdmin,
      resourcePolicy: permission('*', false),
    });
    expect(result.decision).toBe('Allowed');
  });

  it('keeps Principal "*" with the SourceArn condition closed to a direct call, which carries no aws:SourceArn', async () => {
    const result = await simulateRequest({
      principalArn: OTHER_ACCOUNT,
      action: 'lambda:InvokeFunction',
      resource: FUNCTION,
      identityPolicies: otherAccountAdmin,
      resourcePolicy: permission('*'),
    });
    expect(result.decision).toBe('ImplicitlyDenied');
  });

  it("needs the other account's own Allow too: a resource policy alone does not grant cross-account", async () => {
    const result = await simulateRequest({
      principalArn: 'arn:aws:iam::999999999999:role/caller',
      action: 'lambda:InvokeFunction',
      resource: FUNCTION,
      resourcePolicy: permission('*', false),
    });
    expect(result).toEqual({ decision: 'ImplicitlyDenied', reasons: ['no Allow in the role policy'] });
  });
});

describe('simulateRequest: permission boundaries', () => {
  const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/app-boundary`;
  const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/deployer`;
  const APP_ROLE = `arn:aws:iam::${ACCOUNT}:role/app-flags`;
  const deployerPolicy = policy(
    allow('iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/app-*`, { Condition: { StringEquals: { 'iam:PermissionsBoundary': BOUNDARY } } }),
    allow('dynamodb:DeleteTable', '*'),
  );
  const createRole = (context: Record<string, string>, boundary?: PolicyDocument) =>
    simulateRequest({
      principalArn: DEPLOYER,
      action: 'iam:CreateRole',
      resource: APP_ROLE,
      identityPolicies: [deployerPolicy],
      context,
      ...(boundary ? { boundary } : {}),
    });

  it('allows CreateRole only with the required boundary in the request', async () => {
    await expect(createRole({ 'iam:PermissionsBoundary': BOUNDARY })).resolves.toEqual({ decision: 'Allowed', reasons: [] });
    await expect(createRole({})).resolves.toEqual({ decision: 'ImplicitlyDenied', reasons: ['no Allow in the role policy'] });
    await expect(createRole({ 'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/admin` })).resolves.toMatchObject({
      decision: 'ImplicitlyDenied',
    });
  });

  it("denies what the principal's own boundary does not allow, even when its policy allows it", async () => {
    const boundary = policy(allow(['iam:CreateRole'], '*'));
    await expect(createRole({ 'iam:PermissionsBoundary': BOUNDARY }, boundary)).resolves.toMatchObject({ decision: 'Allowed' });
    const deleteTable = await simulateRequest({
      principalArn: DEPLOYER,
      action: 'dynamodb:DeleteTable',
      resource: TABLE,
      identityPolicies: [deployerPolicy],
      boundary,
    });
    expect(deleteTable).toEqual({ decision: 'ImplicitlyDenied', reasons: ['no Allow in the permission boundary'] });
  });
});
