import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../support/temp';
import { REPO_ROOT } from '../support/paths';

// A team's own cdktf app that depends on monoenv as a package: it compiles against the published
// entry point (package.json `exports` -> dist/index.d.ts) and synthesizes a stack from the constructs.
const root = REPO_ROOT;
const tsc = require.resolve('typescript/lib/tsc.js');
const example = path.join(root, 'examples', 'library-consumer');

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...env } });
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

    // The example app as it is in the repository, compiled against the installed package.
    for (const file of ['main.ts', 'tsconfig.json']) copyFileSync(path.join(example, file), path.join(work, file));
    run([tsc, '-p', 'tsconfig.json'], work);
    const out = path.join(work, 'cdktf.out');
    // A fixed day for the runtime calendar, as any team can pin it (MONOENV_SYNTH_DATE).
    run([path.join(work, 'out', 'main.js')], work, { CDKTF_OUTDIR: out, MONOENV_SYNTH_DATE: '2026-11-29' });

    const synthesized = JSON.parse(readFileSync(path.join(out, 'stacks', 'checkout', 'cdk.tf.json'), 'utf8'));
    expect(synthesized.resource.aws_dynamodb_table.flags_table_182295D1).toMatchObject({ name: 'checkout-flags' });
    // The Lambdas were bundled from the installed package, behind the one front door the app made.
    expect(
      Object.values(synthesized.resource.aws_lambda_function as Record<string, { function_name: string }>)
        .map((f) => f.function_name)
        .sort(),
    ).toEqual(['checkout-flags-evaluate', 'checkout-ingest', 'checkout-journey-processor']);
    expect(
      Object.values(synthesized.resource.aws_apigatewayv2_route as Record<string, { route_key: string }>)
        .map((r) => r.route_key)
        .sort(),
    ).toEqual(['ANY /ofrep/v1/evaluate/flags', 'ANY /ofrep/v1/evaluate/flags/{key}', 'ANY /v1/events']);
    expect(Object.keys(synthesized.output)).toEqual(['api_url', 'flags_table']);
  }, 180000);
});
