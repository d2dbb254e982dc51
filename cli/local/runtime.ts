/**
 * The Lambdas of local production, run as deployed (moto stores Lambdas but cannot invoke them): every function
 * behind the HTTP API and every stream mapping gets a LambdaHost with its deployed package and environment; the
 * API's routes are served on one loopback port (front-door.ts), and each mapped stream is polled for its function
 * (stream-poller.ts). EventBridge Scheduler schedules (which moto stores but never fires) of an hour or less run
 * their function on a timer, sped up to every `scheduleIntervalSeconds`, one invocation at a time per schedule.
 * Nothing here knows what the functions do.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import * as path from 'node:path';
import type { BatchResponse, KinesisRecordLike } from '../../lambdas/journey-processor/processor';
import { localScheduleRule, type DeployedSchedule, type DeployedStack } from './deployed';
import { serveFrontDoor, type RunningFrontDoor } from './front-door';
import { startLambdaHost, type LambdaHost } from './lambda-host';
import { motoClientConfig } from './moto-server';
import { startStreamPoller, type StreamPoller } from './stream-poller';

export interface RuntimeOptions {
  /** The local AWS (moto). */
  readonly awsEndpoint: string;
  /** Where the functions' own AWS calls go (e.g. a recording proxy in front of moto). @default awsEndpoint */
  readonly functionsAwsEndpoint?: string;
  readonly region: string;
  readonly deployed: DeployedStack;
  /** Where function packages are unpacked. */
  readonly codeRoot: string;
  /** A free port, checked by the caller. */
  readonly port: number;
  /** Function output and runtime notes (not the EMF metric lines). @default console.error */
  readonly log?: (line: string) => void;
  /** How often a schedule of an hour or less (`rate(1 minute)`, `rate(1 hour)`) runs locally. @default 5 */
  readonly scheduleIntervalSeconds?: number;
  /** The schedules' timers. @default realTimers */
  readonly scheduleTimers?: ScheduleTimers;
}

export interface LocalRuntime {
  /** Base URL of the HTTP API: OFREP under /ofrep/v1, ingestion at /v1/events. */
  readonly url: string;
  readonly port: number;
  /** The poller of the (first) mapped stream. */
  readonly poller: StreamPoller;
  readonly functions: readonly string[];
  /** The schedules run locally (every `everySeconds`); the others are listed as not emulated. */
  readonly schedules: readonly LocalSchedule[];
  /** Runs every local schedule once now (each after its running invocation, if any); resolves when all are done. */
  runSchedulesNow(): Promise<void>;
  close(): Promise<void>;
}

const MOTO_ACCOUNT_ID = '123456789012';

export const DEFAULT_SCHEDULE_INTERVAL_SECONDS = 5;
export const MAX_SCHEDULE_INTERVAL_SECONDS = 3600;
export const SCHEDULE_INTERVAL_ENV = 'MONOENV_LOCAL_SCHEDULE_SECONDS';

/** The local schedule interval MONOENV_LOCAL_SCHEDULE_SECONDS sets, if any; throws naming the variable for a bad one. */
export function scheduleIntervalFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const value = env[SCHEDULE_INTERVAL_ENV];
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_SCHEDULE_INTERVAL_SECONDS) {
    throw new Error(`${SCHEDULE_INTERVAL_ENV} must be a whole number from 1 to ${MAX_SCHEDULE_INTERVAL_SECONDS} (seconds), got '${value}'`);
  }
  return seconds;
}

/** A deployed schedule that local production runs, every `everySeconds` instead of its own rate. */
export interface LocalSchedule extends DeployedSchedule {
  readonly everySeconds: number;
}

/** The deployed schedules local production runs (localScheduleRule), each every `intervalSeconds`. */
export function localSchedules(deployed: readonly DeployedSchedule[], intervalSeconds: number): LocalSchedule[] {
  return deployed.filter((schedule) => localScheduleRule(schedule.expression).runs).map((s) => ({ ...s, everySeconds: intervalSeconds }));
}

/** Repeating timers, injectable so tests need not wait: `every` calls `tick` every `ms` until the returned cancel. */
export interface ScheduleTimers {
  every(ms: number, tick: () => void): () => void;
}

