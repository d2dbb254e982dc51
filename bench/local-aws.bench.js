#!/usr/bin/env node
/**
 * The local AWS as local production starts it (cli/local/moto-launcher.ts): the cost of a DynamoDB transaction
 * must not grow with the table, or `npm start` slows down as events pile up. Times a 10-item TransactWriteItems on a
 * table of SMALL items (the reference) and of LARGE items, for the patched moto and for moto_server as it comes.
 * Goal: patched, large/small at most 2x. Runs from dist/ (built first when stale); skipped without moto.
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = path.resolve(__dirname, '..');
const SMALL = 100;
const LARGE = Number(process.env.BENCH_LOCAL_AWS_ITEMS || 5000);
const ROUNDS = 10;

const build = spawnSync(process.execPath, [path.join(root, 'bin', 'build.js'), '--if-stale'], { cwd: root, encoding: 'utf8' });
if (build.status !== 0) throw new Error(`building dist/ failed:\n${build.stderr || build.stdout}`);
const dist = (module) => require(path.join(root, 'dist', module));
const { BatchWriteItemCommand, DynamoDBClient, TransactWriteItemsCommand } = require('@aws-sdk/client-dynamodb');
const { createPkSkTable } = require('./support');

async function fill(client, table, from, to) {
  for (let start = from; start < to; start += 25) {
    const items = [];
    for (let i = start; i < Math.min(to, start + 25); i += 1)
      items.push({ PutRequest: { Item: { pk: { S: `user-${i % 500}` }, sk: { S: `message-${i}` }, n: { N: '1' } } } });
    await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: items } }));
  }
}

/** Median ms of a 10-item transaction, as the journey processor writes one event. */
async function transactionMs(client, table, round) {
  const times = [];
  for (let r = 0; r < ROUNDS; r += 1) {
    const started = process.hrtime.bigint();
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: Array.from({ length: 10 }, (_, i) => ({
          Put: { TableName: table, Item: { pk: { S: `tx-${round}-${r}` }, sk: { S: `item-${i}` }, n: { N: '1' } } },
        })),
      }),
    );
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
}

async function measure(launch) {
  const { motoClientConfig, startMoto } = dist('cli/local/moto-server');
  const server = await startMoto({ launch });
  const client = new DynamoDBClient(motoClientConfig(server.endpoint));
  try {
    await createPkSkTable(client, 'bench');
    await fill(client, 'bench', 0, SMALL);
    const small = await transactionMs(client, 'bench', 'small');
    await fill(client, 'bench', SMALL, LARGE);
    const large = await transactionMs(client, 'bench', 'large');
    return { small, large };
  } finally {
    client.destroy();
    await server.stop();
  }
}

async function main() {
  const { motoAvailability } = dist('cli/local/moto-server');
  const { motoLaunch } = dist('cli/local/moto-launcher');
  const available = motoAvailability();
  if (!available.available) {
    console.log(`local-aws: skipped: ${available.reason}`);
    return;
  }
  const launch = motoLaunch();
  const patched = await measure(launch);
  const ratio = patched.large / patched.small;
  console.log(
    `local-aws: 10-item transaction on ${LARGE} items ${patched.large.toFixed(1)} ms = ${ratio.toFixed(2)}x on ${SMALL} items (${patched.small.toFixed(1)} ms) ` +
      `[${launch.description}] ${ratio <= 2 ? 'OK' : 'MISS'} (goal <= 2x)`,
  );
  const plain = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  if (plain.status !== 0) {
    console.log('local-aws: moto_server as it comes: not on the PATH, not compared');
    return;
  }
  const unpatched = await measure({ command: 'moto_server', args: [], patched: false, description: 'moto_server as it comes' });
  console.log(
    `local-aws: moto_server as it comes: ${unpatched.large.toFixed(1)} ms = ${(unpatched.large / unpatched.small).toFixed(2)}x on ${SMALL} items; ` +
      `the patched one is ${(unpatched.large / patched.large).toFixed(1)}x faster on ${LARGE} items`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
