/**
 * End to end, through the code `npm start` runs: local production up on moto (real terraform apply),
 * the example checkout service for 240 simulated users split by the 50/50 `new-checkout` flag, the
 * experiment report from what the journey processor wrote, a kill switch flipped with the flags CLI
 * and seen by the service within 5 s, a guarded rollout with a bad variant rolled back by the scheduled rollout
 * controller (the service shows the classic checkout again), `terraform destroy` leaving nothing in moto, then a
 * clean stop.
 * Skipped (with the reason) only where terraform, the provider mirror or moto is missing; in CI that fails.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeClustersCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { readRollout } from '../../domain/rollouts/rollout-table';
import type { RolloutState } from '../../domain/rollouts/rollout-state';
import { buildReport } from '../../cli/experiment/report';
import { readLiveSummary } from '../../cli/experiment/live-source';
import { parseReportSummary } from '../../cli/experiment/summary-input';
import { run as runFlagsCli } from '../../cli/flags/command';
import { LocalProductionError, startLocalProduction, type LocalProduction } from '../../cli/local/local-production';
import { motoClientConfig } from '../../cli/local/moto-server';
import { checkRunning, liveProcessProbe } from '../../cli/local/running-check';
import { readLocalState } from '../../cli/local/state-file';
import { formatStartSummary } from '../../cli/local/summary';
import { runTerraform } from '../../cli/terraform';
import { LOCAL_TIMEOUT_MS, runDemo } from '../../examples/checkout-service/src/demo';
import { startCheckoutService, type RunningCheckoutService } from '../../examples/checkout-service/src/server';
import { runShoppers } from '../../examples/checkout-service/src/shoppers';
import { SYNTH_DAY } from '../support/clock';
import { formatDenials, simulateCalls, startRecordingProxy, type RecordingProxy } from '../support/iam';
import { deployedFunctionRoles } from '../support/iam/deployed-policies';
import { describeNeeding } from '../support/needs';
import { tempDir } from '../support/temp';
import { REPO_ROOT } from '../support/paths';

const repoDir = REPO_ROOT;
// The README's 200 shoppers plus the demo's: a few hundred in all, since moto's DynamoDB transactions copy
// the whole table and the processor slows as data grows.
const DEMO_USERS = 100;

// Enough for 100 users per variant after the rollout's start (the journey guardrail's minimum), at 50 %.
const ROLLOUT_USERS = 260;

/** A project folder of its own (config pointing at this repo's flags and journeys), so a developer's `npm start` is never touched. */
function makeProjectDir(): string {
  const dir = tempDir('monoenv-e2e-');
  const config = JSON.parse(readFileSync(path.join(repoDir, 'monoenv.config.json'), 'utf8'));
  config.flags = { ...config.flags, dir: path.join(repoDir, 'flags') };
  config.events = { ...config.events, journeysDir: path.join(repoDir, 'journeys') };
  // The repository's plan holds each step an hour; the laptop-speed one the README points to (50 %, no minimum time).
  config.rollouts = { dir: path.join(repoDir, 'examples', 'rollouts-laptop') };
  writeFileSync(path.join(dir, 'monoenv.config.json'), JSON.stringify(config, null, 2));
  return dir;
}

/** The example checkout service against a local production, with its keys and the local timeouts. */
const checkoutService = (lp: LocalProduction, options: { failOnePagePayments?: number } = {}) =>
  startCheckoutService({
    port: 0,
    flagsUrl: lp.state.flagsUrl!,
    flagsServerKey: lp.keys.flagsServer,
    eventsUrl: lp.state.eventsUrl!,
    eventsWriteKey: lp.keys.write,
    flagsTimeoutMs: LOCAL_TIMEOUT_MS,
    eventsTimeoutMs: LOCAL_TIMEOUT_MS,
    ...options,
  });

/** The experiment summary the journey processor has written so far. */
async function liveSummary(lp: LocalProduction) {
  const source = { tableName: lp.outputs.analyticsTable, endpoint: lp.moto.endpoint, region: lp.state.region, localCredentials: true };
  const parsed = parseReportSummary(await readLiveSummary(source, 'new-checkout'));
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.summary;
}

/**
 * One list call to moto for a service this project has no SDK client for. moto picks the service from the
 * credential scope and checks no signature, so a scope-only Authorization header is enough; written by
 * hand to avoid adding seven AWS SDK clients for seven list calls.
 */
