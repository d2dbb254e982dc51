#!/usr/bin/env node
/**
 * Does the rollout controller's statistics keep its promises? Simulated rollouts of the default plan
 * (domain/rollouts/simulate.ts: 1, 5, 25, 50, 100 %, 50 users a minute converting at 40 %), the controller's own
 * readGuardrails and decide run every simulated minute. Goals:
 * - A/A (no real difference, checked every minute): rolled back in at most 5 % of 1,000 runs;
 * - a 20 % relative drop of conversion: rolled back before the 50 % step in at least 90 % of 1,000 runs.
 * A +20 % improvement is run too, for information (it should never be rolled back). Rates are the point; the
 * speed is printed against drawing the same random numbers alone, measured in the same run.
 * Seeded: the same figures on every machine. Also the controller's handler bundle (goal under 100 KB, as the
 * journey processor's; it runs once a minute, so its size matters for cold starts only).
 */
const { join } = require('node:path');
const { handlerBundleBytes, loadTypeScript } = require('./support');

const BUNDLE_GOAL_BYTES = 100 * 1024;

const RUNS = 1000;
const SEED = 20260105;
const FALSE_ROLL_BACK_GOAL = 0.05;
const DETECTION_GOAL = 0.9;

const loadModules = () => loadTypeScript("export * from './simulate';", join(__dirname, '../domain/rollouts'));

/** Seconds taken by fn, and its result. */
function timed(fn) {
  const start = process.hrtime.bigint();
  const result = fn();
  return { result, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

function run() {
  const m = loadModules();
  const defaults = m.SIMULATION_DEFAULTS;
  const plan = defaults.plan;
  const simulate = (relativeEffect) => timed(() => m.simulateMany({ ...defaults, relativeEffect, seed: SEED }, RUNS));

  const aa = simulate(0);
  const drop = simulate(-0.2);
  const gain = simulate(0.2);

  // Reference: the random numbers the same simulated users need (arrivals aside), drawn alone.
  const users = [aa, drop, gain].reduce((total, { result }) => total + result.meanMinutes * result.runs * defaults.usersPerMinute, 0);
  const reference = timed(() => {
    const random = m.seededRandom(SEED);
    let sink = 0;
    for (let i = 0; i < users * 2; i += 1) sink += random();
    return sink;
  });

  // A median between two steps (an even count of roll-backs) reads as both shares.
  const percentOfStep = (step) =>
    Number.isInteger(step)
      ? `${plan.steps[step].percent} %`
      : `${plan.steps[Math.floor(step)].percent}-${plan.steps[Math.ceil(step)].percent} %`;
  const medians = (summary) =>
    summary.rolledBack === 0
      ? 'no roll-backs'
      : `median roll-back at ${percentOfStep(summary.medianRollBackStep)} (step ${summary.medianRollBackStep}), ${summary.medianRollBackMinutes} min`;
  const percent = (rate) => `${(rate * 100).toFixed(1)} %`;
  const byStep = (summary) => plan.steps.map((step, i) => `${step.percent}%:${summary.rolledBackAtStep[i]}`).join(' ');

  const falseRate = aa.result.rollBackRate;
  const detected = m.rollBackRateBefore(drop.result, plan, 50);
  return {
    rows: [
      {
        name: 'A/A: false roll-back rate',
        value: percent(falseRate),
        detail: `${aa.result.rolledBack} of ${RUNS}; by step ${byStep(aa.result)}; ${medians(aa.result)}`,
        verdict: `${falseRate <= FALSE_ROLL_BACK_GOAL ? 'PASS' : 'MISS'} (goal <= ${percent(FALSE_ROLL_BACK_GOAL)})`,
      },
      {
        name: '-20 %: rolled back before 50 %',
        value: percent(detected),
        detail: `${drop.result.rolledBack} of ${RUNS} rolled back; by step ${byStep(drop.result)}; ${medians(drop.result)}; ${Math.round(drop.result.meanUsersExposed)} users exposed on average`,
        verdict: `${detected >= DETECTION_GOAL ? 'PASS' : 'MISS'} (goal >= ${percent(DETECTION_GOAL)})`,
      },
      {
        name: '+20 %: rolled back',
        value: percent(gain.result.rollBackRate),
        detail: `${gain.result.rolledBack} of ${RUNS}; by step ${byStep(gain.result)}; ${gain.result.completed} completed`,
        verdict: '(info: should be 0)',
      },
    ],
    example: aa.result.results.find((result) => result.outcome === 'rolled-back')?.reason,
    speed: {
      simsPerSecond: (3 * RUNS) / (aa.seconds + drop.seconds + gain.seconds),
      seconds: aa.seconds + drop.seconds + gain.seconds,
      ratio: (aa.seconds + drop.seconds + gain.seconds) / reference.seconds,
    },
  };
}

module.exports = { run };

if (require.main === module) {
  const { rows, example, speed } = run();
  console.log(`simulated rollouts of the default plan, ${RUNS} runs each (seed ${SEED})`);
  for (const row of rows) console.log(`${row.name.padEnd(34)} ${row.value.padStart(7)}  ${row.verdict}\n    ${row.detail}`);
  if (example) console.log(`first A/A roll-back: ${example}`);
  const bundle = handlerBundleBytes(join(__dirname, '../lambdas/rollout-controller/handler.ts'));
  console.log(
    `controller handler bundle (minified): ${(bundle / 1024).toFixed(1)} KB = ${(bundle / BUNDLE_GOAL_BYTES).toFixed(2)}x the goal  ${bundle < BUNDLE_GOAL_BYTES ? 'PASS' : 'MISS'} (goal < 100 KB)`,
  );
  console.log(
    `speed: ${Math.round(speed.simsPerSecond)} simulated rollouts/s (${speed.seconds.toFixed(2)} s) = ${speed.ratio.toFixed(1)}x drawing their users' random numbers alone`,
  );
}
