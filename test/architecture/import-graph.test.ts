import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths';
import { tempDir } from '../support/temp';

// The layers and their directions are written once, in .dependency-cruiser.cjs; these tests run it.
const CONFIG = path.join(REPO_ROOT, '.dependency-cruiser.cjs');
const CRUISER = path.join(REPO_ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const SOURCES = ['main.ts', 'index.ts', 'cli', 'stacks', 'config', 'constructs', 'lambdas', 'domain', 'client'];

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

function cruise(cwd: string, sources: readonly string[]): Violation[] {
  const result = spawnSync(process.execPath, [CRUISER, ...sources, '--config', CONFIG, '--output-type', 'json'], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error || !result.stdout) throw new Error(`dependency-cruiser failed: ${result.error?.message ?? result.stderr}`);
  return (JSON.parse(result.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('the import graph', () => {
  it('has no cycle and no import against the layers', () => {
    const violations = cruise(REPO_ROOT, SOURCES);
    expect(violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  });

  it('would catch a back-edge or a cycle in any layer (the rules are not vacuous)', () => {
    const project = tempDir('monoenv-layers-');
    const files: Record<string, string> = {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'commonjs', moduleResolution: 'node', strict: true } }),
      'domain/flags/evaluator/evaluate.ts':
        "import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';\nimport { run } from '../../../cli/run';\nexport const x = [SecretsManagerClient, run];\n",
      'cli/run.ts': 'export const run = 1;\n',
      'constructs/flags/flag-store.ts':
        "import { handler } from '../../lambdas/flags/handler';\nimport { app } from '../../stacks/a';\nexport const y = [handler, app];\n",
      'lambdas/flags/handler.ts': "import { z } from '../ingest/handler';\nexport const handler = z;\n",
      'lambdas/flags/contract.ts': "import { handler } from './handler';\nexport const c = handler;\n",
      'lambdas/ingest/handler.ts': 'export const z = 2;\n',
      'stacks/a.ts': "import { b } from './b';\nimport { main } from '../main';\nexport const app = [b, main];\n",
      'stacks/b.ts': "import { app } from './a';\nexport const b = () => app;\n",
      'main.ts': 'export const main = 3;\n',
      'client/provider.ts': "import { c } from '../lambdas/flags/contract';\nexport const p = c;\n",
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
      writeFileSync(path.join(project, file), text);
    }
    mkdirSync(path.join(project, 'node_modules'), { recursive: true });
    const rules = new Set(
      cruise(project, ['domain', 'cli', 'constructs', 'lambdas', 'stacks', 'main.ts', 'client']).map((v) => v.rule.name),
    );
    expect([...rules].sort()).toEqual([
      'client-stands-apart',
      'constructs-below-config-and-stacks',
      'constructs-know-lambdas-by-contract',
      'contracts-carry-no-code',
      'domain-is-the-bottom',
      'lambdas-run-alone',
      'no-cycle',
      'nothing-imports-the-entry-points',
      'pure-evaluator',
      'stacks-below-the-cli',
    ]);
  });
});
