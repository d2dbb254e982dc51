/**
 * Local production: the production stack applied to a local AWS (moto on loopback) and its Lambdas
 * served in-process. `npm start` and the end-to-end test both run this. Steps: refuse a second copy,
 * start moto, synthesize for the `local` target, `terraform init` + `apply` (progress shown), read
 * outputs and keys, serve, record `.monoenv/local/state.json`.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../config/load';
import { buildApp } from '../../stacks/app';
import { prepareTerraformEnv, runTerraform, terraformAvailability } from '../terraform';
import { readLocalKeys, type LocalKeys } from './keys';
import { motoAvailability, startMoto, type MotoServer } from './moto-server';

export type { LocalKeys } from './keys';
import { notEmulatedResources, type NotEmulated } from './not-emulated';
import { choosePort, DEFAULT_RUNTIME_PORT } from './ports';
import { applyProgress } from './apply-progress';
import { checkRunning, alreadyRunningMessage, liveProcessProbe, type ProcessProbe } from './running-check';
import { readDeployedStack, type DeployedStack } from './deployed';
import { createLocalBoundary } from './local-boundary';
import { startMotoWrites, type MotoWrites } from './moto-writes';
import { DEFAULT_SCHEDULE_INTERVAL_SECONDS, scheduleIntervalFromEnv, startRuntime, type LocalRuntime } from './runtime';
import { LOCAL_DIR, readLocalState, removeLocalState, writeLocalState, type LocalState } from './state-file';
import { parseProductionOutputs, type ProductionOutputs } from './terraform-outputs';

export type LocalProductionErrorCode = 'ALREADY_RUNNING' | 'TOOL_MISSING' | 'MOTO_STOPPED' | 'INTERRUPTED' | 'SETUP_FAILED';

export class LocalProductionError extends Error {
  constructor(
    readonly code: LocalProductionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LocalProductionError';
  }
}

export interface StartLocalOptions {
  /** Where `monoenv.config.json` is and `.monoenv/local/` goes. */
  readonly projectDir: string;
  /** Port of the in-process APIs. @default 4510, or a free port when that is taken; 0 = any free port */
  readonly runtimePort?: number;
  /** Port of moto. @default - a free port */
  readonly awsPort?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Progress lines. @default console.log */
  readonly log?: (line: string) => void;
  /** @default liveProcessProbe */
  readonly probe?: ProcessProbe;
  /** Aborting (Ctrl-C, `npm stop`) during start-up stops what was started and rejects with INTERRUPTED. */
  readonly signal?: AbortSignal;
  /** The day synth checks the Lambda runtime calendar against. @default - today */
  readonly now?: () => Date;
  /**
   * Puts something between the functions and the local AWS (the tests record their calls there), given moto's
   * endpoint. @default - the functions call moto directly
   */
  readonly functionsAwsEndpoint?: (motoEndpoint: string) => Promise<{ readonly url: string; close(): Promise<void> }>;
  /**
   * How often schedules of an hour or less (`rate(1 minute)`...) run locally, in seconds; slower ones do not run.
   * @default MONOENV_LOCAL_SCHEDULE_SECONDS from `env`, else 5
   */
  readonly scheduleIntervalSeconds?: number;
}

export interface LocalProduction {
  readonly state: LocalState;
  readonly outputs: ProductionOutputs;
  readonly keys: LocalKeys;
  readonly runtime: LocalRuntime;
  /** What terraform deployed, as read back from the local AWS (and served by the runtime). */
  readonly deployed: DeployedStack;
  readonly moto: MotoServer;
  readonly notEmulated: readonly NotEmulated[];
  readonly stackDir: string;
  readonly terraformEnv: NodeJS.ProcessEnv;
  readonly portNote?: string;
  /** Resolves with a message if moto exits before stop() (killed mid-run); never rejects. */
  readonly motoLost: Promise<string>;
  /** `terraform destroy` of everything applied (stops the stream poller first). */
  destroy(log?: (line: string) => void): Promise<void>;
  /** Stops the runtime and moto and removes the state file; safe to call twice. */
  stop(): Promise<void>;
}

const AWS_REGION_FALLBACK = 'us-east-1';

/** Every `npm start` gets a fresh (in-memory) moto, so an old state file would only describe ghosts. */
function removeOldTerraformState(localDir: string): void {
  let names: string[];
  try {
    names = readdirSync(localDir);
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith('production.tfstate')) rmSync(path.join(localDir, name), { force: true });
}

