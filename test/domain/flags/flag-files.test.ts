import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../../cli/flags/command';
import { FlagDirError, loadFlagDir, validateFlagDir } from '../../../domain/flags/flag-files';
import { tempDir } from '../../support/temp';
import { REPO_ROOT } from '../../support/paths';

function dirWith(files: Record<string, unknown>): string {
  const dir = tempDir('monoenv-flagdir-');
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

const flag = (defaultVariant = 'on', extra: Record<string, unknown> = {}) => ({
  state: 'ENABLED',
  variants: { on: true, off: false },
  defaultVariant,
  ...extra,
});
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tracked = (files: Record<string, unknown>) => {
  const dir = dirWith(files);
  dirs.push(dir);
  return dir;
};

describe('validateFlagDir', () => {
  it('accepts the example flag files of the repository', () => {
    const set = validateFlagDir(join(REPO_ROOT, 'flags'));
    expect(set.flags.has('new-checkout')).toBe(true);
  });

  it('merges files, resolving $ref to an evaluator defined in another file', () => {
    const dir = tracked({
      'a.json': { flags: { one: flag('on', { targeting: { if: [{ $ref: 'staff' }, 'off', null] } }) } },
      'shared.json': { flags: {}, $evaluators: { staff: { '==': [{ var: 'staff' }, true] } } },
    });
    const { set, fileOfFlag } = loadFlagDir(dir);
    expect([...set.flags.keys()]).toEqual(['one']);
    expect(fileOfFlag.get('one')).toBe('a.json');
  });

  it('lists every issue with file, flag and field', () => {
    const dir = tracked({
      'broken.json': '{"flags": {',
      'bad-default.json': { flags: { alpha: flag('missing') } },
      'shape.json': { flags: { beta: { state: 'ON', variants: { on: true } } } },
      'readme.txt': 'ignored: not a flag file',
    });
    let error: FlagDirError | undefined;
    try {
      validateFlagDir(dir);
    } catch (e) {
      error = e as FlagDirError;
    }
    expect(error).toBeInstanceOf(FlagDirError);
    expect(error?.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'broken.json', field: '(file)', message: expect.stringMatching(/not valid JSON/) }),
        expect.objectContaining({ file: 'shape.json', flag: 'beta', field: 'flags.beta.state' }),
      ]),
    );
    expect(error?.message).toMatch(/broken\.json/);
    expect(error?.message).toMatch(/shape\.json \[flag beta\] flags\.beta\.state/);
  });

  it('reports semantic issues (after structure is fine) with the file of the flag', () => {
    const dir = tracked({ 'ok.json': { flags: { fine: flag() } }, 'bad-default.json': { flags: { alpha: flag('missing') } } });
    expect(() => validateFlagDir(dir)).toThrow(/bad-default\.json \[flag alpha\] flags\.alpha\.defaultVariant/);
  });

  it('refuses a flag defined in two files, naming both', () => {
    const dir = tracked({ 'a.json': { flags: { dup: flag() } }, 'b.json': { flags: { dup: flag('off') } } });
    expect(() => validateFlagDir(dir)).toThrow(/a\.json and b\.json/);
  });

  it('refuses an empty folder', () => {
    expect(() => validateFlagDir(tracked({}))).toThrow(/no \*\.json flag files/);
  });

  it('is what `monoenv flags validate` runs: exit 0 when valid, 1 with the issues otherwise, 2 without --dir', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    expect(await run(['validate', '--dir', tracked({ 'a.json': { flags: { one: flag() } } })], io)).toBe(0);
    expect(await run(['validate', '--dir', tracked({ 'a.json': { flags: { one: flag('nope') } } })], io)).toBe(1);
    expect(out.join('\n')).toMatch(/a\.json \[flag one\]/);
    expect(await run(['validate'], io)).toBe(2);
  });
});
