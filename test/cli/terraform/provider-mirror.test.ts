import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  awsVersionsInMirror,
  findProviderMirror,
  MIRROR_ENV_VAR,
  ProviderMirrorError,
  searchForMirrorDirs,
} from '../../../cli/terraform/provider-mirror';
import { tempDir } from '../../support/temp';

const platform = 'linux_amd64';

/** A fake mirror: only the directory layout matters for discovery. */
function makeMirror(layout: 'unpacked' | 'packed' | 'empty', version = '5.100.0'): string {
  const dir = tempDir('monoenv-mirror-');
  const awsDir = join(dir, 'registry.terraform.io', 'hashicorp', 'aws');
  mkdirSync(awsDir, { recursive: true });
  if (layout === 'unpacked') mkdirSync(join(awsDir, version, platform), { recursive: true });
  if (layout === 'packed') writeFileSync(join(awsDir, `terraform-provider-aws_${version}_${platform}.zip`), '');
  return dir;
}

describe('provider mirror discovery', () => {
  it('reads versions from the unpacked and the packed layout, for this platform only', () => {
    expect(awsVersionsInMirror(makeMirror('unpacked', '5.1.0'), platform)).toEqual(['5.1.0']);
    expect(awsVersionsInMirror(makeMirror('packed', '5.2.0'), platform)).toEqual(['5.2.0']);
    expect(awsVersionsInMirror(makeMirror('unpacked'), 'darwin_arm64')).toEqual([]);
  });

  it('uses MONOENV_TF_PROVIDER_MIRROR over the well-known places', () => {
    const override = makeMirror('unpacked', '5.99.0');
    const other = makeMirror('unpacked', '5.1.0');
    const mirror = findProviderMirror({ env: { [MIRROR_ENV_VAR]: override }, candidates: [other], search: false, platform });
    expect(mirror).toEqual({ path: override, awsVersions: ['5.99.0'] });
  });

  it('fails clearly when the override names a missing directory', () => {
    const missing = join(tmpdir(), 'monoenv-no-such-mirror');
    const find = () => findProviderMirror({ env: { [MIRROR_ENV_VAR]: missing }, search: false, platform });
    expect(find).toThrow(ProviderMirrorError);
    expect(find).toThrow(`${MIRROR_ENV_VAR}=${missing}: no such directory`);
  });

  it('fails clearly when the override holds no aws provider', () => {
    const empty = makeMirror('empty');
    try {
      findProviderMirror({ env: { [MIRROR_ENV_VAR]: empty }, search: false, platform });
      throw new Error('expected a ProviderMirrorError');
    } catch (err) {
      expect((err as ProviderMirrorError).code).toBe('MIRROR_WITHOUT_AWS');
      expect((err as Error).message).toContain('terraform providers mirror');
    }
  });

  it('skips candidates without aws and takes the first that has it', () => {
    const empty = makeMirror('empty');
    const good = makeMirror('packed', '5.3.0');
    expect(findProviderMirror({ env: {}, candidates: ['/nonexistent', empty, good], search: false, platform })?.path).toBe(good);
    expect(findProviderMirror({ env: {}, candidates: [empty], search: false, platform })).toBeUndefined();
  });

  it('finds a mirror by a bounded search below a root', () => {
    const root = tempDir('monoenv-search-');
    const deep = join(root, 'a', 'b');
    mkdirSync(join(deep, 'registry.terraform.io', 'hashicorp', 'aws', '5.4.0', platform), { recursive: true });
    mkdirSync(join(root, 'x', 'y', 'z', 'w', 'registry.terraform.io'), { recursive: true }); // too deep
    expect(searchForMirrorDirs(root, 3)).toEqual([deep]);
    expect(findProviderMirror({ env: {}, candidates: [], searchRoot: root, platform })).toEqual({ path: deep, awsVersions: ['5.4.0'] });
  });
});
