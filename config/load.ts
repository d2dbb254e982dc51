import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { configSchema, type MonoenvConfig } from './schema';

export const DEFAULT_CONFIG_FILE = 'monoenv.config.json';

/** Invalid configuration: the message names every bad field, one per line. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly { path: string; message: string }[],
  ) {
    super(`invalid monoenv config (${source}):\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  readonly config: MonoenvConfig;
  /** Folder the config's relative paths (flags, journeys) are resolved against. */
  readonly baseDir: string;
  readonly source: string;
}

/**
 * Environment overrides, for CD and for one-off runs:
 * MONOENV_IMAGE_TAG (every service built from the environment's repository, e.g. the commit SHA),
 * MONOENV_IMAGE (the first service's full image), MONOENV_REGION, MONOENV_ALERT_EMAIL, MONOENV_APP_NAME,
 * MONOENV_ROLLOUTS_DIR (another folder of rollout plans, e.g. a laptop-speed one for `npm start`).
 */
export function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  if (env.MONOENV_APP_NAME) out.appName = env.MONOENV_APP_NAME;
  if (env.MONOENV_REGION) out.region = env.MONOENV_REGION;
  if (env.MONOENV_ALERT_EMAIL) out.alertEmail = env.MONOENV_ALERT_EMAIL;
  if (env.MONOENV_ROLLOUTS_DIR) out.rollouts = { ...(out.rollouts as Record<string, unknown> | undefined), dir: env.MONOENV_ROLLOUTS_DIR };
  if (env.MONOENV_IMAGE_TAG || env.MONOENV_IMAGE) {
    const services =
      Array.isArray(raw.services) && raw.services.length > 0 ? (raw.services as Record<string, unknown>[]) : [{ name: 'web' }];
    out.services = services.map((service, index) => ({
      ...service,
      ...(env.MONOENV_IMAGE_TAG && !service.image ? { imageTag: env.MONOENV_IMAGE_TAG } : {}),
      ...(env.MONOENV_IMAGE && index === 0 ? { image: env.MONOENV_IMAGE } : {}),
    }));
  }
  return out;
}

const fieldPath = (path: readonly PropertyKey[]): string =>
  path.length ? path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') : '(root)';

export function parseConfig(raw: unknown, source = 'config'): MonoenvConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    // One issue per unknown key, named by its full path: a misspelt setting must not pass as a default.
    const issues = result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ path: fieldPath([...issue.path, key]), message: 'unknown setting (misspelt?)' }))
        : [{ path: fieldPath(issue.path), message: issue.message }],
    );
    throw new ConfigError(source, issues);
  }
  return result.data;
}

export interface LoadConfigOptions {
  /** @default - MONOENV_CONFIG, else monoenv.config.json in `cwd` (defaults apply when it is absent) */
  readonly file?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Reads the config file (if any), applies environment overrides and validates. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.file ?? env.MONOENV_CONFIG;
  const file = path.resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE);
  let raw: unknown = {};
  if (existsSync(file)) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigError(file, [{ path: '(file)', message: `not valid JSON: ${(error as Error).message}` }]);
    }
  } else if (explicit) {
    throw new ConfigError(file, [{ path: '(file)', message: 'file not found' }]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(file, [{ path: '(root)', message: 'must be a JSON object' }]);
  }
  const config = parseConfig(applyEnvOverrides(raw as Record<string, unknown>, env), existsSync(file) ? file : 'defaults');
  return { config, baseDir: path.dirname(file), source: existsSync(file) ? file : 'defaults' };
}
