/** Running the terraform binary: availability, and a child-process wrapper with clear errors. */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { z } from 'zod';

export const TERRAFORM_BIN_ENV_VAR = 'MONOENV_TERRAFORM';
const terraformCommand = (env: NodeJS.ProcessEnv = process.env): string => env[TERRAFORM_BIN_ENV_VAR] ?? 'terraform';

export type TerraformErrorCode = 'TERRAFORM_NOT_FOUND' | 'TERRAFORM_FAILED' | 'TERRAFORM_BAD_OUTPUT';

export class TerraformError extends Error {
  constructor(
    readonly code: TerraformErrorCode,
    message: string,
    readonly exitCode?: number,
  ) {
    super(message);
    this.name = 'TerraformError';
  }
}

/** The env minus a TF_CLI_CONFIG_FILE that points at a missing file, which only makes terraform print warnings. */
function withoutMissingCliConfig(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!env.TF_CLI_CONFIG_FILE || existsSync(env.TF_CLI_CONFIG_FILE)) return env;
  const rest = { ...env };
  delete rest.TF_CLI_CONFIG_FILE;
  return rest;
}

function findOnPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  if (command.includes('/')) return existsSync(command) ? command : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export type TerraformAvailability =
  { readonly available: true; readonly path: string; readonly version: string } | { readonly available: false; readonly reason: string };

const versionOutput = z.object({ terraform_version: z.string() });

export function terraformAvailability(env: NodeJS.ProcessEnv = process.env): TerraformAvailability {
  const command = terraformCommand(env);
  const path = findOnPath(command, env);
  if (!path)
    return {
      available: false,
      reason: `'${command}' is not on the PATH; install Terraform >= 1.11 (https://developer.hashicorp.com/terraform/install).`,
    };
  const result = spawnSync(path, ['version', '-json'], {
    env: { ...withoutMissingCliConfig(env), CHECKPOINT_DISABLE: '1' },
    encoding: 'utf8',
    timeout: 20000,
  });
  if (result.status !== 0)
    return {
      available: false,
      reason: `'${path} version' failed (${result.error?.message ?? `exit ${result.status}`}): ${lastLines(result.stderr ?? '', 3)}`,
    };
  try {
    return { available: true, path, version: versionOutput.parse(JSON.parse(result.stdout)).terraform_version };
  } catch {
    return { available: false, reason: `'${path} version -json' printed no terraform_version; is it really Terraform?` };
  }
}

export const lastLines = (text: string, count: number): string => text.trimEnd().split('\n').slice(-count).join('\n');

export interface RunTerraformOptions {
  readonly cwd: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Streams output as it arrives, e.g. to show progress. */
  readonly onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Exit codes that are results rather than failures (e.g. `validate -json` exits 1 for an invalid config). @default [0] */
  readonly acceptExitCodes?: number[];
}

export interface TerraformResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runTerraform(args: string[], options: RunTerraformOptions): Promise<TerraformResult> {
  const env = withoutMissingCliConfig(options.env ?? process.env);
  const command = terraformCommand(env);
  const described = `terraform ${args.join(' ')} (in ${options.cwd})`;
  const accepted = options.acceptExitCodes ?? [0];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      options.onOutput?.(chunk, 'stdout');
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      options.onOutput?.(chunk, 'stderr');
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new TerraformError('TERRAFORM_NOT_FOUND', `${described}: '${command}' not found on the PATH; install Terraform >= 1.11.`)
          : new TerraformError('TERRAFORM_FAILED', `${described}: ${err.message}`),
      );
    });
    child.on('close', (code, signal) => {
      const exitCode = code ?? -1;
      if (accepted.includes(exitCode)) return resolve({ exitCode, stdout, stderr });
      const tail = lastLines(stderr || stdout, 15);
      reject(
        new TerraformError(
          'TERRAFORM_FAILED',
          `${described} failed with ${signal ? `signal ${signal}` : `exit code ${exitCode}`}:\n${tail}`,
          exitCode,
        ),
      );
    });
  });
}
