import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { motoClientConfig, startMoto, type MotoServer } from '../../cli/local/moto-server';
import type { MonoenvConfigInput } from '../../config/schema';
import { formatDenials, simulateCalls, startRecordingProxy, type KeyOf, type RecordingProxy } from './iam';
import { productionPolicies } from './iam/production-policies';
import { describeNeeding } from './needs';

export { motoClientConfig } from '../../cli/local/moto-server';

/**
 * Plays a deployed function's environment for code that builds its SDK clients from `process.env`, as Lambda gives
 * it: the endpoint, the region and credentials named after the function (so its calls are told apart). Returns what
 * puts `process.env` back.
 */
export function useFunctionEnvironment(endpoint: string, functionName: string, region = 'us-east-1'): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: functionName,
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  return () => {
    process.env = saved;
  };
}

/** SDK settings for code that plays a deployed function: its name is its access key id, so its calls are told apart. */
export function functionClientConfig(endpoint: string, functionName: string, region = 'us-east-1') {
  return { ...motoClientConfig(endpoint, region), credentials: { accessKeyId: functionName, secretAccessKey: 'local' } };
}

export interface MotoSuiteOptions {
  /**
   * After the suite, evaluate every AWS call made with function credentials (`functionClientConfig`) against the
   * IAM policies and boundary the production stack gives that function, with a real IAM evaluator; any call AWS
   * would deny fails the suite. @default - no evaluation
   */
  readonly iam?: {
    /** The config the stack is synthesized with. @default {} (the defaults: appName monoenv, us-east-1) */
    readonly config?: MonoenvConfigInput;
    /** Maps the suite's own resource ARNs to the stack's (e.g. several test tables standing for one). */
    readonly alias?: (arn: string) => string;
    /** Customer managed keys of the suite's resources, so the KMS actions they imply are evaluated too. */
    readonly keyOf?: KeyOf;
  };
}

/** Evaluates the recorded calls of function principals; throws the denials, in words. */
async function evaluateFunctionCalls(proxy: RecordingProxy, iam: NonNullable<MotoSuiteOptions['iam']>): Promise<void> {
  const { policies, functions } = productionPolicies(iam.config);
  const alias = iam.alias ?? ((arn: string) => arn);
  const calls = proxy
    .calls()
    .filter((call) => functions.includes(call.principal))
    .map((call) => ({
      ...call,
      authorizations: call.authorizations.map((a) => ({ ...a, resource: alias(a.resource) })),
      resources: call.resources.map(alias),
    }));
  if (calls.length === 0)
    throw new Error('the suite asked for an IAM evaluation but made no AWS call with function credentials (functionClientConfig)');
  const principals = [...new Set(calls.map((call) => call.principal))];
  const roles = Object.fromEntries(principals.map((fn) => [fn, policies.functionRole(fn)]));
  const boundaries = Object.fromEntries(principals.map((fn) => [fn, roles[fn].boundaryArn]).filter(([, arn]) => arn)) as Record<
    string,
    string
  >;
  const boundaryDocuments = Object.fromEntries(Object.entries(boundaries).map(([fn]) => [fn, workloadBoundary()]));
  const results = await simulateCalls({
    calls,
    identityPolicies: Object.fromEntries(principals.map((fn) => [fn, roles[fn].identityPolicies])),
    permissionBoundaries: boundaryDocuments,
    principalArns: Object.fromEntries(principals.map((fn) => [fn, `arn:aws:iam::123456789012:role/${roles[fn].roleName}`])),
    keyOf: iam.keyOf,
    // A customer managed key's default key policy: the account's IAM policies decide (AWS's default for new keys).
    resourcePolicies: iam.keyOf
      ? keyPolicies(
          calls.flatMap((call) => call.resources),
          iam.keyOf,
        )
      : undefined,
  });
  const denials = formatDenials(results);
  if (denials) throw new Error(`AWS would deny calls the functions made in this suite:\n${denials}`);
}

function workloadBoundary() {
  const { workloadBoundaryDocument } =
    require('../../constructs/security/permissions-boundary') as typeof import('../../constructs/security/permissions-boundary');
  return workloadBoundaryDocument() as { Statement: unknown };
}

function keyPolicies(resources: readonly string[], keyOf: KeyOf) {
  const keys = [...new Set(resources.map(keyOf).filter((key): key is string => key !== undefined))];
  return Object.fromEntries(
    keys.map((key) => [
      key,
      {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'Enable IAM User Permissions',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::123456789012:root' },
            Action: 'kms:*',
            Resource: '*',
          },
        ],
      },
    ]),
  );
}

/**
 * `describe` with a moto server of its own behind a recording proxy (`moto().endpoint` is the proxy); skips (with
 * the reason printed) when moto is unavailable, and fails in CI instead.
 */
export const describeWithMoto = (name: string, fn: (moto: () => MotoServer) => void, options: MotoSuiteOptions = {}): void => {
  describeNeeding(['moto'], name, () => {
    let server: MotoServer | undefined;
    let proxy: RecordingProxy | undefined;
    beforeAll(async () => {
      server = await startMoto();
      proxy = await startRecordingProxy({ target: server.endpoint });
    }, 60000);
    afterAll(async () => {
      try {
        if (options.iam && proxy) await evaluateFunctionCalls(proxy, options.iam);
      } finally {
        await proxy?.close();
        await server?.stop();
      }
    }, 60000);
    fn(() => {
      if (!server || !proxy) throw new Error('moto not started');
      return { ...server, endpoint: proxy.url };
    });
  });
};

/** The `pk`/`sk` on-demand table layout every monoenv table uses (flags, analytics). */
export async function createPkSkTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
    }),
  );
}
