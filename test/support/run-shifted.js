#!/usr/bin/env node
// `npm run test:shifted`: the whole suite again with the clock a year ahead and a week behind (libfaketime, Debian
// package `faketime`), so a test that depends on the date it runs fails here instead of on that date in CI.
// Extra arguments go to jest (e.g. a test path).
const { spawnSync } = require('node:child_process');

const SHIFTS = [
  { label: 'a year ahead', offset: '+365d' },
  { label: 'a week behind', offset: '-7d' },
];

const probe = spawnSync('faketime', ['-f', '+0d', 'true'], { stdio: 'ignore' });
if (probe.error || probe.status !== 0) {
  console.error('test:shifted needs faketime (Debian/Ubuntu: apt-get install faketime; macOS: brew install libfaketime)');
  process.exit(2);
}

for (const { label, offset } of SHIFTS) {
  console.error(`\n== npm test with the clock ${label} (faketime ${offset}) ==`);
  const run = spawnSync('faketime', ['-f', offset, process.execPath, require.resolve('jest/bin/jest'), ...process.argv.slice(2)], {
    stdio: 'inherit',
    // Only the wall clock moves: timeouts and timers keep real time (a monotonic clock a week behind makes Python's
    // timed waits hang). Without the monotonic fix, which only matters when the monotonic clock is faked, libfaketime
    // 0.9.10 makes every thread start in Python take ~45 ms, and moto starts one per request: the local AWS ran ~4x
    // slower under test:shifted than under npm test. (Python's time.sleep fails either way; moto does not sleep.)
    env: { ...process.env, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_FORCE_MONOTONIC_FIX: '0' },
  });
  if (run.status !== 0) {
    console.error(`test:shifted: the suite failed with the clock ${label}`);
    process.exit(run.status ?? 1);
  }
}