export const realTimers: ScheduleTimers = {
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

export interface ScheduleRunnerOptions {
  readonly schedules: readonly LocalSchedule[];
  /** Invokes a function with an event (a LambdaHost's invoke). */
  readonly invoke: (functionName: string, event: unknown) => Promise<unknown>;
  /** Where failed invocations are reported (`<function>: ...`). */
  readonly log: (line: string) => void;
  /** @default realTimers */
  readonly timers?: ScheduleTimers;
}

export interface ScheduleRunner {
  /** Every schedule once now, each after its running invocation; never rejects (failures are logged). */
  runNow(): Promise<void>;
  /** Stops the timers and waits for the invocations already running or asked for. */
  close(): Promise<void>;
}

/**
 * Runs each schedule's function with its input on a timer. A schedule never overlaps itself: a tick while its
 * invocation still runs is skipped (runNow waits its turn instead). A failed invocation is logged and the timer
 * keeps going, as EventBridge Scheduler fires the next time whatever the last one did.
 */
export function startScheduleRunner(options: ScheduleRunnerOptions): ScheduleRunner {
  const timers = options.timers ?? realTimers;
  let closed = false;
  const runners = options.schedules.map((schedule) => {
    let pending = 0;
    let last: Promise<void> = Promise.resolve();
    const once = async () => {
      try {
        await options.invoke(schedule.functionName, schedule.input);
      } catch (error) {
        // A LambdaInvokeError already starts with the function's name.
        const text = error instanceof Error ? error.message : String(error);
        const message = text.startsWith(`${schedule.functionName}: `) ? text.slice(schedule.functionName.length + 2) : text;
        options.log(`${schedule.functionName}: scheduled run (${schedule.name}, ${schedule.expression}) failed: ${message}`);
      }
    };
    const enqueue = (): Promise<void> => {
      pending += 1;
      last = last.then(once).finally(() => {
        pending -= 1;
      });
      return last;
    };
    const cancel = timers.every(schedule.everySeconds * 1000, () => {
      if (!closed && pending === 0) void enqueue();
    });
    return { enqueue, cancel, idle: () => last };
  });
  return {
    async runNow() {
      if (closed) return;
      await Promise.all(runners.map((runner) => runner.enqueue()));
    },
    async close() {
      closed = true;
      for (const runner of runners) runner.cancel();
      await Promise.all(runners.map((runner) => runner.idle()));
    },
  };
}

export async function startRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  const log = options.log ?? ((line: string) => console.error(line));
  const { deployed } = options;
  const [api] = deployed.apis;
  if (!api) throw new Error('no HTTP API was deployed: nothing to serve');
  const mapping = deployed.streamMappings[0];
  if (!mapping) throw new Error('no stream is mapped to a function: nothing to process events');

  const intervalSeconds = options.scheduleIntervalSeconds ?? DEFAULT_SCHEDULE_INTERVAL_SECONDS;
  if (!(intervalSeconds > 0 && Number.isFinite(intervalSeconds))) {
    throw new Error(`scheduleIntervalSeconds must be a positive number of seconds, got ${intervalSeconds}`);
  }
  const schedules = localSchedules(deployed.schedules, intervalSeconds);

  const wanted = new Set([
    ...api.routes.map((r) => r.functionName),
    ...deployed.streamMappings.map((m) => m.functionName),
    ...schedules.map((s) => s.functionName),
  ]);
  const hosts = new Map<string, LambdaHost>();
  const closeAll = async () => {
    await Promise.all([...hosts.values()].map((host) => host.close()));
  };
  try {
    for (const name of wanted) {
      const fn = deployed.functions.find((f) => f.name === name);
      if (!fn) throw new Error(`${name} is wired to the API, a stream or a schedule but was not deployed`);
      hosts.set(
        name,
        await startLambdaHost({
          functionName: name,
          zipFile: fn.zipFile,
          codeDir: path.join(options.codeRoot, name),
          handler: fn.handler,
          environment: fn.environment,
          awsEndpoint: options.functionsAwsEndpoint ?? options.awsEndpoint,
          region: options.region,
          timeoutSeconds: fn.timeoutSeconds,
          // EMF metric lines would go to CloudWatch in AWS; locally only the log lines are shown.
          log: (line) => {
            if (!line.includes('"_aws"')) log(`${name}: ${line}`);
          },
        }),
      );
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  const invoke = (name: string, event: unknown) => {
    const host = hosts.get(name);
    if (!host) throw new Error(`no function ${name}`);
    return host.invoke(event);
  };

  // One batch at a time across shards: moto's DynamoDB deep-copies a table during a transaction while other
  // requests change it (HTTP 500s). In AWS, shards run in parallel; the processor is safe either way.
  let previous: Promise<unknown> = Promise.resolve();
  const oneAtATime = (records: KinesisRecordLike[]): Promise<BatchResponse> => {
    const event = {
      Records: records.map((r) => ({
        eventSource: 'aws:kinesis',
        eventSourceARN: mapping.streamArn,
        kinesis: { kinesisSchemaVersion: '1.0', ...r.kinesis },
      })),
    };
    const run = previous.then(() => invoke(mapping.functionName, event) as Promise<BatchResponse>);
    previous = run.catch(() => undefined);
    return run;
  };
  // The SDK's default HTTP/2-capable handler does not talk to moto; plain HTTP/1.1 does.
  const kinesis = new KinesisClient({ ...motoClientConfig(options.awsEndpoint, options.region), requestHandler: new NodeHttpHandler() });
  let poller: StreamPoller;
  try {
    poller = await startStreamPoller({
      client: kinesis,
      streamName: mapping.streamArn.split('/').pop()!,
      batchSize: mapping.batchSize,
      processBatch: oneAtATime,
      onError: (error) => log(`${mapping.functionName}: reading its stream failed (retrying): ${error.message}`),
    });
  } catch (error) {
    kinesis.destroy();
    await closeAll();
    throw error;
  }

  let frontDoor: RunningFrontDoor;
  try {
    frontDoor = await serveFrontDoor({
      api,
      accountId: MOTO_ACCOUNT_ID,
      port: options.port,
      invoke,
      onError: (name, error) => log(`${name}: ${error.message}`),
      log,
    });
  } catch (error) {
    await poller.stop();
    kinesis.destroy();
    await closeAll();
    throw error;
  }
  // Last, so no schedule fires before everything it may call is up.
  const scheduled = startScheduleRunner({ schedules, invoke, log, timers: options.scheduleTimers });
  return {
    url: frontDoor.url,
    port: frontDoor.port,
    poller,
    functions: [...hosts.keys()],
    schedules,
    runSchedulesNow: () => scheduled.runNow(),
    async close() {
      await scheduled.close();
      await frontDoor.close();
      await poller.stop();
      await previous;
      kinesis.destroy();
      await closeAll();
    },
  };
}
