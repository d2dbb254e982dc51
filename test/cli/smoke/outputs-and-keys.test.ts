import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { UsageError } from '../../../cli/command-line';
import { smoke } from '../../../cli/smoke';
import { regionOfArn, resolveKey, secretsManagerReader } from '../../../cli/smoke/keys';
import { joinUrl, parseSmokeOutputs, SmokeOutputsError } from '../../../cli/smoke/outputs';
import { describeWithMoto, motoClientConfig } from '../../support/moto';

const flat = {
  service_url: 'http://shop-alb-1.eu-west-1.elb.amazonaws.com',
  flags_url: 'https://abc.lambda-url.eu-west-1.on.aws/',
  events_url: 'https://def.lambda-url.eu-west-1.on.aws/',
};

describe('smoke outputs', () => {
  it('reads terraform output -json, cdktf --outputs-file and flat maps alike', () => {
    const wrapped = Object.fromEntries(Object.entries(flat).map(([k, value]) => [k, { sensitive: false, type: 'string', value }]));
    expect(parseSmokeOutputs(wrapped)).toEqual(flat);
    expect(parseSmokeOutputs({ production: { ...flat, dashboard_url: 'x' } })).toEqual(flat);
    expect(parseSmokeOutputs(flat)).toEqual(flat);
  });

  it('names every missing or bad field', () => {
    const error = (() => {
      try {
        parseSmokeOutputs({ service_url: 'ftp://x', flags_url: 42 }, 'out.json');
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SmokeOutputsError);
    expect((error as SmokeOutputsError).code).toBe('OUTPUTS_INVALID');
    expect((error as SmokeOutputsError).problems).toEqual([
      'service_url: must be an http(s) URL, got "ftp://x"',
      'flags_url: must be an http(s) URL, got 42',
      'events_url: missing',
    ]);
    expect((error as Error).message).toContain('out.json');
    expect(() => parseSmokeOutputs([flat])).toThrow('(root): must be a JSON object of outputs');
  });

  it('joins paths onto function URLs and path prefixes without doubling or losing slashes', () => {
    expect(joinUrl('https://abc.on.aws/', '/ofrep/v1/evaluate/flags')).toBe('https://abc.on.aws/ofrep/v1/evaluate/flags');
    expect(joinUrl('https://api.example.com/flags', '/ofrep/v1/evaluate/flags')).toBe(
      'https://api.example.com/flags/ofrep/v1/evaluate/flags',
    );
  });
});

describe('smoke keys', () => {
  const hint = 'pass --flags-key';
  it('prefers a given key, else the first kind the secret holds', async () => {
    const read = async () => ({ server: [], client: ['client-1'] });
    expect(await resolveKey({ explicit: 'k', secretArn: 'arn', kinds: ['server'], hint }, read)).toEqual({ key: 'k', from: 'given' });
    expect(await resolveKey({ secretArn: 'arn:s', kinds: ['server', 'client'], hint }, read)).toEqual({
      key: 'client-1',
      from: 'secret arn:s (client)',
    });
  });

  it('turns every way of not having a key into a problem that says what to do', async () => {
    expect(await resolveKey({ kinds: ['write'], hint }, async () => ({}))).toEqual({
      problem: 'no key: the outputs name no secret; pass --flags-key',
    });
    expect(await resolveKey({ secretArn: 'arn:s', kinds: ['write'], hint }, async () => ({ server: ['x'] }))).toEqual({
      problem: 'secret arn:s holds no write key; pass --flags-key',
    });
    expect(
      await resolveKey({ secretArn: 'arn:s', kinds: ['write'], hint }, async () => {
        throw new Error('AccessDeniedException');
      }),
    ).toEqual({ problem: 'cannot read secret arn:s: AccessDeniedException; pass --flags-key' });
  });

  it('finds the region in a secret ARN', () => {
    expect(regionOfArn('arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-keys-AbC')).toBe('eu-west-1');
    expect(regionOfArn('shop-keys')).toBeUndefined();
  });
});

describe('smoke options', () => {
  const deps = {
    cwd: '/nonexistent',
    env: {},
    log: () => undefined,
    terraformOutputs: async () => {
      throw new Error('not reached');
    },
  };
  it.each([
    [['--attempts', '0'], '--attempts must be at least 1'],
    [['--attempts', '2.5'], '--attempts must be a whole number'],
    [['--timeout', 'soon'], '--timeout must be a number'],
    [['--health-path', 'health'], '--health-path must start with /'],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('refuses %j with a usage error naming the option', async (argv, message) => {
    const error = await smoke(argv, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('USAGE');
    expect((error as Error).message).toContain(message);
  });

  it('says an outputs file is unreadable or not JSON', async () => {
    await expect(smoke(['--outputs', 'missing.json'], deps)).rejects.toThrow(/cannot read --outputs \/nonexistent\/missing.json: ENOENT/);
  });
});

describeWithMoto('smoke keys from Secrets Manager', (moto) => {
  it('reads the keys secret the outputs name, as the Lambdas do', async () => {
    const config = motoClientConfig(moto().endpoint, 'eu-west-1');
    const client = new SecretsManagerClient(config);
    const { ARN } = await client.send(
      new CreateSecretCommand({ Name: 'shop-flag-api-keys', SecretString: JSON.stringify({ server: ['srv-key'], client: ['cli-key'] }) }),
    );
    client.destroy();
    const read = secretsManagerReader(config);
    expect(await resolveKey({ secretArn: ARN, kinds: ['server', 'client'], hint: '' }, read)).toEqual({
      key: 'srv-key',
      from: `secret ${ARN} (server)`,
    });
    const missing = await resolveKey(
      { secretArn: ARN!.replace('shop-flag-api-keys', 'gone'), kinds: ['server'], hint: 'pass --flags-key' },
      read,
    );
    expect('problem' in missing && missing.problem).toMatch(/^cannot read secret .*gone.*; pass --flags-key$/);
  });
});
