#!/usr/bin/env node
/**
 * Load through the local runtime, over real HTTP, with what ships: the ingestion and flag functions' synthesized
 * zips run in their LambdaHost threads behind the local HTTP API (cli/local/front-door.ts), writing to Kinesis and
 * reading DynamoDB on moto.
 * - ingestion: EVENTS events in batches of 500, CONCURRENCY requests in flight; events/s and request p50/p99, as a
 *   ratio to the same batches PutRecords'd straight to moto (the reference); then the whole stream is read back
 *   and run through the journey processor's core (in-memory store: 200k transactions one at a time through moto's
 *   HTTP would outlast the bench) to show every accepted event counted exactly once;
 * - OFREP: CLIENTS concurrent clients doing bulk evaluations for a while; p50/p99 as a ratio to the same clients
 *   against a bare node:http server on the same machine (the reference).
 * Runs from dist/ (built first when stale). Needs moto_server; skipped with the reason without it.
 */
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readdirSync, rmSync } = require('node:fs');
const { createServer } = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { createPkSkTable } = require('./support');

// Node 20 is the pinned tool runtime; the SDK's upgrade notice is not a finding of this bench.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = path.resolve(__dirname, '..');
const EVENTS = Number(process.env.BENCH_LOAD_EVENTS || 200_000);
const BATCH = 500;
const CONCURRENCY = Number(process.env.BENCH_LOAD_CONCURRENCY || 8);
const CLIENTS = Number(process.env.BENCH_LOAD_CLIENTS || 200);
const OFREP_SECONDS = Number(process.env.BENCH_LOAD_OFREP_SECONDS || 15);
const WRITE_KEY = 'bench-write-key';
const SERVER_KEY = 'bench-server-key';
const STREAM = 'monoenv-events';
const TABLE = 'monoenv-flags';

const build = spawnSync(process.execPath, [path.join(root, 'bin', 'build.js'), '--if-stale'], { cwd: root, encoding: 'utf8' });
if (build.status !== 0) throw new Error(`building dist/ failed:\n${build.stderr || build.stdout}`);
const dist = (module) => require(path.join(root, 'dist', module));

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The zips terraform would upload for the two public functions, synthesized from the constructs in dist/. */
function shippedZips(outdir) {
  const { App, TerraformStack } = require('cdktf');
  const { AwsProvider } = require('@cdktf/provider-aws/lib/provider');
  const { MonoenvFunction, lambdaEntry } = dist('constructs/core/monoenv-function');
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'load');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new MonoenvFunction(stack, 'ingest', { entry: lambdaEntry('ingest'), functionName: 'monoenv-ingest', timeoutSeconds: 10 });
  new MonoenvFunction(stack, 'flags', { entry: lambdaEntry('flag-evaluation'), functionName: 'monoenv-flags-evaluate', timeoutSeconds: 5 });
  app.synth();
  const assets = path.join(outdir, 'stacks', 'load', 'assets');
  const zipOf = (prefix) => {
    const dir = readdirSync(assets).find((name) => name.startsWith(prefix));
    const [hash] = readdirSync(path.join(assets, dir));
    return path.join(assets, dir, hash, 'archive.zip');
  };
  return { ingest: zipOf('ingest_code'), flags: zipOf('flags_code') };
}

async function prepareMoto(endpoint) {
  const { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } = require('@aws-sdk/client-kinesis');
  const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb');
  const { NodeHttpHandler } = require('@smithy/node-http-handler');
  const config = dist('cli/local/moto-server').motoClientConfig(endpoint, 'us-east-1');
  const kinesis = new KinesisClient({ ...config, requestHandler: new NodeHttpHandler() });
  await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 4 }));
  while ((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }))).StreamDescriptionSummary.StreamStatus !== 'ACTIVE')
    await sleep(100);
  const dynamo = new DynamoDBClient(config);
  await createPkSkTable(dynamo, TABLE);
  const { document } = dist('domain/flags/flag-files').loadFlagDir(path.join(root, 'flags'));
  await dist('domain/flags/flag-table').writeFlagDocument(DynamoDBDocumentClient.from(dynamo), TABLE, document);
  dynamo.destroy();
  return kinesis;
}

function batchOf(index) {
  const t0 = Date.now() - 60_000;
  return Array.from({ length: BATCH }, (_, i) => {
    const n = index * BATCH + i;
    return {
      messageId: `load-${n}`,
      type: 'track',
      event: n % 3 === 0 ? 'checkout_started' : 'product_viewed',
      userId: `user-${n % 5000}`,
      timestamp: new Date(t0 + (n % 1000)).toISOString(),
      properties: { sku: `SKU-${n % 100}`, price: 19.99 },
    };
  });
}

