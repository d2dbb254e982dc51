import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { skipReasonForTerraformTests, validateSynthesizedStack } from '../../cli/terraform';
import { buildApp } from '../../main';

// Real `terraform init` + `terraform validate` of every synthesized stack, with the provider from the
// offline mirror. Skipped (with the reason printed) only where terraform or the provider is missing;
// in CI a missing one is an error.
const skipReason = skipReasonForTerraformTests();
if (skipReason && process.env.CI) throw new Error(`terraform validate must run in CI: ${skipReason}`);
if (skipReason) console.warn(`SKIP terraform validate: ${skipReason}`);
const describeTerraform = skipReason ? describe.skip : describe;

const projectDir = path.resolve(__dirname, '..', '..');

describeTerraform('terraform validate of the synthesized stacks', () => {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'monoenv-validate-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const targets: [string, NodeJS.ProcessEnv, string][] = [
    ['production (AWS target)', {}, 'production'],
    ['bootstrap', {}, 'bootstrap'],
    ['production (local target)', { MONOENV_TARGET: 'local', MONOENV_LOCAL_AWS_ENDPOINT: 'http://127.0.0.1:4566' }, 'production'],
  ];

  it.each(targets)('%s is valid Terraform', async (_name, env, stack) => {
    const dir = mkdtempSync(path.join(outdir, 'out-'));
    const app = buildApp({ ...process.env, ...env }, dir);
    app.synth();
    const result = await validateSynthesizedStack(path.join(dir, 'stacks', stack), { projectDir });
    const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.summary}: ${d.detail ?? ''}`);
    expect(errors).toEqual([]);
    expect(result.valid).toBe(true);
  }, 240000);
});
