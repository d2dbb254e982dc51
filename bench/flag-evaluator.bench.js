'use strict';
/**
 * Flag evaluator speed against @openfeature/flagd-core (the reference JS engine) on the same flags and
 * contexts, in one run. Goals: targeting evaluations/s >= 2x flagd-core; evaluating 100 flags < 0.5 ms.
 * The TypeScript core is bundled with esbuild first (as the Lambda ships it); its minified size is printed.
 * Usage: node bench/flag-evaluator.bench.js   (or require(...).run() from bench/run.js)
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const esbuild = require('esbuild');
const { FlagdCore } = require('@openfeature/flagd-core');
const { TARGETING_FLAG, manyFlags, contexts } = require('./flags/bench-flags');

const ROOT = path.resolve(__dirname, '..');
const ENTRY = path.join(ROOT, 'domain/flags/evaluator/index.ts');

function bundleCore() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monoenv-flag-bench-'));
  const common = {
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    absWorkingDir: ROOT,
    logLevel: 'error',
  };
  esbuild.buildSync({ ...common, outfile: path.join(dir, 'core.js') });
  esbuild.buildSync({ ...common, minify: true, outfile: path.join(dir, 'core.min.js') });
  const minifiedBytes = fs.statSync(path.join(dir, 'core.min.js')).size;
  const core = require(path.join(dir, 'core.js'));
  return { core, minifiedBytes, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Runs fn(i) for about `ms` milliseconds; returns operations per second. */
function opsPerSecond(fn, ms) {
  let ops = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 1000; i++) fn(ops++);
    elapsed = process.hrtime.bigint() - start;
  }
  return ops / (Number(elapsed) / 1e9);
}

/** Median over rounds, alternating the two engines so both see the same machine load. */
function compare(ours, reference, { rounds = 5, ms = 300 } = {}) {
  opsPerSecond(ours, 200);
  opsPerSecond(reference, 200);
  const a = [];
  const b = [];
  for (let r = 0; r < rounds; r++) {
    a.push(opsPerSecond(ours, ms));
    b.push(opsPerSecond(reference, ms));
  }
  const median = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return { ours: median(a), reference: median(b) };
}

function run({ quiet = false } = {}) {
  const { core, minifiedBytes, cleanup } = bundleCore();
  try {
    const users = contexts(1024);
    const rows = [];

    // 1. One targeting flag with fractional + sem_ver + string operators.
    const single = { flags: { checkout: TARGETING_FLAG } };
    const set = core.compileFlagSet(single);
    const flagd = new FlagdCore();
    flagd.setConfigurations(JSON.stringify(single));
    const mismatches = users.filter(
      (u) => core.evaluateFlag(set, 'checkout', u).value !== flagd.resolveBooleanEvaluation('checkout', false, u).value,
    ).length;
    if (mismatches > 0) throw new Error(`engines disagree on ${mismatches} of ${users.length} contexts`);
    const now = Math.floor(Date.now() / 1000);
    const targeting = compare(
      (i) => core.evaluateFlag(set, 'checkout', users[i & 1023], now),
      (i) => flagd.resolveBooleanEvaluation('checkout', false, users[i & 1023]),
    );
    rows.push({
      name: 'targeting flag evaluations/s',
      value: targeting.ours,
      reference: targeting.reference,
      ratio: targeting.ours / targeting.reference,
      goal: '>= 2x flagd-core',
      pass: targeting.ours / targeting.reference >= 2,
    });

    // 2. Bulk: all 100 flags for one context.
    const many = manyFlags();
    const bulkSet = core.compileFlagSet(many);
    const bulkFlagd = new FlagdCore();
    bulkFlagd.setConfigurations(JSON.stringify(many));
    const bulk = compare(
      (i) => core.evaluateAll(bulkSet, users[i & 1023], now),
      (i) => bulkFlagd.resolveAll(users[i & 1023]),
      { rounds: 5, ms: 300 },
    );
    const msPerBulk = 1000 / bulk.ours;
    rows.push({
      name: 'evaluate 100 flags (ms)',
      value: msPerBulk,
      reference: 1000 / bulk.reference,
      ratio: bulk.ours / bulk.reference,
      goal: '< 0.5 ms',
      pass: msPerBulk < 0.5,
    });

    rows.push({
      name: 'core bundle, all exports, minified (KB)',
      value: minifiedBytes / 1024,
      reference: undefined,
      ratio: undefined,
      goal: 'info: whole flag Lambda < 60 KB',
      pass: minifiedBytes / 1024 < 60,
    });

    if (!quiet) print(rows);
    return rows;
  } finally {
    cleanup();
  }
}

function print(rows) {
  const fmt = (x) => (x === undefined ? '-' : x >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toFixed(3));
  const table = rows.map((r) => ({
    metric: r.name,
    monoenv: fmt(r.value),
    'flagd-core': fmt(r.reference),
    'speed ratio': r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}x`,
    goal: r.goal,
    result: r.pass ? 'PASS' : 'MISS',
  }));
  console.log('flag evaluator vs @openfeature/flagd-core (same flags, same contexts, same run)');
  console.table(table);
}

module.exports = { run };

if (require.main === module) run();
