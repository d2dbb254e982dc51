/**
 * `monoenv local start|stop|status` (`npm start`, `npm stop`): local production on this machine.
 * Exit codes: 0 ok, 1 it failed or stopped unexpectedly, 2 bad usage or already running.
 */
import { integerOption, parseCommandLine, UsageError, usageOf, type CommandSpec, type OptionSpecs } from '../command-line';
import { LocalProductionError, startLocalProduction } from './local-production';
import { PortInUseError } from './ports';
import { MAX_SCHEDULE_INTERVAL_SECONDS, SCHEDULE_INTERVAL_ENV, scheduleIntervalFromEnv } from './runtime';
import { checkRunning, liveProcessProbe } from './running-check';
import { stopLocalProduction } from './stop';
import { readLocalState, STATE_FILE } from './state-file';
import { formatStartSummary } from './summary';

export const LOCAL_COMMAND = {
  name: 'local',
  synopsis: '<start|stop|status> [options]',
  subcommands: [
    {
      name: 'start',
      summary:
        'moto on loopback, terraform apply of the production stack to it, then run the deployed functions behind their HTTP API until Ctrl-C or `npm stop`',
    },
    { name: 'stop', summary: 'stop a running local production (and clean up after one that crashed)' },
    { name: 'status', summary: `show what is running, from ${STATE_FILE}` },
  ],
  options: {
    port: { type: 'string', value: 'n', description: 'port of the local APIs (default 4510, another free port if taken; 0 = any)' },
    'aws-port': { type: 'string', value: 'n', description: 'port of the local AWS (default: a free port)' },
    'schedule-interval': {
      type: 'string',
      value: 'seconds',
      description: `run schedules of an hour or less (rate(1 minute)...) this often locally (default: ${SCHEDULE_INTERVAL_ENV} or 5); slower ones do not run`,
    },
  },
  optionGroups: [{ heading: 'options for start', names: ['port', 'aws-port', 'schedule-interval'] }],
} as const satisfies CommandSpec<OptionSpecs>;

export const USAGE = usageOf(LOCAL_COMMAND);

let interruptedDuringStart = false;

/** --schedule-interval, else MONOENV_LOCAL_SCHEDULE_SECONDS, else undefined (the default); a bad value is a usage error. */
function scheduleInterval(flag: string | undefined, env: NodeJS.ProcessEnv): number | undefined {
  const fromFlag = integerOption(flag, 'schedule-interval', 1, MAX_SCHEDULE_INTERVAL_SECONDS);
  if (fromFlag !== undefined) return fromFlag;
  try {
    return scheduleIntervalFromEnv(env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function start(values: { port?: string; 'aws-port'?: string; 'schedule-interval'?: string }, cwd: string): Promise<number> {
  // Options are checked before anything is printed or started.
  const runtimePort = integerOption(values.port, 'port', 0, 65535);
  const awsPort = integerOption(values['aws-port'], 'aws-port', 0, 65535);
  const scheduleIntervalSeconds = scheduleInterval(values['schedule-interval'], process.env);
  const interrupt = new AbortController();
  let stopRequested: (() => void) | undefined;
  const onSignal = () => {
    interrupt.abort();
    stopRequested?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    console.log(`monoenv local: starting local production from ${cwd}`);
    const local = await startLocalProduction({
      projectDir: cwd,
      runtimePort,
      awsPort,
      scheduleIntervalSeconds,
      signal: interrupt.signal,
    });
    console.log(
      formatStartSummary({
        state: local.state,
        keys: local.keys,
        notEmulated: local.notEmulated,
        schedules: local.runtime.schedules,
        stateFile: STATE_FILE,
        portNote: local.portNote,
      }),
    );
    const stopped = new Promise<'signal'>((resolve) => {
      stopRequested = () => resolve('signal');
      if (interrupt.signal.aborted) resolve('signal');
    });
    const outcome = await Promise.race([stopped, local.motoLost]);
    if (outcome === 'signal') {
      console.log('\nmonoenv local: stopping local production...');
      await local.stop();
      console.log('monoenv local: stopped');
      return 0;
    }
    // moto's last stderr lines are its request log here; the exit code and signal are what matter.
    console.error(
      `\nmonoenv local: the local AWS (moto, pid ${local.moto.pid}) stopped unexpectedly (${outcome.split(';')[0]}).` +
        '\nIts tables and stream are gone, so local production is down; stopping the runtime. Run `npm start` to start again.',
    );
    await local.stop();
    return 1;
  } catch (error) {
    if (error instanceof LocalProductionError && error.code === 'INTERRUPTED') {
      interruptedDuringStart = true;
      console.log(`monoenv local: ${error.message}`);
      return 0;
    }
    if (error instanceof LocalProductionError || error instanceof PortInUseError) {
      console.error(`monoenv local: ${error.message} [${error.code}]`);
      return error instanceof PortInUseError || error.code === 'ALREADY_RUNNING' ? 2 : 1;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function status(cwd: string): number {
  const check = checkRunning(readLocalState(cwd), liveProcessProbe);
  if (check.kind === 'none') {
    console.log('no local production is running (`npm start` starts one)');
    return 0;
  }
  const { state } = check;
  const what = {
    running: state.status === 'running' ? 'running' : 'starting',
    broken: 'broken: its local AWS stopped; run `npm stop`',
    stale: 'not running (left over; `npm stop` cleans up)',
  }[check.kind];
  console.log(
    [
      `local production: ${what}`,
      `  APIs       ${state.flagsUrl ?? '(not yet)'}`,
      `  local AWS  ${state.awsEndpoint} (pid ${state.pids.moto})`,
      `  runtime    pid ${state.pids.runtime}, since ${state.startedAt}`,
    ].join('\n'),
  );
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const cwd = process.cwd();
  try {
    const parsed = parseCommandLine(LOCAL_COMMAND, argv);
    const [command, ...rest] = parsed.positionals;
    if (parsed.help) {
      console.log(USAGE);
      return 0;
    }
    if (rest.length > 0 || !command || !['start', 'stop', 'status'].includes(command)) {
      throw new UsageError(command ? `unknown or extra arguments: ${parsed.positionals.join(' ')}` : 'a command is required');
    }
    if (command === 'start') {
      const code = await start(parsed.values, cwd);
      // An interrupted or failed start can leave a terraform child running, which would keep this process
      // alive; it stops on its own at its next write to the closed pipe.
      if (code !== 0 || interruptedDuringStart) process.exit(code);
      return code;
    }
    if (command === 'status') return status(cwd);
    const result = await stopLocalProduction(cwd, liveProcessProbe);
    console.log(`monoenv local: ${result.message}`);
    return result.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`monoenv local: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof LocalProductionError) {
      console.error(`monoenv local: ${error.message} [${error.code}]`);
      return 2;
    }
    if ((error as { name?: string }).name === 'LocalStateError') {
      console.error(`monoenv local: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
}
