import { mkdtempSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { buildApp } from '../../stacks/app';
import { SYNTH_DAY } from '../support/clock';
import { tempDir } from '../support/temp';
import { describeNeeding } from '../support/needs';
import { REPO_ROOT } from '../support/paths';
import { validateSynthesizedStack } from '../support/terraform';

// Real `terraform init` + `terraform validate` of every synthesized stack, with the provider from the offline mirror.

const projectDir = REPO_ROOT;

describeNeeding(['terraform'], 'terraform validate of the synthesized stacks', () => {
  const outdir = tempDir('monoenv-validate-');
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const targets: [string, NodeJS.ProcessEnv, string][] = [
    ['production (AWS target)', {}, 'production'],
    ['bootstrap', {}, 'bootstrap'],
    ['production (local target)', { MONOENV_TARGET: 'local', MONOENV_LOCAL_AWS_ENDPOINT: 'http://127.0.0.1:4566' }, 'production'],
  ];

  it.each(targets)(
    '%s is valid Terraform',
    async (_name, env, stack) => {
      const dir = mkdtempSync(path.join(outdir, 'out-'));
      const notes: string[] = [];
      const app = buildApp(
        { ...process.env, ...env },
        { outdir: dir, guardrails: { report: (text) => notes.push(text), now: SYNTH_DAY }, warn: (line) => notes.push(line) },
      );
      app.synth();
      // Each stack's acknowledged findings, reported once: production's HTTP listener (no domain yet) and, where the
      // bootstrap stack is built, its permissions boundaries' wildcards.
      const summaries = notes.filter((note) => note.includes('acknowledged finding'));
      expect(summaries).toEqual(
        env.MONOENV_TARGET === 'local'
          ? [expect.stringContaining('[MONO-ELB-1]')]
          : [
              expect.stringContaining('[MONO-ELB-1]'),
              expect.stringMatching(/4 acknowledged finding.*\[MONO-IAM-1\] bootstrap\/workload-boundary/s),
            ],
      );
      const result = await validateSynthesizedStack(path.join(dir, 'stacks', stack), { projectDir });
      const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.summary}: ${d.detail ?? ''}`);
      expect(errors).toEqual([]);
      expect(result.valid).toBe(true);
    },
    240000,
  );
});
