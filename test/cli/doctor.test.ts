import { createServer, type Server } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkConfig,
  checkCredentials,
  checkNode,
  checkProvider,
  checkLocalAws,
  checkTerraform,
  exitCodeFor,
  formatReport,
  localProductionFacts,
  run,
  sharedProfiles,
} from '../../cli/doctor';
import { tempDir } from '../support/temp';

describe('checkNode', () => {
  it('accepts 20 and newer, fails older versions with what to do', () => {
    expect(checkNode('v20.19.0').status).toBe('ok');
    expect(checkNode('v22.1.0').status).toBe('ok');
    expect(checkNode('v18.20.4')).toMatchObject({ status: 'fail', fix: expect.stringContaining('Node.js 20') });
  });
});

describe('checkTerraform', () => {
  it('reports the version, fails below 1.11 (write-only arguments) and when missing', () => {
    expect(checkTerraform({ available: true, path: '/usr/bin/terraform', version: '1.11.4' })).toEqual({
      name: 'Terraform',
      status: 'ok',
      detail: '1.11.4 at /usr/bin/terraform',
    });
    expect(checkTerraform({ available: true, path: '/usr/bin/terraform', version: '1.10.5' })).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('write-only'),
    });
    expect(checkTerraform({ available: false, reason: "'terraform' is not on the PATH" })).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('Install Terraform'),
    });
  });
});

describe('checkProvider', () => {
  it('is ok with a mirror or the registry, and fails with what to do when neither', () => {
    expect(checkProvider({ mode: 'mirror', path: '/opt/tf-plugins', awsVersions: ['5.100.0'] }).detail).toBe(
      'filesystem mirror /opt/tf-plugins (hashicorp/aws 5.100.0)',
    );
    expect(checkProvider({ mode: 'registry' }).status).toBe('ok');
    expect(checkProvider({ mode: 'none', reason: 'offline' })).toMatchObject({
      status: 'fail',
      detail: 'offline',
      fix: expect.stringContaining('MONOENV_TF_PROVIDER_MIRROR'),
    });
  });
});

describe('checkCredentials', () => {
  it('accepts keys, a known profile, web identity or a running local production', () => {
    expect(checkCredentials({ env: { AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's' }, profiles: [] }).status).toBe('ok');
    expect(checkCredentials({ env: { AWS_PROFILE: 'prod' }, profiles: ['default', 'prod'] }).detail).toBe("AWS profile 'prod'");
    expect(checkCredentials({ env: {}, profiles: ['default'] }).status).toBe('ok');
    expect(
      checkCredentials({ env: { AWS_WEB_IDENTITY_TOKEN_FILE: '/t', AWS_ROLE_ARN: 'arn:aws:iam::1:role/ci' }, profiles: [] }).status,
    ).toBe('ok');
    expect(checkCredentials({ env: {}, profiles: [], local: { awsEndpoint: 'http://127.0.0.1:4566', answers: true } })).toEqual({
      name: 'Credentials',
      status: 'ok',
      detail: 'local production answering at http://127.0.0.1:4566',
    });
  });

  it('fails a profile that does not exist', () => {
    expect(checkCredentials({ env: { AWS_PROFILE: 'prod' }, profiles: ['default'] })).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('aws configure --profile prod'),
    });
  });

  it('fails with both ways out when there is nothing', () => {
    const result = checkCredentials({ env: {}, profiles: [] });
    expect(result.status).toBe('fail');
    expect(result.fix).toContain('AWS_PROFILE');
    expect(result.fix).toContain('monoenv local');
  });

  it('warns when a local production was started but does not answer, even with AWS credentials', () => {
    const result = checkCredentials({
      env: { AWS_PROFILE: 'dev' },
      profiles: ['dev'],
      local: { awsEndpoint: 'http://127.0.0.1:1', answers: false },
    });
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('http://127.0.0.1:1 does not answer');
  });
});

describe('checkConfig', () => {
  it('reports the file or the defaults', () => {
    expect(checkConfig(() => ({ source: '/p/monoenv.config.json' }))).toMatchObject({
      status: 'ok',
      detail: '/p/monoenv.config.json is valid',
    });
    expect(checkConfig(() => ({ source: 'defaults' })).detail).toContain('using defaults');
  });
  it('fails an invalid config with the loader message naming the field', () => {
    const result = checkConfig(() => {
      throw new Error('invalid monoenv config (x):\n  - region: Invalid input');
    });
    expect(result).toMatchObject({ status: 'fail', detail: expect.stringContaining('region: Invalid input') });
  });
  it("warns 'config loader not available' when the module is missing", () => {
    const result = checkConfig(() => {
      const err = new Error("Cannot find module '../config/load'") as NodeJS.ErrnoException;
      err.code = 'MODULE_NOT_FOUND';
      throw err;
    });
    expect(result).toMatchObject({ status: 'warn', detail: 'config loader not available in this build' });
  });
  it('works with the real loader on an empty project', () => {
    const { loadConfig } = require('../../config/load');
    expect(checkConfig(() => loadConfig({ cwd: tempDir('monoenv-doctor-'), env: {} })).status).toBe('ok');
  });
});

