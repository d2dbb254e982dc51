import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateFilePath, writeLocalState, type LocalState } from '../../../cli/local/state-file';
import { stopLocalProduction } from '../../../cli/local/stop';
import { runningState } from '../../support/local-fixtures';
import { tempDir } from '../../support/temp';

const state: LocalState = runningState({
  flagsUrl: undefined,
  eventsUrl: undefined,
  flagsTable: undefined,
  analyticsTable: undefined,
  eventStream: undefined,
});

/** Fake processes: a signal ends a pid unless it is listed as stubborn (ignores SIGTERM). */
function fakeProcesses(alive: number[], stubborn: number[] = []) {
  const live = new Set(alive);
  const sent: string[] = [];
  return {
    sent,
    probe: (pid: number) => live.has(pid),
    signal: (pid: number, sig: NodeJS.Signals) => {
      if (!live.has(pid)) throw Object.assign(new Error('ESRCH'), { code: 'ESRCH' });
      sent.push(`${sig}:${pid}`);
      if (sig === 'SIGKILL' || !stubborn.includes(pid)) live.delete(pid);
    },
  };
}

describe('npm stop', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('monoenv-stop-');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('with nothing running says so and succeeds', async () => {
    const fake = fakeProcesses([]);
    expect(await stopLocalProduction(dir, fake.probe, { signal: fake.signal })).toEqual({
      ok: true,
      message: 'no local production is running',
    });
    expect(fake.sent).toEqual([]);
  });

  it('asks the runtime to stop (it stops its moto) and removes the state file', async () => {
    const fake = fakeProcesses([100, 200]);
    // The real runtime stops moto on SIGTERM; so does this fake.
    const signal = (pid: number, sig: NodeJS.Signals) => {
      fake.signal(pid, sig);
      if (pid === 100) fake.signal(200, 'SIGTERM');
    };
    writeLocalState(dir, state);
    const result = await stopLocalProduction(dir, fake.probe, { signal, pollMs: 1 });
    expect(result).toEqual({ ok: true, message: 'stopped local production (pid 100) and its local AWS (pid 200)' });
    expect(fake.sent[0]).toBe('SIGTERM:100');
    expect(existsSync(stateFilePath(dir))).toBe(false);
  });

  it('kills a runtime that does not stop within the grace period', async () => {
    const fake = fakeProcesses([100, 200], [100]);
    writeLocalState(dir, state);
    const result = await stopLocalProduction(dir, fake.probe, { signal: fake.signal, graceMs: 20, pollMs: 5 });
    expect(fake.sent).toEqual(['SIGTERM:100', 'SIGKILL:100', 'SIGTERM:200']);
    expect(result.ok).toBe(true);
  });

  it('after moto was killed mid-run: stops the runtime and cleans up', async () => {
    const fake = fakeProcesses([100]);
    writeLocalState(dir, state);
    const result = await stopLocalProduction(dir, fake.probe, { signal: fake.signal, pollMs: 1 });
    expect(fake.sent).toEqual(['SIGTERM:100']);
    expect(result.ok).toBe(true);
    expect(existsSync(stateFilePath(dir))).toBe(false);
  });

  it('after the runtime crashed: stops the moto it left and says it had already stopped', async () => {
    const fake = fakeProcesses([200]);
    writeLocalState(dir, state);
    const result = await stopLocalProduction(dir, fake.probe, { signal: fake.signal, pollMs: 1 });
    expect(fake.sent).toEqual(['SIGTERM:200']);
    expect(result.message).toMatch(/had already stopped \(pid 100\); cleaned up/);
  });

  it('a damaged state file is removed, and no process is signalled on its word', async () => {
    const fake = fakeProcesses([100, 200]);
    mkdirSync(join(dir, '.monoenv', 'local'), { recursive: true });
    writeFileSync(stateFilePath(dir), '{"pids": ');
    const result = await stopLocalProduction(dir, fake.probe, { signal: fake.signal });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/not valid JSON.*removed it/);
    expect(fake.sent).toEqual([]);
    expect(existsSync(stateFilePath(dir))).toBe(false);
  });
});
