import * as path from 'node:path';
import { readdirSync } from 'node:fs';
import { TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LambdaInvokeError, startLambdaHost, type LambdaHost } from '../../../cli/local/lambda-host';
import { MonoenvFunction } from '../../../constructs/core/monoenv-function';
import { tempDir, testApp } from '../../support/temp';

/** The zip terraform would upload for a handler: a MonoenvFunction synthesized as the stack does it. */
function shippedZip(entry: string): string {
  const app = testApp();
  const stack = new TerraformStack(app, 'stack');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new MonoenvFunction(stack, 'fn', { entry, functionName: 'shop-env', timeoutSeconds: 1 });
  app.synth();
  const assets = path.join(app.outdir, 'stacks', 'stack', 'assets');
  const [asset] = readdirSync(assets);
  const [hash] = readdirSync(path.join(assets, asset));
  return path.join(assets, asset, hash, 'archive.zip');
}

describe('a deployed function run by the local runtime', () => {
  const zipFile = shippedZip(path.join(__dirname, 'fixtures', 'env-handler.ts'));
  const lines: string[] = [];
  let host: LambdaHost;

  beforeAll(async () => {
    process.env.MONOENV_TEST_SECRET = 'not for functions';
    host = await startLambdaHost({
      functionName: 'shop-env',
      zipFile,
      codeDir: tempDir('monoenv-code-'),
      handler: 'index.handler',
      environment: { TABLE: 'shop-flags' },
      awsEndpoint: 'http://127.0.0.1:1',
      region: 'eu-west-1',
      timeoutSeconds: 1,
      log: (line) => lines.push(line),
    });
  });
  afterAll(async () => {
    delete process.env.MONOENV_TEST_SECRET;
    await host.close();
  });

  it('runs the shipped bundle with only its deployed environment, its own credentials and the SDK the runtime provides', async () => {
    expect(await host.invoke({})).toEqual({
      table: 'shop-flags',
      leaked: null,
      accessKey: 'shop-env',
      endpoint: 'http://127.0.0.1:1',
      region: 'eu-west-1',
      functionName: 'shop-env',
    });
  });

  it('reports a handler error as Lambda does, and keeps serving', async () => {
    await expect(host.invoke({ fail: 'bad input' })).rejects.toMatchObject({
      errorType: 'TypeError',
      message: 'shop-env: TypeError: bad input',
    });
    expect(await host.invoke({})).toMatchObject({ table: 'shop-flags' });
  });

  it('times out an invocation that runs past the function timeout', async () => {
    const slow = host.invoke({ wait: 1500 });
    await expect(slow).rejects.toBeInstanceOf(LambdaInvokeError);
    await expect(slow).rejects.toMatchObject({ errorType: 'Sandbox.Timedout' });
  });

  it('fails every invocation of a package whose handler does not exist, naming it', async () => {
    const broken = await startLambdaHost({
      functionName: 'shop-broken',
      zipFile,
      codeDir: tempDir('monoenv-code-'),
      handler: 'index.nope',
      environment: {},
      awsEndpoint: 'http://127.0.0.1:1',
      region: 'eu-west-1',
      timeoutSeconds: 1,
      log: () => undefined,
    });
    try {
      await expect(broken.invoke({})).rejects.toThrow(/shop-broken: Error: the module has no export nope/);
    } finally {
      await broken.close();
    }
  });
});
