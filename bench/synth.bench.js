// Synth time of the production stack and peak memory of the TypeScript type-check, each next to a
// reference measured in the same run (an empty cdktf stack; tsc on one tiny file).
const { spawnSync } = require('node:child_process');
const { mkdtempSync, writeFileSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tsNode = require.resolve('ts-node/dist/bin.js');
const tsc = require.resolve('typescript/lib/tsc.js');

function timed(args, env = {}) {
  const start = process.hrtime.bigint();
  const out = spawnSync(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (out.status !== 0) throw new Error(`${args.join(' ')} failed:\n${out.stderr || out.stdout}`);
  return { seconds, stderr: out.stderr };
}

/** Peak RSS (MB) of a tsc run, read from inside its own process at exit. */
function tscPeakMb(tscArgs) {
  const probe = `process.on('exit',()=>{require('fs').writeSync(2,'\\nMAXRSS_KB='+process.resourceUsage().maxRSS+'\\n')});process.argv=[process.argv[0],'tsc',...${JSON.stringify(tscArgs)}];require(${JSON.stringify(tsc)})`;
  const { seconds, stderr } = timed(['-e', probe]);
  const kb = Number(/MAXRSS_KB=(\d+)/.exec(stderr)[1]);
  return { mb: kb / 1024, seconds };
}

function run() {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'monoenv-bench-'));
  try {
    const emptyApp = path.join(scratch, 'empty.ts');
    writeFileSync(
      emptyApp,
      `import { App, TerraformStack } from 'cdktf';\nimport { AwsProvider } from '@cdktf/provider-aws/lib/provider';\nconst app = new App({ outdir: ${JSON.stringify(path.join(scratch, 'out-empty'))} });\nconst s = new TerraformStack(app, 'empty');\nnew AwsProvider(s, 'aws', { region: 'us-east-1' });\napp.synth();\n`,
    );
    const env = { NODE_PATH: path.join(root, 'node_modules') };
    const reference = timed([tsNode, '--transpile-only', '--project', path.join(root, 'tsconfig.json'), emptyApp], env);
    const synth = timed([tsNode, '--transpile-only', 'main.ts'], { CDKTF_OUTDIR: path.join(scratch, 'out') });

    const tiny = path.join(scratch, 'tiny.ts');
    writeFileSync(tiny, 'export const x: number = 1;\n');
    const tscReference = tscPeakMb(['--noEmit', '--skipLibCheck', tiny]);
    const typecheck = tscPeakMb(['--noEmit', '-p', path.join(root, 'tsconfig.json')]);

    return [
      {
        name: 'synth: production + bootstrap stacks (s)',
        value: synth.seconds,
        reference: reference.seconds,
        referenceName: 'empty stack synth',
        goal: 15,
        unit: 's',
      },
      {
        name: 'type-check: peak memory (MB)',
        value: typecheck.mb,
        reference: tscReference.mb,
        referenceName: 'tsc on one tiny file',
        goal: 1024,
        unit: 'MB',
      },
      {
        name: 'type-check: time (s)',
        value: typecheck.seconds,
        reference: tscReference.seconds,
        referenceName: 'tsc on one tiny file',
        unit: 's',
      },
    ];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

module.exports = { run };

if (require.main === module) {
  for (const row of run()) {
    const verdict =
      row.goal === undefined
        ? ''
        : row.value <= row.goal
          ? `PASS (goal < ${row.goal} ${row.unit})`
          : `MISS (goal < ${row.goal} ${row.unit})`;
    console.log(
      `${row.name}: ${row.value.toFixed(2)}  = ${(row.value / row.reference).toFixed(2)}x ${row.referenceName} (${row.reference.toFixed(2)})  ${verdict}`,
    );
  }
}