/** Runs `work(i)` for i in [0, count) with `limit` in flight; returns each call's latency in ms. */
async function inFlight(count, limit, work) {
  const latencies = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) {
        const i = next++;
        const start = process.hrtime.bigint();
        await work(i);
        latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

async function ingestion(frontDoorUrl, kinesis) {
  const { PutRecordsCommand } = require('@aws-sdk/client-kinesis');
  const batches = Math.ceil(EVENTS / BATCH);
  let accepted = 0;
  let resent = 0;
  const startedAt = Date.now();
  // As a real client does: events the API could not store (503, each listed in `failed`) are sent again with the
  // same messageId; one stored twice is counted once by the processor.
  const latencies = await inFlight(batches, CONCURRENCY, async (i) => {
    let pending = batchOf(i);
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${frontDoorUrl}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_KEY}` },
        body: JSON.stringify({ batch: pending }),
      });
      const body = await response.json();
      const failed = body.failed ?? [];
      const unexpected = response.status !== 200 && response.status !== 503;
      if (unexpected || (body.rejected ?? []).length > 0 || (failed.length > 0 && attempt === 5)) {
        throw new Error(`batch ${i}, attempt ${attempt}: HTTP ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
      }
      accepted += pending.length - failed.length;
      if (failed.length === 0) return;
      resent += failed.length;
      pending = failed.map((f) => pending[f.index]);
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  });
  const seconds = (Date.now() - startedAt) / 1000;

  // Reference: the same batches written straight to the same moto, same concurrency.
  const refStart = Date.now();
  await inFlight(batches, CONCURRENCY, async (i) => {
    const records = batchOf(batches + i).map((e) => ({ PartitionKey: e.userId, Data: Buffer.from(JSON.stringify(e)) }));
    await kinesis.send(new PutRecordsCommand({ StreamName: 'monoenv-reference', Records: records }));
  }).catch(() => undefined);
  return { accepted, resent, seconds, latencies, referenceSeconds: (Date.now() - refStart) / 1000 };
}

/** Reads every record of the stream back and runs them through the processor core: each accepted event counted once. */
async function countedOnce(kinesis) {
  const { ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand } = require('@aws-sdk/client-kinesis');
  const { processKinesisBatch } = dist('lambdas/journey-processor/processor');
  const { MemoryUserStore } = dist('lambdas/journey-processor/memory-store');
  const { loadJourneys } = dist('domain/journeys/journey-schema');
  const store = new MemoryUserStore();
  const journeys = loadJourneys(path.join(root, 'journeys'));
  let records = 0;
  let featureUsed = 0;
  const seen = new Set();
  const writeLine = (line) => {
    const doc = JSON.parse(line);
    if (doc._aws && doc._aws.CloudWatchMetrics[0].Metrics[0].Name === 'FeatureUsed') featureUsed += doc.FeatureUsed;
  };
  for (const shard of (await kinesis.send(new ListShardsCommand({ StreamName: STREAM }))).Shards) {
    let iterator = (
      await kinesis.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))
    ).ShardIterator;
    for (;;) {
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      if (out.Records.length === 0) break;
      records += out.Records.length;
      for (const r of out.Records) seen.add(JSON.parse(Buffer.from(r.Data).toString()).messageId);
      const batch = out.Records.map((r) => ({
        kinesis: { sequenceNumber: r.SequenceNumber, data: Buffer.from(r.Data).toString('base64') },
      }));
      const { batchItemFailures } = await processKinesisBatch(batch, { store, journeys, writeLine });
      if (batchItemFailures.length) throw new Error(`the processor failed ${batchItemFailures.length} records`);
      iterator = out.NextShardIterator;
    }
  }
  const missing = [];
  for (let n = 0; n < EVENTS; n++) if (!seen.has(`load-${n}`)) missing.push(`load-${n}`);
  return { records, featureUsed, missing };
}

async function ofrepUnderLoad(url, headers) {
  const latencies = [];
  let errors = 0;
  const until = Date.now() + OFREP_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      let n = 0;
      while (Date.now() < until) {
        const start = process.hrtime.bigint();
        const response = await fetch(url, {
          method: 'POST',
          headers,
          body: JSON.stringify({ context: { targetingKey: `user-${client}-${n++}` } }),
        });
        await response.arrayBuffer();
        if (response.status !== 200) errors += 1;
        latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), errors };
}

async function referenceServer() {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"flags":[]}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}

