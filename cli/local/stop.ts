/**
 * `npm stop`: asks the running `npm start` to stop (SIGTERM: it stops its servers and moto in order and
 * removes the state file), then makes sure nothing it started is left, by pid only.
 */
import { checkRunning, type ProcessProbe, type ProcessRole } from './running-check';
import { readLocalState, removeLocalState, LocalStateError } from './state-file';

export interface StopOptions {
  /** @default process.kill */
  readonly signal?: (pid: number, signal: NodeJS.Signals) => void;
  /** How long the runtime gets to stop by itself before it is killed. @default 20000 */
  readonly graceMs?: number;
  readonly pollMs?: number;
}

export interface StopResult {
  readonly ok: boolean;
  readonly message: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForExit(pid: number, role: ProcessRole, probe: ProcessProbe, ms: number, pollMs: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!probe(pid, role)) return true;
    await sleep(pollMs);
  }
  return !probe(pid, role);
}

export async function stopLocalProduction(projectDir: string, probe: ProcessProbe, options: StopOptions = {}): Promise<StopResult> {
  const send = options.signal ?? ((pid, signal) => process.kill(pid, signal));
  const graceMs = options.graceMs ?? 20_000;
  const pollMs = options.pollMs ?? 100;
  const terminate = async (pid: number, role: ProcessRole, ms: number) => {
    try {
      send(pid, 'SIGTERM');
    } catch {
      return; // already gone
    }
    if (!(await waitForExit(pid, role, probe, ms, pollMs)) && probe(pid, role)) {
      try {
        send(pid, 'SIGKILL');
      } catch {
        /* gone meanwhile */
      }
    }
  };

  let state;
  try {
    state = readLocalState(projectDir);
  } catch (error) {
    if (!(error instanceof LocalStateError)) throw error;
    removeLocalState(projectDir);
    return { ok: false, message: `${error.message.split(';')[0]}; removed it. Processes it named (if any) were not touched.` };
  }
  const check = checkRunning(state, probe);
  if (check.kind === 'none') return { ok: true, message: 'no local production is running' };

  const { pids } = check.state;
  if (check.kind === 'running' || check.kind === 'broken') await terminate(pids.runtime, 'runtime', graceMs);
  // The runtime stops its moto; a moto left by a crashed or killed runtime is stopped here.
  if (probe(pids.moto, 'moto')) await terminate(pids.moto, 'moto', 5_000);
  removeLocalState(projectDir);
  const left = [
    probe(pids.runtime, 'runtime') && `runtime pid ${pids.runtime}`,
    probe(pids.moto, 'moto') && `moto pid ${pids.moto}`,
  ].filter(Boolean);
  if (left.length > 0) return { ok: false, message: `could not stop ${left.join(' and ')}` };
  return {
    ok: true,
    message:
      check.kind === 'stale'
        ? `local production had already stopped (pid ${pids.runtime}); cleaned up what it left`
        : `stopped local production (pid ${pids.runtime}) and its local AWS (pid ${pids.moto})`,
  };
}
