import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  LocalStateError,
  readLocalState,
  removeLocalState,
  stateFilePath,
  writeLocalState,
  type LocalState,
} from '../../../cli/local/state-file';
import { resolveTarget } from '../../../cli/flags/target';
import { resolveLiveSource } from '../../../cli/experiment/live-source';
import { runningState } from '../../support/local-fixtures';
import { tempDir } from '../../support/temp';

const running: LocalState = runningState({ pids: { runtime: 4242, moto: 4243 } });

describe('local state file', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('monoenv-state-');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is absent until written, then reads back what was written, then is gone after removal', () => {
    expect(readLocalState(dir)).toBeUndefined();
    writeLocalState(dir, running);
    expect(readLocalState(dir)).toEqual(running);
    expect(stateFilePath(dir)).toBe(join(dir, '.monoenv', 'local', 'state.json'));
    removeLocalState(dir);
    expect(existsSync(stateFilePath(dir))).toBe(false);
    expect(() => removeLocalState(dir)).not.toThrow();
  });

  it('leaves no temporary file behind', () => {
    writeLocalState(dir, running);
    const files = require('node:fs').readdirSync(join(dir, '.monoenv', 'local')) as string[];
    expect(files).toEqual(['state.json']);
  });

  it('refuses to write a state that does not match the schema', () => {
    expect(() => writeLocalState(dir, { ...running, ports: { moto: 70000 } })).toThrow();
    expect(existsSync(stateFilePath(dir))).toBe(false);
  });

  it('names the damaged field of a bad file, with a code', () => {
    mkdirSync(join(dir, '.monoenv', 'local'), { recursive: true });
    writeFileSync(stateFilePath(dir), JSON.stringify({ ...running, pids: { runtime: 'x', moto: 1 } }));
    expect(() => readLocalState(dir)).toThrow(LocalStateError);
    expect(() => readLocalState(dir)).toThrow(/pids\.runtime/);
    writeFileSync(stateFilePath(dir), '{not json');
    try {
      readLocalState(dir);
      throw new Error('expected a failure');
    } catch (error) {
      expect((error as LocalStateError).code).toBe('STATE_INVALID');
      expect((error as Error).message).toMatch(/not valid JSON.*npm stop/);
    }
  });

  it('is what the flags and experiment CLIs read to find local production', () => {
    writeLocalState(dir, running);
    expect(JSON.parse(readFileSync(stateFilePath(dir), 'utf8')).flagsTable).toBe('monoenv-flags');
    expect(resolveTarget({}, {}, dir)).toMatchObject({ table: 'monoenv-flags', endpoint: running.awsEndpoint, region: 'eu-west-1' });
    expect(resolveLiveSource({}, {}, dir)).toMatchObject({
      tableName: 'monoenv-analytics',
      endpoint: running.awsEndpoint,
      region: 'eu-west-1',
    });
  });
});
