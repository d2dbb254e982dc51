/**
 * How terraform child processes get their providers: from a filesystem mirror when one exists (written into a
 * project-local CLI config), else from the public registry, else not at all (and why).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { findProviderMirror, type FindMirrorOptions } from './provider-mirror';

export type ProviderAvailability =
  | { readonly mode: 'mirror'; readonly path: string; readonly awsVersions: string[] }
  | { readonly mode: 'registry' }
  | { readonly mode: 'none'; readonly reason: string };

export const REGISTRY_PROBE_URL = 'https://registry.terraform.io/.well-known/terraform.json';
const MAX_PROBE_MS = 3000;

/** Resolves to true when the registry answers an HTTPS HEAD at all (any status) within the timeout. */
export function probeRegistry(url: string = REGISTRY_PROBE_URL, timeoutMs = MAX_PROBE_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'HEAD', timeout: Math.min(timeoutMs, MAX_PROBE_MS) }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}

export interface ProviderAvailabilityOptions extends FindMirrorOptions {
  /** @default probeRegistry */
  readonly probe?: () => Promise<boolean>;
}

/** Mirror first; the registry is probed only when there is no mirror. A misconfigured override is reported, not thrown. */
export async function providerAvailability(options: ProviderAvailabilityOptions = {}): Promise<ProviderAvailability> {
  try {
    const mirror = findProviderMirror(options);
    if (mirror) return { mode: 'mirror', path: mirror.path, awsVersions: mirror.awsVersions };
  } catch (err) {
    return { mode: 'none', reason: (err as Error).message };
  }
  if (await (options.probe ?? probeRegistry)()) return { mode: 'registry' };
  return {
    mode: 'none',
    reason:
      'no provider mirror with hashicorp/aws was found and registry.terraform.io is not reachable. ' +
      'Set MONOENV_TF_PROVIDER_MIRROR to a directory filled by `terraform providers mirror <dir>`, or allow HTTPS to registry.terraform.io.',
  };
}

/** Where the project-local Terraform CLI config lives. */
export const terraformCliConfigPath = (projectDir: string): string => join(projectDir, '.monoenv', 'terraform', 'terraformrc');

/** A CLI config that installs every registry.terraform.io provider from the mirror and never from the network. */
export function renderTerraformCliConfig(mirrorPath: string): string {
  return [
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(mirrorPath)}`,
    '    include = ["registry.terraform.io/*/*"]',
    '  }',
    '  direct {',
    '    exclude = ["registry.terraform.io/*/*"]',
    '  }',
    '}',
    '',
  ].join('\n');
}

export function writeTerraformCliConfig(projectDir: string, mirrorPath: string): string {
  const file = terraformCliConfigPath(projectDir);
  mkdirSync(join(projectDir, '.monoenv', 'terraform'), { recursive: true });
  writeFileSync(file, renderTerraformCliConfig(mirrorPath));
  return file;
}

/**
 * The environment for terraform child processes. In mirror mode it points TF_CLI_CONFIG_FILE at the written config;
 * otherwise it keeps a user's config only when that file exists (a missing one makes terraform print warnings).
 */
export function terraformEnv(
  projectDir: string,
  availability: ProviderAvailability,
  baseEnv: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
  };
  if (availability.mode === 'mirror') {
    env.TF_CLI_CONFIG_FILE = writeTerraformCliConfig(projectDir, availability.path);
  } else if (env.TF_CLI_CONFIG_FILE && !existsSync(env.TF_CLI_CONFIG_FILE)) {
    delete env.TF_CLI_CONFIG_FILE;
  }
  return env;
}

/** Finds the providers and builds the env in one step; what `validateSynthesizedStack` and deploy commands use. */
export async function prepareTerraformEnv(
  projectDir: string,
  options: ProviderAvailabilityOptions = {},
): Promise<{ env: NodeJS.ProcessEnv; availability: ProviderAvailability }> {
  const availability = await providerAvailability(options);
  return { env: terraformEnv(projectDir, availability, options.env ?? process.env), availability };
}
