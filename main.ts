import * as path from 'node:path';
import { ConfigError } from './config/load';
import { buildApp } from './stacks/app';

/** `cdktf synth` runs this (cdktf.json); the app itself is built in stacks/app.ts, which the CLI and tests use too. */
try {
  const app = buildApp();
  app.synth();
  console.log(
    `monoenv: synthesized ${app.node.children.map((c) => c.node.id).join(', ')} to ${path.relative(process.cwd(), app.outdir)}/stacks/ (plain Terraform JSON)`,
  );
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