describe('report', () => {
  const results = [
    { name: 'Node.js', status: 'ok' as const, detail: 'v20.19.0' },
    { name: 'Credentials', status: 'fail' as const, detail: 'none', fix: 'export AWS_PROFILE' },
  ];
  it('prints each check with its fix, and exits 1 only when something failed', () => {
    expect(formatReport(results)).toBe(
      [
        'monoenv doctor',
        '  ok    Node.js       v20.19.0',
        '  FAIL  Credentials   none',
        '                      fix: export AWS_PROFILE',
        '',
        '1 check(s) failed.',
      ].join('\n'),
    );
    expect(exitCodeFor(results)).toBe(1);
    expect(exitCodeFor([{ ...results[1], status: 'warn' }])).toBe(0);
  });
});

describe('gathering facts', () => {
  it('reads profile names from the shared files', () => {
    const dir = tempDir('monoenv-aws-');
    writeFileSync(join(dir, 'config'), '[default]\nregion = us-east-1\n[profile prod]\nregion = eu-west-1\n');
    writeFileSync(join(dir, 'credentials'), '[ci]\naws_access_key_id = x\n');
    expect(sharedProfiles({ AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') })).toEqual([
      'default',
      'prod',
      'ci',
    ]);
  });

  describe('a local production', () => {
    let server: Server;
    let endpoint: string;
    beforeAll(async () => {
      server = createServer((_req, res) => res.writeHead(404).end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const projectWithState = (state: unknown): string => {
      const dir = tempDir('monoenv-project-');
      mkdirSync(join(dir, '.monoenv', 'local'), { recursive: true });
      writeFileSync(join(dir, '.monoenv', 'local', 'state.json'), typeof state === 'string' ? state : JSON.stringify(state));
      return dir;
    };

    it('answers when its endpoint listens', async () => {
      await expect(localProductionFacts(projectWithState({ awsEndpoint: endpoint, analyticsTable: 't' }))).resolves.toEqual({
        awsEndpoint: endpoint,
        answers: true,
      });
    });
    it('does not answer when nothing listens', async () => {
      const closed = await new Promise<number>((resolve) => {
        const s = createServer();
        s.listen(0, '127.0.0.1', () => {
          const { port } = s.address() as { port: number };
          s.close(() => resolve(port));
        });
      });
      await expect(localProductionFacts(projectWithState({ awsEndpoint: `http://127.0.0.1:${closed}` }))).resolves.toMatchObject({
        answers: false,
      });
    });
    it('names the bad field of a broken state file', async () => {
      await expect(localProductionFacts(projectWithState({ awsEndpoint: 'not a url' }))).resolves.toMatchObject({
        answers: false,
        problem: expect.stringContaining('awsEndpoint: awsEndpoint must be a URL'),
      });
    });
    it('is absent without a state file', async () => {
      await expect(localProductionFacts(tempDir('monoenv-project-'))).resolves.toBeUndefined();
    });
  });
});

describe('run', () => {
  it('rejects unknown options with exit code 2 and the usage', async () => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await expect(run(['--bogus'])).resolves.toBe(2);
      expect(errors.mock.calls[0][0]).toContain('usage: monoenv doctor');
    } finally {
      errors.mockRestore();
    }
  });
});

describe('checkLocalAws', () => {
  const patched = { command: 'python3', args: ['-c', '...'], patched: true, description: 'python3 with moto' };
  const plain = { command: 'moto_server', args: [], patched: false, description: 'moto_server on the PATH' };
  it('is ok with moto patched, a warning (not a failure) when missing or unpatched: only npm start and the tests need it', () => {
    expect(checkLocalAws({ available: true }, patched)).toEqual({ name: 'Local AWS (moto)', status: 'ok', detail: 'python3 with moto' });
    expect(checkLocalAws({ available: true }, plain)).toMatchObject({ status: 'warn', detail: expect.stringContaining('slows down') });
    expect(checkLocalAws({ available: false, reason: 'moto not runnable' }, plain)).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining("pip install 'moto[server]"),
    });
    const chosen = { command: '/opt/moto', args: [], patched: false, description: 'MONOENV_MOTO_SERVER (/opt/moto)' };
    expect(checkLocalAws({ available: true }, chosen).status).toBe('ok');
  });
});