function preflight(env: NodeJS.ProcessEnv): void {
  const terraform = terraformAvailability(env);
  if (!terraform.available) throw new LocalProductionError('TOOL_MISSING', terraform.reason);
  const moto = motoAvailability();
  if (!moto.available) throw new LocalProductionError('TOOL_MISSING', moto.reason);
}

/** Throws ALREADY_RUNNING for a live copy; cleans up after one that died without stopping. */
export function claimLocalDir(projectDir: string, probe: ProcessProbe, log: (line: string) => void): void {
  const check = checkRunning(readLocalState(projectDir), probe);
  if (check.kind === 'running' || check.kind === 'broken') throw new LocalProductionError('ALREADY_RUNNING', alreadyRunningMessage(check));
  if (check.kind === 'stale') {
    if (check.leftoverMotoPid) process.kill(check.leftoverMotoPid, 'SIGTERM');
    removeLocalState(projectDir);
    log(`cleaned up after a local production that did not stop cleanly (pid ${check.state.pids.runtime})`);
  }
}

export async function startLocalProduction(options: StartLocalOptions): Promise<LocalProduction> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const projectDir = path.resolve(options.projectDir);
  const localDir = path.join(projectDir, LOCAL_DIR);
  let scheduleIntervalSeconds: number;
  try {
    scheduleIntervalSeconds = options.scheduleIntervalSeconds ?? scheduleIntervalFromEnv(env) ?? DEFAULT_SCHEDULE_INTERVAL_SECONDS;
  } catch (error) {
    throw new LocalProductionError('SETUP_FAILED', (error as Error).message);
  }
  if (!(scheduleIntervalSeconds > 0 && Number.isFinite(scheduleIntervalSeconds))) {
    throw new LocalProductionError(
      'SETUP_FAILED',
      `scheduleIntervalSeconds must be a positive number of seconds, got ${scheduleIntervalSeconds}`,
    );
  }
  claimLocalDir(projectDir, options.probe ?? liveProcessProbe, log);
  preflight(env);

  const configEnv: NodeJS.ProcessEnv = { ...env };
  const configFile = path.join(projectDir, 'monoenv.config.json');
  if (!configEnv.MONOENV_CONFIG) configEnv.MONOENV_CONFIG = configFile;
  const { config, baseDir } = loadConfig({ env: configEnv, cwd: projectDir });
  const region = config.region ?? AWS_REGION_FALLBACK;

  const runtimePort = await choosePort(options.runtimePort, DEFAULT_RUNTIME_PORT, 'local APIs', '--port');
  const awsPort = await choosePort(options.awsPort, undefined, 'local AWS', '--aws-port');
  const moto = await startMoto({ port: awsPort.port, ownProcessGroup: true });
  let stopping = false;
  const motoLost = moto.exited.then((how) => (stopping ? new Promise<string>(() => undefined) : how));
  const aborted = new Promise<never>((_, reject) => {
    const interrupt = () => reject(new LocalProductionError('INTERRUPTED', 'start-up interrupted; everything started so far was stopped'));
    if (options.signal?.aborted) interrupt();
    options.signal?.addEventListener('abort', interrupt, { once: true });
  });
  aborted.catch(() => undefined);
  /** Any step loses the race against moto dying or an interrupt, with a message saying so rather than a connection error. */
  const unlessMotoStops = <T>(step: Promise<T>): Promise<T> =>
    Promise.race([
      step,
      aborted,
      motoLost.then((how): never => {
        throw new LocalProductionError(
          'MOTO_STOPPED',
          `the local AWS (moto, pid ${moto.pid}) stopped during start-up (${how}); nothing is left running, run \`npm start\` again`,
        );
      }),
    ]);

  let state: LocalState = {
    status: 'starting',
    startedAt: new Date().toISOString(),
    awsEndpoint: moto.endpoint,
    region,
    pids: { runtime: process.pid, moto: moto.pid },
    ports: { moto: moto.port },
  };
  let runtime: LocalRuntime | undefined;
  let functionsEndpoint: { url: string; close(): Promise<void> } | undefined;
  let motoWrites: MotoWrites | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      stopping = true;
      await runtime?.close();
      await motoWrites?.close();
      await functionsEndpoint?.close();
      await moto.stop();
      const current = (() => {
        try {
          return readLocalState(projectDir);
        } catch {
          return undefined;
        }
      })();
      if (!current || current.pids.runtime === process.pid) removeLocalState(projectDir);
    })());

  try {
    writeLocalState(projectDir, state);
    log(`[1/5] local AWS (moto) on ${moto.endpoint} (pid ${moto.pid})`);

    const outdir = path.join(localDir, 'cdktf.out');
    rmSync(outdir, { recursive: true, force: true });
    removeOldTerraformState(path.join(baseDir, LOCAL_DIR));
    buildApp(
      { ...configEnv, MONOENV_TARGET: 'local', MONOENV_LOCAL_AWS_ENDPOINT: moto.endpoint },
      { outdir, guardrails: { report: log, now: options.now } },
    ).synth();
    const stackDir = path.join(outdir, 'stacks', 'production');
    const stackJson = JSON.parse(readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
    const notEmulated = notEmulatedResources(stackJson);
    log(`[2/5] synthesized production for the local target into ${path.relative(projectDir, outdir)}`);

    const prepared = await prepareTerraformEnv(projectDir, { env });
    const { availability } = prepared;
    // The provider's own log, for when moto answers something it keeps retrying.
    const terraformLog = path.join(localDir, 'terraform.log');
    rmSync(terraformLog, { force: true });
    const terraformEnv: NodeJS.ProcessEnv = { TF_LOG: 'DEBUG', TF_LOG_PATH: terraformLog, ...prepared.env };
    if (availability.mode === 'none') throw new LocalProductionError('TOOL_MISSING', availability.reason);
    await unlessMotoStops(runTerraform(['init', '-input=false', '-no-color'], { cwd: stackDir, env: terraformEnv }));
    log(`[3/5] terraform init (providers from ${availability.mode === 'mirror' ? availability.path : 'the registry'})`);

    // What the bootstrap stack creates in AWS, before any production role can carry it.
    await unlessMotoStops(createLocalBoundary(moto.endpoint, region, config.appName));
    log('[4/5] terraform apply (about 90 s; the load balancer is most of it)');
    const progress = applyProgress(Date.now(), (line) => log(`      ${line}`));
    await unlessMotoStops(
      runTerraform(['apply', '-auto-approve', '-input=false', '-no-color'], {
        cwd: stackDir,
        env: terraformEnv,
        onOutput: (chunk) => progress.feed(chunk),
      }),
    );
    log(`      ${progress.summary()}`);
    const outputs = parseProductionOutputs(
      (await unlessMotoStops(runTerraform(['output', '-json'], { cwd: stackDir, env: terraformEnv }))).stdout,
    );
    const keys = await unlessMotoStops(readLocalKeys(moto.endpoint, region, outputs));

    const deployed = await unlessMotoStops(readDeployedStack(moto.endpoint, region, stackDir, stackJson));
    functionsEndpoint = options.functionsAwsEndpoint ? await options.functionsAwsEndpoint(moto.endpoint) : undefined;
    motoWrites = await startMotoWrites(functionsEndpoint?.url ?? moto.endpoint);
    runtime = await unlessMotoStops(
      startRuntime({
        awsEndpoint: moto.endpoint,
        functionsAwsEndpoint: motoWrites.url,
        region,
        deployed,
        codeRoot: path.join(localDir, 'functions'),
        port: runtimePort.port,
        log,
        scheduleIntervalSeconds,
      }),
    );
    log(`[5/5] ${runtime.functions.join(', ')} running as deployed; their HTTP API on ${runtime.url}`);

    state = {
      ...state,
      status: 'running',
      ports: { moto: moto.port, runtime: runtime.port },
      flagsUrl: runtime.url,
      eventsUrl: runtime.url,
      flagsTable: outputs.flagsTable,
      analyticsTable: outputs.analyticsTable,
      eventStream: outputs.eventStream,
      flagsApiKeysSecret: outputs.flagsApiKeysSecret,
      eventsWriteKeySecret: outputs.eventsWriteKeySecret,
    };
    writeLocalState(projectDir, state);
    const running = runtime;
    return {
      state,
      outputs,
      keys,
      runtime: running,
      deployed,
      moto,
      notEmulated,
      stackDir,
      terraformEnv,
      portNote: runtimePort.note,
      motoLost,
      stop,
      async destroy(destroyLog = log) {
        await running.poller.stop(); // the stream is about to go
        const destroyProgress = applyProgress(Date.now(), destroyLog);
        await runTerraform(['destroy', '-auto-approve', '-input=false', '-no-color'], {
          cwd: stackDir,
          env: terraformEnv,
          onOutput: (chunk) => destroyProgress.feed(chunk),
        });
        destroyLog(destroyProgress.summary());
      },
    };
  } catch (error) {
    await stop();
    if (error instanceof LocalProductionError) throw error;
    throw new LocalProductionError('SETUP_FAILED', `local production did not start: ${(error as Error).message}`);
  }
}
