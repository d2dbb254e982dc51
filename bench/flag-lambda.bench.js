'use strict';
/**
 * The flag Lambda as it ships: `lambdas/flag-evaluation/handler.ts` bundled with esbuild (node22, minified,
 * tree-shaken, `@aws-sdk/*` external because the nodejs22.x runtime provides it), compared in the same run
 * with @openfeature/flagd-core bundled the same way.
 *   - minified size; goal < 60 KB
 *   - module initialisation: `require` of the bundle in a fresh node process, median of N; goal < 15 ms
 *     for the bundle's own code (the SDK modules it loads are required before the clock starts); the
 *     same including the SDK load is printed for information (flagd-core has no AWS SDK to load)
 * Usage: node bench/flag-lambda.bench.js   (or require(...).run() from bench/run.js)
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const esbuild = require('esbuild');

const ROOT = path.resolve(__dirname, '..');
const HANDLER = path.join(ROOT, 'lambdas/flag-evaluation/handler.ts');
const INIT_RUNS = Number(process.env.BENCH_INIT_RUNS || 15);

function bundle(entry, outfile) {
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    treeShaking: true,
    external: ['@aws-sdk/*', '@smithy/*'],
    absWorkingDir: ROOT,
    logLevel: 'error',
    outfile,
  };
  esbuild.buildSync(typeof entry === 'string' ? { ...common, entryPoints: [entry] } : { ...common, stdin: entry });
  return fs.statSync(outfile).size;
}

/** AWS SDK modules the handler loads at init; the runtime reads them from its own disk. */
const SDK_AT_INIT = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/client-secrets-manager'];

/**
 * Milliseconds to `require` the file in a fresh node, median of `runs`. With `preload`, those modules
 * are required before the clock starts, so only the bundle's own initialisation is measured.
 */
function initMs(file, runs, preload = []) {
  const script = `${preload.map((m) => `require(${JSON.stringify(m)});`).join('')} const t = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
  const env = { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules'), FLAGS_TABLE: 'bench', AWS_REGION: 'us-east-1' };
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(Number(execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8' })));
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

function run({ quiet = false } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monoenv-flag-lambda-bench-'));
  try {
    const ours = path.join(dir, 'handler.min.js');
    const reference = path.join(dir, 'flagd-core.min.js');
    const oursBytes = bundle(HANDLER, ours);
    const referenceBytes = bundle(
      { contents: "module.exports = require('@openfeature/flagd-core');", resolveDir: ROOT, loader: 'js' },
      reference,
    );
    const oursInit = initMs(ours, INIT_RUNS, SDK_AT_INIT);
    const referenceInit = initMs(reference, INIT_RUNS);
    const oursInitWithSdk = initMs(ours, INIT_RUNS);
    const rows = [
      {
        name: 'bundle, minified (KB)',
        value: oursBytes / 1024,
        reference: referenceBytes / 1024,
        ratio: oursBytes / referenceBytes,
        goal: '< 60 KB',
        pass: oursBytes / 1024 < 60,
      },
      {
        name: `module init without AWS SDK load, median of ${INIT_RUNS} (ms)`,
        value: oursInit,
        reference: referenceInit,
        ratio: oursInit / referenceInit,
        goal: '< 15 ms',
        pass: oursInit < 15,
      },
      {
        name: `module init incl. loading AWS SDK clients (ms)`,
        value: oursInitWithSdk,
        reference: referenceInit,
        ratio: oursInitWithSdk / referenceInit,
        goal: 'info',
        pass: true,
      },
    ];
    if (!quiet) print(rows);
    return rows;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function print(rows) {
  const table = rows.map((r) => ({
    metric: r.name,
    'monoenv flag Lambda': r.value.toFixed(2),
    'flagd-core': r.reference.toFixed(2),
    ratio: `${r.ratio.toFixed(2)}x`,
    goal: r.goal,
    result: r.pass ? 'PASS' : 'MISS',
  }));
  console.log('flag Lambda bundle vs @openfeature/flagd-core bundled the same way (same run)');
  console.table(table);
}

module.exports = { run };

if (require.main === module) run();
