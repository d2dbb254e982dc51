import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTerraform, TerraformError } from '../../../cli/terraform/terraform';
import { describeNeeding } from '../../support/needs';
import { tempDir } from '../../support/temp';
import { validateSynthesizedStack } from '../../support/terraform';

/** A hand-written synthesized stack (what cdktf writes as cdk.tf.json) using the aws provider. */
function writeStack(resource: Record<string, unknown>): string {
  const dir = tempDir('monoenv-stack-');
  writeFileSync(
    join(dir, 'cdk.tf.json'),
    JSON.stringify({
      terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '~> 5.0' } } },
      provider: { aws: [{ region: 'us-east-1' }] },
      resource,
    }),
  );
  return dir;
}

describeNeeding(['terraform'], 'terraform against the provider mirror', () => {
  const projectDir = tempDir('monoenv-project-');

  it('validates a correct stack, loading hashicorp/aws from the mirror', async () => {
    const output: string[] = [];
    const result = await validateSynthesizedStack(
      writeStack({ aws_sqs_queue: { jobs: { name: 'jobs', visibility_timeout_seconds: 30 } } }),
      {
        projectDir,
        onOutput: (chunk) => output.push(chunk),
      },
    );
    expect(result).toEqual({ valid: true, errorCount: 0, warningCount: 0, diagnostics: [] });
    expect(output.join('')).toMatch(/Installing hashicorp\/aws v5\.\d+\.\d+/);
    expect(output.join('')).not.toContain('Unable to open CLI configuration file');
  });

  it('returns diagnostics from the provider schema for an invalid stack', async () => {
    const result = await validateSynthesizedStack(writeStack({ aws_sqs_queue: { jobs: { name: 'jobs', no_such_argument: true } } }), {
      projectDir,
    });
    expect(result.valid).toBe(false);
    expect(result.errorCount).toBe(1);
    expect(result.diagnostics[0]).toMatchObject({
      severity: 'error',
      summary: 'Extraneous JSON object property',
      detail: expect.stringContaining('no_such_argument'),
    });
  });

  it('names the command, exit code and stderr when terraform fails', async () => {
    const failure = runTerraform(['init', '-backend=false', '-input=false', '-no-color', '-from-module=/no/such/module'], {
      cwd: tempDir('monoenv-empty-'),
    });
    await expect(failure).rejects.toBeInstanceOf(TerraformError);
    await expect(failure).rejects.toThrow(/terraform init -backend=false .* failed with exit code 1:\n[\s\S]*\/no\/such\/module/);
  });
});

describe('runTerraform without the binary', () => {
  it('says terraform is not on the PATH', async () => {
    await expect(runTerraform(['version'], { cwd: tmpdir(), env: { PATH: '/nonexistent' } })).rejects.toMatchObject({
      code: 'TERRAFORM_NOT_FOUND',
      message: expect.stringContaining('not found on the PATH'),
    });
  });
});
