/**
 * Is a local production already running? Decided from the state file and a probe that says whether a
 * pid is alive *and* still the process we started (pids get reused), so `npm start` refuses a second
 * copy and `npm stop` ends only what the first one started.
 */
import { readFileSync } from 'node:fs';
import type { LocalState } from './state-file';

export type ProcessRole = 'runtime' | 'moto';
export type ProcessProbe = (pid: number, role: ProcessRole) => boolean;

export type RunningCheck =
  | { readonly kind: 'none' }
  /** The runtime and its moto both answer to their pids. */
  | { readonly kind: 'running'; readonly state: LocalState }
  /** The runtime lives but its moto died (killed mid-run): it needs `npm stop`. */
  | { readonly kind: 'broken'; readonly state: LocalState }
  /** The runtime is gone (crashed or killed hard); `leftoverMotoPid` is a moto it left behind. */
  | { readonly kind: 'stale'; readonly state: LocalState; readonly leftoverMotoPid?: number };

export function checkRunning(state: LocalState | undefined, probe: ProcessProbe): RunningCheck {
  if (!state) return { kind: 'none' };
  const motoAlive = probe(state.pids.moto, 'moto');
  if (!probe(state.pids.runtime, 'runtime')) {
    return motoAlive ? { kind: 'stale', state, leftoverMotoPid: state.pids.moto } : { kind: 'stale', state };
  }
  return motoAlive ? { kind: 'running', state } : { kind: 'broken', state };
}

/** What a second `npm start` prints instead of starting another copy. */
export function alreadyRunningMessage(check: Extract<RunningCheck, { kind: 'running' | 'broken' }>): string {
  const { state } = check;
  if (check.kind === 'broken') {
    return `a local production (pid ${state.pids.runtime}) is still running but its local AWS (moto, pid ${state.pids.moto}) has stopped; run \`npm stop\`, then \`npm start\``;
  }
  const where = state.ports.runtime ? ` at http://127.0.0.1:${state.ports.runtime}` : ' (still starting)';
  return `local production is already running${where} (pid ${state.pids.runtime}, local AWS ${state.awsEndpoint}); \`npm stop\` stops it`;
}

const EXPECTED_COMMAND: Record<ProcessRole, RegExp> = {
  runtime: /node/,
  moto: /moto/,
};

/**
 * Alive, and (where /proc exists) its command line still looks like the role's program, so a pid reused
 * by an unrelated process after a crash is never signalled.
 */
export const liveProcessProbe: ProcessProbe = (pid, role) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false; // ESRCH: gone; EPERM: another user's process, so not ours
  }
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return EXPECTED_COMMAND[role].test(commandLine);
  } catch {
    return true; // no /proc (macOS): alive is the best we can tell
  }
};
