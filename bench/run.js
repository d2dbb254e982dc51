// `npm run bench`: runs every bench/*.bench.js in its own process (so one's JIT state and heap do not
// colour another's figures); each prints its figures as ratios against a reference from the same run.
const { spawnSync } = require('node:child_process');
const { readdirSync } = require('node:fs');
const path = require('node:path');

const only = process.argv.slice(2);
const benches = readdirSync(__dirname)
  .filter((name) => name.endsWith('.bench.js'))
  .filter((name) => only.length === 0 || only.some((pattern) => name.includes(pattern)))
  .sort();

let failed = 0;
for (const name of benches) {
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(process.execPath, [path.join(__dirname, name)], { stdio: 'inherit', cwd: path.resolve(__dirname, '..') });
  if (result.status !== 0) {
    failed += 1;
    console.error(`${name} exited with ${result.status}`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
