import * as path from 'node:path';
import { App } from 'cdktf';
import { ConfigError, loadConfig } from './config/load';
import { BootstrapStack } from './stacks/bootstrap-stack';
import { ProductionStack } from './stacks/production-stack';

/**
 * The cdktf app: `cdktf deploy production` from CD, `cdktf deploy bootstrap` once by hand.
 * MONOENV_TARGET=local synthesizes production against a local AWS at MONOENV_LOCAL_AWS_ENDPOINT with
 * local state (used by `npm start`).
 */
export function buildApp(env: NodeJS.ProcessEnv = process.env, outdir?: string): App {
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
    });
    return app;
  }
  new ProductionStack(app, 'production', { config, baseDir });
  if (config.github) {
    new BootstrapStack(app, 'bootstrap', { config, localStatePath: stateFile('bootstrap', 'terraform.bootstrap.tfstate') });
  } else {
    console.warn('monoenv: no bootstrap stack: set github.repository in monoenv.config.json to create the deploy role');
  }
  return app;
}

if (require.main === module) {
  try {
    const app = buildApp();
    app.synth();
    console.log(`monoenv: synthesized ${app.node.children.map((c) => c.node.id).join(', ')} to ${path.relative(process.cwd(), app.outdir)}/stacks/ (plain Terraform JSON)`);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
