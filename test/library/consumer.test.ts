import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../support/temp';

// A team's own cdktf app that depends on monoenv as a package: it compiles against the published
// entry point (package.json `exports` -> dist/index.d.ts) and synthesizes a stack from the constructs.
const root = path.resolve(__dirname, '..', '..');
const tsc = require.resolve('typescript/lib/tsc.js');

function run(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

describe('monoenv as a library', () => {
  const work = tempDir('monoenv-consumer-');
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('compiles and synthesizes a consumer app that imports the constructs from the package entry point', () => {
    // The package as npm would install it: package.json + the compiled dist/.
    const pkg = path.join(work, 'node_modules', 'monoenv');
    mkdirSync(pkg, { recursive: true });
    copyFileSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
    run([tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', path.join(pkg, 'dist')], root);
    symlinkSync(path.join(root, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
    // The consumer's own copies of the peer dependencies (the same folders, so one copy of each).
    for (const dep of ['cdktf', 'constructs', '@cdktf', '@types', 'typescript']) {
      symlinkSync(path.join(root, 'node_modules', dep), path.join(work, 'node_modules', dep), 'dir');
    }

    writeFileSync(path.join(work, 'main.ts'), `
import { App, Aspects, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { FlagStore, Guardrails, Monitoring, type FlagStoreProps, type MonitoringProps } from 'monoenv';

const app = new App({ outdir: process.argv[2] });
const stack = new TerraformStack(app, 'checkout');
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
const monitoringProps: MonitoringProps = { namePrefix: 'checkout' };
const monitoring = new Monitoring(stack, 'monitoring', monitoringProps);
const props: FlagStoreProps = { namePrefix: 'checkout', monitoring, flags: { flags: { beta: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' } } } };
const flags = new FlagStore(stack, 'flags', props);
const tableName: string = flags.tableName;
Aspects.of(stack).add(new Guardrails({ now: () => new Date('2026-11-29T12:00:00Z') }));
app.synth();
console.log(tableName.length > 0 ? 'synthesized' : 'no table');
`);
    writeFileSync(path.join(work, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, skipLibCheck: true, outDir: 'out', types: ['node'] },
      files: ['main.ts'],
    }));
    run([tsc, '-p', 'tsconfig.json'], work);
    const out = path.join(work, 'cdktf.out');
    expect(run([path.join(work, 'out', 'main.js'), out], work)).toContain('synthesized');

    const synthesized = JSON.parse(readFileSync(path.join(out, 'stacks', 'checkout', 'cdk.tf.json'), 'utf8'));
    expect(synthesized.resource.aws_dynamodb_table.flags_table_182295D1 ?? Object.values(synthesized.resource.aws_dynamodb_table)[0]).toMatchObject({ name: 'checkout-flags' });
    // The flag Lambda was bundled from the compiled package.
    expect(Object.values(synthesized.resource.aws_lambda_function as Record<string, { function_name: string }>).map((f) => f.function_name)).toEqual(['checkout-flags-evaluate']);
  }, 180000);
});
