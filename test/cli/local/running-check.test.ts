import { alreadyRunningMessage, checkRunning, liveProcessProbe, type ProcessProbe } from '../../../cli/local/running-check';
import type { LocalState } from '../../../cli/local/state-file';
import { runningState } from '../../support/local-fixtures';

const state: LocalState = runningState({ eventsUrl: undefined, flagsTable: undefined, analyticsTable: undefined, eventStream: undefined });

const alive =
  (...pids: number[]): ProcessProbe =>
  (pid) =>
    pids.includes(pid);

describe('is a local production already running?', () => {
  it('no state file: nothing runs', () => {
    expect(checkRunning(undefined, alive(100, 200))).toEqual({ kind: 'none' });
  });

  it('runtime and moto alive: running, and the message says where and how to stop it', () => {
    const check = checkRunning(state, alive(100, 200));
    expect(check.kind).toBe('running');
    const message = alreadyRunningMessage(check as Extract<typeof check, { kind: 'running' }>);
    expect(message).toContain('already running at http://127.0.0.1:4510');
    expect(message).toContain('npm stop');
  });

  it('runtime alive but moto gone (killed mid-run): broken, and the message asks for npm stop', () => {
    const check = checkRunning(state, alive(100));
    expect(check.kind).toBe('broken');
    expect(alreadyRunningMessage(check as Extract<typeof check, { kind: 'broken' }>)).toMatch(
      /local AWS \(moto, pid 200\) has stopped; run `npm stop`/,
    );
  });

  it('runtime gone: stale, naming a moto it left behind only when that still lives', () => {
    expect(checkRunning(state, alive(200))).toEqual({ kind: 'stale', state, leftoverMotoPid: 200 });
    expect(checkRunning(state, alive())).toEqual({ kind: 'stale', state });
  });

  it('asks the probe about each pid in its role', () => {
    const asked: string[] = [];
    checkRunning(state, (pid, role) => {
      asked.push(`${role}:${pid}`);
      return true;
    });
    expect(asked.sort()).toEqual(['moto:200', 'runtime:100']);
  });

  it('the live probe knows this node process and refuses a pid that is not there or not the role', () => {
    expect(liveProcessProbe(process.pid, 'runtime')).toBe(true);
    expect(liveProcessProbe(process.pid, 'moto')).toBe(process.platform !== 'linux');
    expect(liveProcessProbe(2 ** 22 + 12345, 'runtime')).toBe(false);
  });
});