async function run() {
  const { motoAvailability, startMoto } = dist('cli/local/moto-server');
  const moto = motoAvailability();
  if (!moto.available) {
    console.log(`load: skipped: ${moto.reason}`);
    return;
  }
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'monoenv-bench-load-'));
  const server = await startMoto();
  const closers = [];
  try {
    const zips = shippedZips(path.join(scratch, 'out'));
    const kinesis = await prepareMoto(server.endpoint);
    closers.push(() => kinesis.destroy());
    const { CreateStreamCommand } = require('@aws-sdk/client-kinesis');
    await kinesis.send(new CreateStreamCommand({ StreamName: 'monoenv-reference', ShardCount: 4 }));
    const { startLambdaHost } = dist('cli/local/lambda-host');
    // As npm start runs them: the functions' writes to moto go through moto-writes (moto loses concurrent puts).
    const writes = await dist('cli/local/moto-writes').startMotoWrites(server.endpoint);
    closers.push(() => writes.close());
    const common = { awsEndpoint: writes.url, region: 'us-east-1', log: () => undefined };
    const ingest = await startLambdaHost({
      ...common,
      functionName: 'monoenv-ingest',
      zipFile: zips.ingest,
      codeDir: path.join(scratch, 'ingest'),
      handler: 'index.handler',
      timeoutSeconds: 10,
      environment: { EVENT_STREAM_NAME: STREAM, API_KEYS_JSON: JSON.stringify({ write: [WRITE_KEY] }) },
    });
    const flags = await startLambdaHost({
      ...common,
      functionName: 'monoenv-flags-evaluate',
      zipFile: zips.flags,
      codeDir: path.join(scratch, 'flags'),
      handler: 'index.handler',
      timeoutSeconds: 5,
      environment: {
        FLAGS_TABLE: TABLE,
        EVENT_STREAM_NAME: STREAM,
        API_KEYS_JSON: JSON.stringify({ server: [SERVER_KEY] }),
        RATE_LIMIT_PER_SECOND: '1000000',
      },
    });
    closers.push(
      () => ingest.close(),
      () => flags.close(),
    );
    const { FLAG_ROUTES } = dist('lambdas/flag-evaluation/contract');
    const { INGEST_ROUTES } = dist('lambdas/ingest/contract');
    const routes = [
      ...FLAG_ROUTES.map((routeKey) => ({ routeKey, functionName: flags.functionName })),
      ...INGEST_ROUTES.map((routeKey) => ({ routeKey, functionName: ingest.functionName })),
    ];
    const hosts = { [flags.functionName]: flags, [ingest.functionName]: ingest };
    const door = await dist('cli/local/front-door').serveFrontDoor({
      api: { id: 'load', name: 'load-api', routes },
      accountId: '123456789012',
      port: 0,
      invoke: (name, event) => hosts[name].invoke(event),
      onError: (name, error) => console.error(`${name}: ${error.message}`),
    });
    closers.push(() => door.close());

    const loaded = await ingestion(door.url, kinesis);
    const rate = loaded.accepted / loaded.seconds;
    const referenceRate = loaded.accepted / loaded.referenceSeconds;
    console.log(
      `ingest: ${loaded.accepted} events in ${loaded.seconds.toFixed(1)} s through the local HTTP API and the ingest function = ${rate.toFixed(0)} events/s` +
        `  = ${(rate / referenceRate).toFixed(2)}x PutRecords straight to moto (${referenceRate.toFixed(0)} events/s)`,
    );
    console.log(
      `ingest: request (${BATCH} events) p50 ${percentile(loaded.latencies, 50).toFixed(0)} ms, p99 ${percentile(loaded.latencies, 99).toFixed(0)} ms, ${CONCURRENCY} in flight; ${loaded.resent} events answered 503 and sent again`,
    );
    const counted = await countedOnce(kinesis);
    const verdict = counted.featureUsed === loaded.accepted ? 'PASS' : 'FAIL';
    console.log(
      `ingest: ${counted.records} records on the stream, ${counted.featureUsed} events counted by the processor for ${loaded.accepted} accepted: exactly once ${verdict}` +
        (counted.missing.length
          ? ` (missing from the stream: ${counted.missing.length}, e.g. ${counted.missing.slice(0, 5).join(', ')})`
          : ''),
    );
    if (verdict !== 'PASS') process.exitCode = 1;

    const headers = { 'content-type': 'application/json', authorization: `Bearer ${SERVER_KEY}` };
    const ofrep = await ofrepUnderLoad(`${door.url}/ofrep/v1/evaluate/flags`, headers);
    const reference = await referenceServer();
    closers.push(() => reference.close());
    const bare = await ofrepUnderLoad(reference.url, headers);
    const p = (xs, q) => percentile(xs, q).toFixed(1);
    console.log(
      `ofrep bulk, ${CLIENTS} concurrent clients for ${OFREP_SECONDS} s: ${ofrep.latencies.length} requests (${(ofrep.latencies.length / OFREP_SECONDS).toFixed(0)}/s), ${ofrep.errors} not 200;` +
        ` p50 ${p(ofrep.latencies, 50)} ms = ${(percentile(ofrep.latencies, 50) / percentile(bare.latencies, 50)).toFixed(2)}x, p99 ${p(ofrep.latencies, 99)} ms = ${(percentile(ofrep.latencies, 99) / percentile(bare.latencies, 99)).toFixed(2)}x` +
        ` a bare node:http server (p50 ${p(bare.latencies, 50)} ms, p99 ${p(bare.latencies, 99)} ms)`,
    );
    if (ofrep.errors > 0) process.exitCode = 1;
  } finally {
    for (const close of closers.reverse()) await close();
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

module.exports = { run };

if (require.main === module) {
  run().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
