import * as path from 'node:path';
import { App } from 'cdktf';
import { loadConfig } from '../config/load';
import type { GuardrailsOptions } from '../constructs/security/guardrails';
import { BootstrapStack } from './bootstrap-stack';
import { ProductionStack } from './production-stack';

/**
 * The cdktf app: `cdktf deploy production` from CD, `cdktf deploy bootstrap` once by hand.
 * MONOENV_TARGET=local synthesizes production against a local AWS at MONOENV_LOCAL_AWS_ENDPOINT with
 * local state (used by `npm start`).
 */
export interface BuildAppOptions {
  /** @default - cdktf's default, `cdktf.out` */
  readonly outdir?: string;
  /** Where the guardrails' synth summary goes, and the rules' clock. @default - stderr, the system clock */
  readonly guardrails?: GuardrailsOptions;
  /** Notes about the app (e.g. no bootstrap stack). @default console.warn */
  readonly warn?: (line: string) => void;
}

export function buildApp(env: NodeJS.ProcessEnv = process.env, options: BuildAppOptions = {}): App {
  const { outdir, guardrails } = options;
  const { config, baseDir } = loadConfig({ env });
  const app = new App(outdir ? { outdir } : {});
  const projectRoot = baseDir;
  // A path relative to the stack's folder (where terraform runs), so each target has its own state file.
  const stateFile = (stack: string, name: string) => path.relative(path.resolve(app.outdir, 'stacks', stack), path.join(projectRoot, name));

  if (env.MONOENV_TARGET === 'local') {
    const endpoint = env.MONOENV_LOCAL_AWS_ENDPOINT;
    if (!endpoint) throw new Error('MONOENV_TARGET=local needs MONOENV_LOCAL_AWS_ENDPOINT (e.g. http://127.0.0.1:5000)');
    new ProductionStack(app, 'production', {
      config,
      baseDir,
      backend: { type: 'local', path: stateFile('production', '.monoenv/local/production.tfstate') },
      localAwsEndpoint: endpoint,
      guardrails,
    });
    return app;
  }
  new ProductionStack(app, 'production', { config, baseDir, guardrails });
  if (config.github) {
    new BootstrapStack(app, 'bootstrap', { config, localStatePath: stateFile('bootstrap', 'terraform.bootstrap.tfstate'), guardrails });
  } else {
    (options.warn ?? console.warn)('monoenv: no bootstrap stack: set github.repository in monoenv.config.json to create the deploy role');
  }
  return app;
}
