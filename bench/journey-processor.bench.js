#!/usr/bin/env node
/**
 * Journey processor speed and size. Throughput is reported as a ratio to decoding the same records
 * (base64 + JSON.parse) measured in the same run, so numbers compare across machines:
 * - core: processEvent over decoded records (pure funnel logic);
 * - handler: processKinesisBatch (decode + validate + core + EMF) with an in-memory store;
 * - bundle: minified handler bundle (esbuild, node22, @aws-sdk/* external); goal under 100 KB.
 */
const { join } = require('node:path');
const { handlerBundleBytes, loadTypeScript } = require('./support');

const root = join(__dirname, '..');
const lambdaDir = join(root, 'lambdas/journey-processor');
const BUNDLE_GOAL_BYTES = 100 * 1024;
const EVENTS = 20000;
const USERS = 1000;
const BATCH = 100;

/** The TypeScript modules the bench drives, as one CommonJS file. */
const loadModules = () =>
  loadTypeScript(
    "export * from './process-event'; export * from './processor'; export * from './memory-store'; export * from '../../domain/journeys/journey-schema'; export * from './user-state';",
    lambdaDir,
  );

/** Deterministic mix: exposures, checkout funnels with drop-off, and other product events. */
function makeEvents(journeys) {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const steps = journeys[0].steps;
  const progress = new Array(USERS).fill(0);
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const events = [];
  for (let i = 0; i < EVENTS; i += 1) {
    const user = Math.floor(random() * USERS);
    const timestamp = new Date(t0 + i * 1000).toISOString();
    const base = {
      messageId: `m-${i}`,
      userKey: `user-${user}`,
      userId: `user-${user}`,
      timestamp,
      receivedAt: timestamp,
      properties: { plan: 'pro' },
      featureFlags: [],
      context: { library: { name: 'bench' } },
    };
    const roll = random();
    if (roll < 0.05) {
      events.push({
        ...base,
        type: 'exposure',
        event: '$exposure',
        featureFlags: [{ 'feature_flag.key': 'new-checkout', 'feature_flag.result.variant': user % 2 ? 'treatment' : 'control' }],
      });
    } else if (roll < 0.6) {
      const step = progress[user] % steps.length;
      progress[user] = random() < 0.8 ? step + 1 : 0;
      events.push({ ...base, type: 'track', event: steps[step] });
    } else {
      events.push({ ...base, type: 'track', event: `feature_${Math.floor(random() * 20)}` });
    }
  }
  return events;
}

/** Best of a few runs, in events per second. */
async function eventsPerSecond(fn, count, runs = 5) {
  let best = Infinity;
  for (let r = 0; r < runs; r += 1) {
    const start = process.hrtime.bigint();
    await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return count / best;
}

async function run() {
  const m = loadModules();
  const journeys = m.loadJourneys(join(root, 'journeys'));
  const events = makeEvents(journeys);
  const datas = events.map((e) => Buffer.from(JSON.stringify(e)).toString('base64'));

  const reference = await eventsPerSecond(() => {
    for (const d of datas) JSON.parse(Buffer.from(d, 'base64').toString('utf8'));
  }, events.length);

  const core = await eventsPerSecond(() => {
    const states = new Map();
    for (const e of events) {
      const out = m.processEvent(states.get(e.userKey) ?? m.emptyUserState(), e, journeys);
      states.set(e.userKey, out.state);
    }
  }, events.length);

  const records = datas.map((data, i) => ({ kinesis: { sequenceNumber: String(i), data } }));
  const handler = await eventsPerSecond(async () => {
    const options = {
      store: new m.MemoryUserStore(),
      journeys,
      failures: { record: async (skipped) => skipped.length },
      writeLine: () => undefined,
      now: () => 0,
    };
    for (let i = 0; i < records.length; i += BATCH) {
      const out = await m.processKinesisBatch(records.slice(i, i + BATCH), options);
      if (out.batchItemFailures.length > 0) throw new Error('bench batch failed');
    }
  }, events.length);

  const bundle = handlerBundleBytes(join(lambdaDir, 'handler.ts'));
  return [
    { name: 'reference: base64 + JSON.parse', value: Math.round(reference), unit: 'events/s', ratio: 1 },
    { name: 'core: processEvent', value: Math.round(core), unit: 'events/s', ratio: core / reference },
    { name: 'handler: batch with in-memory store', value: Math.round(handler), unit: 'events/s', ratio: handler / reference },
    {
      name: 'handler bundle (minified)',
      value: bundle,
      unit: 'bytes',
      ratio: bundle / BUNDLE_GOAL_BYTES,
      goal: `< ${BUNDLE_GOAL_BYTES} bytes`,
      ok: bundle < BUNDLE_GOAL_BYTES,
    },
  ];
}

module.exports = { run };

if (require.main === module) {
  run().then(
    (rows) => {
      for (const r of rows) {
        const goal = r.goal ? `  goal ${r.goal}: ${r.ok ? 'met' : 'MISSED'}` : '';
        console.log(`${r.name.padEnd(40)} ${String(r.value).padStart(10)} ${r.unit.padEnd(9)} ratio ${r.ratio.toFixed(3)}${goal}`);
      }
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
