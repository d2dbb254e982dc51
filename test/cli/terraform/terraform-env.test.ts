import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { providerAvailability, terraformCliConfigPath, terraformEnv } from '../../../cli/terraform/terraform-env';
import { MIRROR_ENV_VAR } from '../../../cli/terraform/provider-mirror';
import { tempDir } from '../../support/temp';

const project = () => tempDir('monoenv-project-');

describe('terraform env', () => {
  it('writes a CLI config that installs registry providers only from the mirror', () => {
    const dir = project();
    const env = terraformEnv(dir, { mode: 'mirror', path: '/opt/mirror dir', awsVersions: ['5.100.0'] }, { PATH: '/bin' });
    expect(env.TF_CLI_CONFIG_FILE).toBe(join(dir, '.monoenv', 'terraform', 'terraformrc'));
    expect(readFileSync(terraformCliConfigPath(dir), 'utf8')).toBe(
      [
        'provider_installation {',
        '  filesystem_mirror {',
        '    path    = "/opt/mirror dir"',
        '    include = ["registry.terraform.io/*/*"]',
        '  }',
        '  direct {',
        '    exclude = ["registry.terraform.io/*/*"]',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(env).toMatchObject({ CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1', TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', PATH: '/bin' });
  });

  it('drops a TF_CLI_CONFIG_FILE that points at a missing file when using the registry', () => {
    const dir = project();
    const env = terraformEnv(dir, { mode: 'registry' }, { TF_CLI_CONFIG_FILE: join(dir, 'missing.tfrc') });
    expect(env).not.toHaveProperty('TF_CLI_CONFIG_FILE');
    expect(existsSync(terraformCliConfigPath(dir))).toBe(false);
  });

  it('keeps an existing user CLI config when using the registry', () => {
    const dir = project();
    const existing = terraformCliConfigPath(dir);
    terraformEnv(dir, { mode: 'mirror', path: '/m', awsVersions: [] }, {}); // creates the file
    expect(terraformEnv(dir, { mode: 'registry' }, { TF_CLI_CONFIG_FILE: existing }).TF_CLI_CONFIG_FILE).toBe(existing);
  });
});

describe('providerAvailability', () => {
  const noMirror = { env: {}, candidates: [], search: false } as const;

  it('does not probe the registry when a mirror exists', async () => {
    const probe = jest.fn(async () => true);
    const mirror = join(tempDir('monoenv-m-'));
    require('node:fs').mkdirSync(join(mirror, 'registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64'), { recursive: true });
    await expect(providerAvailability({ env: {}, candidates: [mirror], search: false, platform: 'linux_amd64', probe })).resolves.toEqual({
      mode: 'mirror',
      path: mirror,
      awsVersions: ['5.100.0'],
    });
    expect(probe).not.toHaveBeenCalled();
  });

  it('falls back to the registry when it answers', async () => {
    await expect(providerAvailability({ ...noMirror, probe: async () => true })).resolves.toEqual({ mode: 'registry' });
  });

  it("reports 'none' with what to do when neither works", async () => {
    const result = await providerAvailability({ ...noMirror, probe: async () => false });
    expect(result.mode).toBe('none');
    expect(result.mode === 'none' && result.reason).toContain(MIRROR_ENV_VAR);
  });

  it("reports a broken override as 'none' instead of throwing", async () => {
    const result = await providerAvailability({ env: { [MIRROR_ENV_VAR]: '/no/such/mirror' }, probe: async () => true });
    expect(result).toEqual({ mode: 'none', reason: expect.stringContaining('no such directory') });
  });
});