async function motoList(endpoint: string, region: string, service: string, request: { path?: string; form?: string }): Promise<string> {
  const authorization = `AWS4-HMAC-SHA256 Credential=testing/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
  const response = await fetch(
    `${endpoint}${request.path ?? '/'}`,
    request.form
      ? { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: request.form }
      : { headers: { authorization } },
  );
  const text = await response.text();
  if (!response.ok) throw new Error(`moto ${service} ${request.form ?? request.path}: HTTP ${response.status} ${text.slice(0, 200)}`);
  return text;
}

describeNeeding(['terraform', 'moto'], 'local production end to end', () => {
  const projectDir = makeProjectDir();
  const log: string[] = [];
  let local: LocalProduction | undefined;
  let service: RunningCheckoutService | undefined;
  let recorder: RecordingProxy | undefined;
  const layouts = new Map<string, string>();

  const up = () => {
    if (!local || !service) throw new Error(`local production did not start:\n${log.slice(-20).join('\n')}`);
    return { local, service };
  };

  beforeAll(async () => {
    local = await startLocalProduction({
      projectDir,
      runtimePort: 0,
      log: (line) => log.push(line),
      now: SYNTH_DAY,
      // Every AWS call the functions make is recorded, for the IAM evaluation below.
      functionsAwsEndpoint: async (target) => (recorder = await startRecordingProxy({ target })),
    });
    service = await checkoutService(local);
  }, 300_000);

  afterAll(async () => {
    await service?.close();
    await local?.stop();
    rmSync(projectDir, { recursive: true, force: true });
  }, 60_000);

  it('applied the whole stack with visible progress and recorded endpoints, ports and pids', () => {
    const { local: lp } = up();
    expect(log.some((line) => /^\[4\/5\] terraform apply/.test(line))).toBe(true);
    expect(log.some((line) => /\d+\/\d+ resources applied in \d+ s/.test(line))).toBe(true);
    const state = readLocalState(projectDir);
    expect(state).toMatchObject({
      status: 'running',
      awsEndpoint: lp.moto.endpoint,
      pids: { runtime: process.pid, moto: lp.moto.pid },
      ports: { moto: lp.moto.port, runtime: lp.runtime.port },
      flagsTable: lp.outputs.flagsTable,
      analyticsTable: lp.outputs.analyticsTable,
    });
    expect(lp.notEmulated.map((item) => item.name)).toEqual(expect.arrayContaining(['monoenv-web', 'monoenv-flags-evaluate']));
  });

  it('refuses a second start while this one runs', async () => {
    const second = startLocalProduction({ projectDir, runtimePort: 0, log: () => undefined });
    await expect(second).rejects.toBeInstanceOf(LocalProductionError);
    await expect(second).rejects.toMatchObject({ code: 'ALREADY_RUNNING' });
  });

  it('the first curl that npm start prints works', async () => {
    const { local: lp } = up();
    const summary = formatStartSummary({ state: lp.state, keys: lp.keys, notEmulated: lp.notEmulated, stateFile: 'state.json' });
    const lines = summary.split('\n');
    const first = lines.findIndex((line) => line.trim().startsWith('curl '));
    const command = lines.slice(first, first + 3).join('\n');
    // Asynchronously: the APIs answering the curl run in this very process.
    const bash = async (script: string) =>
      JSON.parse((await promisify(execFile)('bash', ['-c', script], { encoding: 'utf8', timeout: 20_000 })).stdout);
    const answer = await bash(command);
    expect(answer).toMatchObject({ key: 'new-checkout', reason: 'TARGETING_MATCH' });
    expect(typeof answer.value).toBe('boolean');
    const ingest = lines.slice(first + 3, first + 6).join('\n');
    expect(await bash(ingest)).toMatchObject({ accepted: 1 });
  }, 60_000);

  it("the README's walkthrough: 200 shoppers by curl, then the report", async () => {
    const { local: lp, service: svc } = up();
    const readme = readFileSync(path.join(repoDir, 'README.md'), 'utf8');
    const block = /<!-- walkthrough:start[^>]*-->\s*```bash\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(readme)?.[1];
    if (!block) throw new Error('README.md has no walkthrough block');
    // Run as written, against this test's service; the processor's catching up replaces the sleep.
    const [shop, report] = block.replace(/localhost:8080/g, svc.url.replace('http://', '')).split(/^sleep .*$/m);
    const bash = (script: string) => promisify(execFile)('bash', ['-c', script], { cwd: projectDir, encoding: 'utf8', timeout: 240_000 });
    await bash(shop);
    await lp.runtime.poller.caughtUp();
    const { stdout } = await bash(report.replace('npx monoenv', `node ${path.join(repoDir, 'bin', 'monoenv.js')}`));
    expect(stdout).toMatch(/^Experiment new-checkout/);
    const summary = await liveSummary(lp);
    // user-1 was exposed by npm start's first curl too: exposures count each user once.
    expect(summary.variants.reduce((n, v) => n + v.users, 0)).toBe(200);
    expect(summary.stepsSeen?.checkout?.sort()).toEqual(['cart_viewed', 'checkout_started', 'order_completed', 'payment_submitted']);
  }, 300_000);

  it(`npm run demo: ${DEMO_USERS} more shoppers, split by the 50/50 flag, and a report computed from what the processor wrote`, async () => {
    const { local: lp } = up();
    await lp.runtime.poller.caughtUp(); // nothing of earlier tests still in flight
    const before = await liveSummary(lp);
    const printed: string[] = [];
    const startedAt = Date.now();
    const { code, shoppers } = await runDemo({ cwd: projectDir, users: DEMO_USERS, print: (line) => printed.push(line) });
    expect({ code, tail: printed.slice(-3) }).toMatchObject({ code: 0 });
    console.log(
      `e2e: demo of ${DEMO_USERS} shoppers took ${Date.now() - startedAt} ms (${lp.runtime.poller.processedCount()} records processed in all)`,
    );
    for (const [userId, layout] of shoppers!.layouts) layouts.set(userId, layout);
    const onePage = [...shoppers!.layouts.values()].filter((l) => l === 'one-page').length;
    expect(onePage).toBeGreaterThan(DEMO_USERS * 0.3);
    expect(onePage).toBeLessThan(DEMO_USERS * 0.7);
    expect(printed.join('\n')).toMatch(/Experiment new-checkout/);

    const after = await liveSummary(lp);
    const delta = (variant: string, pick: (v: (typeof after.variants)[number]) => number) =>
      pick(after.variants.find((v) => v.name === variant)!) - pick(before.variants.find((v) => v.name === variant)!);
    expect(delta('on', (v) => v.users)).toBe(onePage);
    expect(delta('off', (v) => v.users)).toBe(DEMO_USERS - onePage);
    expect(delta('on', (v) => v.metrics.checkout.sum)).toBe(shoppers!.completed['one-page'] ?? 0);
    expect(delta('off', (v) => v.metrics.checkout.sum)).toBe(shoppers!.completed.classic ?? 0);
    const report = buildReport(after, { metric: 'checkout' });
    expect(report.srm.mismatch).toBe(false);
    expect(report.metrics[0].variants.find((v) => v.variant === 'on')?.verdict?.code).toBe('increase');
  }, 300_000);

  it('a guarded rollout of new-checkout with a bad variant rolls back by itself, and the service shows the classic checkout within seconds', async () => {
    const { local: lp } = up();
    const flagsCli = async (...args: string[]) => {
      const output: string[] = [];
      const io = { out: (t: string) => output.push(t), err: (t: string) => output.push(t) };
      const where = ['--table', lp.outputs.flagsTable, '--endpoint', lp.moto.endpoint, '--region', lp.state.region, '--actor', 'e2e'];
      const code = await runFlagsCli([...args, ...where], io);
      return { code, output: output.join('') };
    };
    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...motoClientConfig(lp.moto.endpoint, lp.state.region), requestHandler: new NodeHttpHandler() }),
    );
    const rolloutState = async () => (await readRollout(doc, lp.outputs.flagsTable, 'new-checkout')).state;
    const waitFor = async (what: string, ok: (state: RolloutState | undefined) => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      let state = await rolloutState();
      while (!ok(state) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        state = await rolloutState();
      }
      if (!ok(state)) throw new Error(`${what} did not happen within ${ms} ms: ${JSON.stringify(state)}`);
      return state!;
    };

    expect(await flagsCli('rollout', 'start', 'new-checkout')).toMatchObject({ code: 0 });
    // The scheduled controller (every 5 s locally) takes its baseline: the demo's earlier shoppers do not count.
    await waitFor('the baseline', (state) => Boolean(state?.baseline), 30_000);

    const bad = await checkoutService(lp, { failOnePagePayments: 1 });
    let shoppers: Awaited<ReturnType<typeof runShoppers>>;
    try {
      shoppers = await runShoppers({ serviceUrl: bad.url, userIds: Array.from({ length: ROLLOUT_USERS }, (_, i) => `rollout-${i}`) });
    } finally {
      await bad.close();
    }
    expect(shoppers.completed['one-page'] ?? 0).toBe(0);
    await lp.runtime.poller.caughtUp();

    const rolledBack = await waitFor('the roll-back', (state) => state?.status === 'rolled-back', 60_000);
    const rolledBackAt = Date.now();
    expect(rolledBack.reason).toMatch(/^guardrail regressed: checkout conversion: -100\.0%/);
    expect(rolledBack.history.map((event) => `${event.event} ${event.actor}`)).toEqual(['started e2e', 'rolled-back rollout-controller']);

    // A shopper the bad variant was shown now gets the classic checkout from the running service.
    const { service: svc } = up();
    const userId = [...shoppers.layouts].find(([, layout]) => layout === 'one-page')![0];
    const layoutNow = async () => ((await (await fetch(`${svc.url}/checkout?userId=${userId}`)).json()) as { layout: string }).layout;
    let layout = await layoutNow();
    while (layout !== 'classic' && Date.now() - rolledBackAt < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      layout = await layoutNow();
    }
    expect(layout).toBe('classic');

    const status = await flagsCli('rollout', 'status', 'new-checkout', '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.output)).toMatchObject({ state: { status: 'rolled-back' } });
    // Back to the 50/50 experiment the later tests expect (a person's edit, after the rollout ended).
    expect(await flagsCli('set-weights', 'new-checkout', 'on=50', 'off=50')).toMatchObject({ code: 0 });
    doc.destroy();
  }, 300_000);

  it('terraform plan after the apply shows no changes', async () => {
    const { local: lp } = up();
    const plan = await runTerraform(['plan', '-detailed-exitcode', '-input=false', '-no-color'], {
      cwd: lp.stackDir,
      env: lp.terraformEnv,
      acceptExitCodes: [0, 2],
    });
    expect({
      exitCode: plan.exitCode,
      changes:
        plan.exitCode === 0
          ? ''
          : plan.stdout
              .split('\n')
              .filter((line) => /^\s*[~+-] |will be|must be/.test(line))
              .join('\n'),
    }).toEqual({ exitCode: 0, changes: '' });
  }, 240_000);

  it('every AWS call the deployed functions made is allowed by their deployed roles and boundary (IAM evaluated)', async () => {
    const { local: lp } = up();
    const functions = lp.runtime.functions;
    const calls = recorder!.calls().filter((call) => functions.includes(call.principal));
    const roles = await deployedFunctionRoles(motoClientConfig(lp.moto.endpoint, lp.state.region), functions);
    const results = await simulateCalls({
      calls,
      identityPolicies: Object.fromEntries(functions.map((fn) => [fn, roles[fn].identityPolicies])),
      permissionBoundaries: Object.fromEntries(functions.map((fn) => [fn, roles[fn].boundary!])),
      principalArns: Object.fromEntries(functions.map((fn) => [fn, roles[fn].roleArn])),
    });
    expect(formatDenials(results)).toBe('');
    // Each function really worked through AWS here, so the evaluation covered what it does.
    const actionsOf = (fn: string) => [...new Set(results.filter((r) => r.principal === fn).map((r) => r.action))].sort();
    expect(actionsOf('monoenv-flags-evaluate')).toEqual(
      expect.arrayContaining(['dynamodb:Scan', 'kinesis:PutRecords', 'secretsmanager:GetSecretValue']),
    );
    expect(actionsOf('monoenv-ingest')).toEqual(expect.arrayContaining(['kinesis:PutRecords', 'secretsmanager:GetSecretValue']));
    expect(actionsOf('monoenv-journey-processor')).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']),
    );
    for (const fn of functions) expect(roles[fn].boundary).toBeDefined();
  }, 120_000);

  it('a kill switch flipped with the flags CLI reaches the service within 5 s', async () => {
    const { local: lp, service: svc } = up();
    const userId = [...layouts].find(([, layout]) => layout === 'one-page')![0];
    const layoutNow = async () => ((await (await fetch(`${svc.url}/checkout?userId=${userId}`)).json()) as { layout: string }).layout;
    expect(await layoutNow()).toBe('one-page');
    const output: string[] = [];
    const io = { out: (t: string) => output.push(t), err: (t: string) => output.push(t) };
    const code = await runFlagsCli(
      [
        'disable',
        'new-checkout',
        '--table',
        lp.outputs.flagsTable,
        '--endpoint',
        lp.moto.endpoint,
        '--region',
        lp.state.region,
        '--actor',
        'e2e',
      ],
      io,
    );
    expect({ code, output }).toEqual({ code: 0, output: [expect.stringContaining('disable new-checkout')] });
    const flippedAt = Date.now();
    let layout = await layoutNow();
    while (layout !== 'classic' && Date.now() - flippedAt < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      layout = await layoutNow();
    }
    expect(layout).toBe('classic');
  }, 60_000);

  it('terraform destroy leaves nothing behind in the local AWS', async () => {
    const { local: lp } = up();
    try {
      await lp.destroy(() => undefined);
    } catch (error) {
      // Once seen in CI under load: the provider's SDK resent a DeleteSecret whose first answer it did not get, and
      // moto refuses a second delete where the provider expects it to be absorbed. A second destroy finds the secret
      // deleted and finishes; anything else fails the test.
      if (!/DeleteSecret[\s\S]*currently\s+marked deleted/.test((error as Error).message)) throw error;
      console.log('e2e: moto refused a resent DeleteSecret; terraform destroy ran a second time');
      await lp.destroy(() => undefined);
    }
    const aws = motoClientConfig(lp.moto.endpoint, lp.state.region);
    const dynamo = new DynamoDBClient(aws);
    const kinesis = new KinesisClient({ ...aws, requestHandler: new NodeHttpHandler() });
    const secrets = new SecretsManagerClient(aws);
    const ecs = new ECSClient(aws);
    try {
      expect((await dynamo.send(new ListTablesCommand({}))).TableNames).toEqual([]);
      expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
      // Secrets wait out their recovery window, as in AWS; they are no longer listed.
      expect((await secrets.send(new ListSecretsCommand({}))).SecretList).toEqual([]);
      // Deleted ECS clusters stay visible as INACTIVE, as in AWS.
      const clusters = (await ecs.send(new ListClustersCommand({}))).clusterArns ?? [];
      const described = clusters.length ? ((await ecs.send(new DescribeClustersCommand({ clusters }))).clusters ?? []) : [];
      expect(described.filter((c) => c.status !== 'INACTIVE').map((c) => c.clusterName)).toEqual([]);
    } finally {
      [dynamo, kinesis, secrets, ecs].forEach((client) => client.destroy());
    }
    const list = (service: string, request: { path?: string; form?: string }) =>
      motoList(lp.moto.endpoint, lp.state.region, service, request);
    expect(JSON.parse(await list('lambda', { path: '/2015-03-31/functions/' })).Functions).toEqual([]);
    expect(await list('s3', { path: '/' })).not.toContain('<Bucket>');
    expect(await list('sqs', { form: 'Action=ListQueues&Version=2012-11-05' })).not.toContain('<QueueUrl>');
    expect(await list('sns', { form: 'Action=ListTopics&Version=2010-03-31' })).not.toContain('<TopicArn>');
    expect(await list('elasticloadbalancing', { form: 'Action=DescribeLoadBalancers&Version=2015-12-01' })).not.toContain(
      '<LoadBalancerArn>',
    );
    expect(await list('iam', { form: 'Action=ListRoles&Version=2010-05-08' })).not.toMatch(/<RoleName>monoenv/);
    expect((await list('ec2', { form: 'Action=DescribeVpcs&Version=2016-11-15' })).match(/<isDefault>false/g)).toBeNull();
  }, 240_000);

  it('a killed local AWS is noticed, and a stop afterwards is clean', async () => {
    const { local: lp } = up();
    process.kill(lp.moto.pid, 'SIGKILL');
    await expect(lp.motoLost).resolves.toMatch(/SIGKILL/);
    expect(checkRunning(readLocalState(projectDir), liveProcessProbe).kind).toBe('broken');
    await lp.stop();
    expect(readLocalState(projectDir)).toBeUndefined();
    expect(liveProcessProbe(lp.moto.pid, 'moto')).toBe(false);
  }, 60_000);
});
