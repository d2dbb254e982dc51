import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../../cli/command-line';
import { resolveActor, resolveTarget } from '../../../cli/flags/target';
import { runningState } from '../../support/local-fixtures';
import { tempDir } from '../../support/temp';

describe('which flag table the CLI edits', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = tempDir('monoenv-target-');
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));
  const writeState = (state: unknown) => {
    mkdirSync(join(cwd, '.monoenv', 'local'), { recursive: true });
    writeFileSync(join(cwd, '.monoenv', 'local', 'state.json'), typeof state === 'string' ? state : JSON.stringify(state));
  };

  it('prefers --table, then MONOENV_FLAGS_TABLE, then a running local production', () => {
    writeState(runningState({ flagsTable: 'local-flags', awsEndpoint: 'http://127.0.0.1:5000', region: 'us-east-1' }));
    expect(resolveTarget({ table: 'cli' }, { MONOENV_FLAGS_TABLE: 'env' }, cwd)).toMatchObject({ table: 'cli', source: '--table' });
    expect(resolveTarget({}, { MONOENV_FLAGS_TABLE: 'env' }, cwd)).toMatchObject({ table: 'env', endpoint: undefined });
    expect(resolveTarget({}, {}, cwd)).toEqual({
      table: 'local-flags',
      endpoint: 'http://127.0.0.1:5000',
      region: 'us-east-1',
      source: join('.monoenv', 'local', 'state.json'),
    });
  });

  it('is a usage error when no table is known, and names the broken field of a bad state file', () => {
    expect(() => resolveTarget({}, {}, cwd)).toThrow(UsageError);
    writeState({ ...runningState(), awsEndpoint: 'not a url' });
    expect(() => resolveTarget({}, {}, cwd)).toThrow(/awsEndpoint: must be a URL/);
  });

  it('records --actor, then MONOENV_ACTOR, as the editor', () => {
    expect(resolveActor('alice', { MONOENV_ACTOR: 'bob' })).toBe('alice');
    expect(resolveActor(undefined, { MONOENV_ACTOR: 'bob' })).toBe('bob');
    expect(resolveActor(undefined, {})).toMatch(/.+/);
  });
});
