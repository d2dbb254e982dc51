import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths';

// Besides our own rules (workflows.test.ts), every shipped workflow passes a real validator: action-validator
// checks it against GitHub's workflow schema (keys, types, required fields) and that its path globs match
// files. It is WebAssembly and JavaScript from npm, so it runs offline, as the tests must.
const root = REPO_ROOT;
const workflowDir = path.join(root, '.github', 'workflows');
const manifest = require.resolve('@action-validator/cli/package.json');
const cli = path.join(path.dirname(manifest), (require(manifest) as { bin: Record<string, string> }).bin['action-validator']);

function validate(file: string) {
  const result = spawnSync(process.execPath, [cli, file], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('action-validator', () => {
  const workflows = readdirSync(workflowDir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();

  it('finds the workflows', () => {
    expect(workflows).toEqual(expect.arrayContaining(['ci.yml', 'deploy.yml', 'scheduled-scan.yml']));
  });

  it.each(workflows)('accepts %s', (file) => {
    const { status, output } = validate(path.join(workflowDir, file));
    if (status !== 0) throw new Error(`action-validator rejects .github/workflows/${file}:\n${output}`);
  });

  it('rejects a broken workflow', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'monoenv-workflow-'));
    try {
      const broken = path.join(dir, 'broken.yml');
      writeFileSync(
        broken,
        [
          'name: broken',
          'on: push',
          'jobs:',
          '  test:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '        whith:', // misspelt `with`
          '          fetch-depth: 0',
          '',
        ].join('\n'),
      );
      const { status, output } = validate(broken);
      expect(status).not.toBe(0);
      expect(output).toMatch(/Additional property 'whith' is not allowed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
