// CLI start-up: wall time of `node bin/monoenv.js ...` from a fresh dist/, median of N, as a ratio to a
// bare `node -e 0` measured in the same run (interleaved, so load on the machine hits both alike);
// goal at most 8x. A kill switch during an incident must not wait. The start after a source changed
// (that file recompiled into dist/ first) is measured in a copy of the project, for information.
const { spawnSync } = require('node:child_process');
const { cpSync, mkdtempSync, rmSync, symlinkSync, utimesSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_CLI_RUNS || 15);
const REBUILD_RUNS = Number(process.env.BENCH_CLI_REBUILD_RUNS || 5);
const GOAL = 8;
// What the package ships but dist/, plus the build's inputs (as test/bin/monoenv-start.test.ts copies).
const COPIED = [
  ...require('../package.json').files.filter((name) => name !== 'dist' && !name.includes('*')),
  'main.ts',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
];

/** Milliseconds for one `node ...args` in `cwd`; `rebuild` says whether it had to rebuild dist/ first. */
function once(args, cwd = root) {
  const start = process.hrtime.bigint();
  const out = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (out.status !== 0) throw new Error(`node ${args.join(' ')} exited ${out.status}:\n${out.stderr || out.stdout}`);
  return { ms, rebuild: /rebuilding it first/.test(out.stderr) };
}

const median = (samples) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

function run() {
  const bin = path.join(root, 'bin', 'monoenv.js');
  const commands = {
    'monoenv --help': [bin, '--help'],
    'monoenv flags validate --dir flags': [bin, 'flags', 'validate', '--dir', 'flags'],
  };
  once(commands['monoenv --help']); // builds dist/ if it is not current, so the timed runs start fresh
  const samples = { reference: [], ...Object.fromEntries(Object.keys(commands).map((name) => [name, []])) };
  for (let i = 0; i < RUNS; i += 1) {
    samples.reference.push(once(['-e', '0']).ms);
    for (const [name, args] of Object.entries(commands)) {
      const { ms, rebuild } = once(args);
      if (rebuild) throw new Error(`${name} rebuilt dist/ during the timed runs: is something editing the sources?`);
      samples[name].push(ms);
    }
  }
  const reference = median(samples.reference);
  const rows = Object.keys(commands).map((name) => ({
    name: `cli start-up: ${name}, median of ${RUNS} (ms)`,
    value: median(samples[name]),
    reference,
    goal: GOAL,
  }));

  // After an edit: every start rebuilds, in a copy of the project (the repository's dist/ is left alone).
  const copy = mkdtempSync(path.join(os.tmpdir(), 'monoenv-bench-cli-'));
  try {
    for (const name of COPIED) cpSync(path.join(root, name), path.join(copy, name), { recursive: true });
    symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
    const source = path.join(copy, 'cli', 'flags', 'command.ts');
    const rebuilt = [];
    for (let i = 0; i <= REBUILD_RUNS; i += 1) {
      const edited = new Date(Date.now() + (i + 1) * 1000); // newer than the build before it
      utimesSync(source, edited, edited);
      const { ms, rebuild } = once([path.join(copy, 'bin', 'monoenv.js'), 'flags', 'validate', '--dir', path.join(root, 'flags')], copy);
      if (!rebuild) throw new Error('a start after a source changed did not rebuild dist/');
      if (i > 0) rebuilt.push(ms); // the first also fills the file cache for the copy
    }
    rows.push({
      name: `cli start-up after a source changed (recompiled first): monoenv flags validate, median of ${REBUILD_RUNS} (ms)`,
      value: median(rebuilt),
      reference,
    });
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
  return rows;
}

module.exports = { run };

if (require.main === module) {
  for (const row of run()) {
    const ratio = row.value / row.reference;
    const verdict = row.goal === undefined ? '(info)' : ratio <= row.goal ? `PASS (goal <= ${row.goal}x)` : `MISS (goal <= ${row.goal}x)`;
    console.log(`${row.name}: ${row.value.toFixed(0)}  = ${ratio.toFixed(2)}x node -e 0 (${row.reference.toFixed(0)})  ${verdict}`);
  }
}
