/**
 * Finds a Terraform provider filesystem mirror (a directory holding `registry.terraform.io/<namespace>/<type>/...`)
 * that contains hashicorp/aws for this machine's platform, so terraform can run without reaching the registry.
 */
import { existsSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const MIRROR_ENV_VAR = 'MONOENV_TF_PROVIDER_MIRROR';
const REGISTRY_HOST = 'registry.terraform.io';

export interface ProviderMirror {
  /** The mirror directory: the parent of `registry.terraform.io`, as Terraform's `filesystem_mirror.path` wants it. */
  readonly path: string;
  /** hashicorp/aws versions present for this platform, newest last by directory order. */
  readonly awsVersions: string[];
}

export type ProviderMirrorErrorCode = 'MIRROR_NOT_FOUND' | 'MIRROR_WITHOUT_AWS';

export class ProviderMirrorError extends Error {
  constructor(
    readonly code: ProviderMirrorErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderMirrorError';
  }
}

/** Terraform's platform name for this process, e.g. `linux_amd64`. */
export function terraformPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const archNames: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };
  return `${platform === 'win32' ? 'windows' : platform}_${archNames[arch] ?? arch}`;
}

export function wellKnownMirrorDirs(home: string = homedir()): string[] {
  return [
    '/opt/tf-plugins',
    join(home, '.terraform.d', 'plugins'),
    '/usr/share/terraform/plugins',
    '/usr/local/share/terraform/plugins',
    join(home, '.local', 'share', 'terraform', 'plugins'),
  ];
}

const isDir = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

const listDir = (path: string): Dirent[] => {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch {
    return [];
  }
};

/**
 * The hashicorp/aws versions a mirror directory holds for `platform`, in either of Terraform's layouts:
 * unpacked (`aws/<version>/<platform>/`) or packed (`aws/terraform-provider-aws_<version>_<platform>.zip`).
 */
export function awsVersionsInMirror(mirrorDir: string, platform: string = terraformPlatform()): string[] {
  const awsDir = join(mirrorDir, REGISTRY_HOST, 'hashicorp', 'aws');
  const versions = new Set<string>();
  for (const entry of listDir(awsDir)) {
    if (entry.isDirectory() && isDir(join(awsDir, entry.name, platform))) versions.add(entry.name);
    const packed = /^terraform-provider-aws_(.+)_([a-z0-9]+_[a-z0-9]+)\.zip$/.exec(entry.name);
    if (packed && packed[2] === platform) versions.add(packed[1]);
  }
  return [...versions].sort();
}

/**
 * Looks for directories named `registry.terraform.io` at most `maxDepth` levels below `root`, like
 * `find / -maxdepth 4 -type d -name registry.terraform.io`. Written by hand (no library does a bounded,
 * error-tolerant directory walk better than these few lines); pseudo file systems are skipped.
 */
export function searchForMirrorDirs(root = '/', maxDepth = 4): string[] {
  const skipped = new Set(['/proc', '/sys', '/dev', '/run', '/tmp/bash_jobs']);
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const entry of listDir(dir)) {
      if (!entry.isDirectory()) continue;
      const child = join(dir, entry.name);
      if (skipped.has(child) || entry.name === 'node_modules' || entry.name === '.git') continue;
      if (entry.name === REGISTRY_HOST) found.push(dir);
      else if (depth < maxDepth) walk(child, depth + 1);
    }
  };
  walk(root, 1);
  return found;
}

export interface FindMirrorOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
  /** Directories tried after the override and before the bounded search. @default wellKnownMirrorDirs(home) */
  readonly candidates?: readonly string[];
  /** Set to false to skip the file system search (tests, or when it is too slow). @default true */
  readonly search?: boolean;
  readonly searchRoot?: string;
  readonly platform?: string;
}

/**
 * The first mirror holding hashicorp/aws: `MONOENV_TF_PROVIDER_MIRROR` if set (an explicit choice, so a wrong value
 * throws instead of silently falling back), else the well-known places, else a bounded search.
 * Resolves to undefined when there is no mirror.
 */
export function findProviderMirror(options: FindMirrorOptions = {}): ProviderMirror | undefined {
  const env = options.env ?? process.env;
  const platform = options.platform ?? terraformPlatform();
  const override = env[MIRROR_ENV_VAR];
  if (override) {
    if (!isDir(override)) {
      throw new ProviderMirrorError(
        'MIRROR_NOT_FOUND',
        `${MIRROR_ENV_VAR}=${override}: no such directory. Point it at the directory that contains ${REGISTRY_HOST}/, or unset it.`,
      );
    }
    const awsVersions = awsVersionsInMirror(override, platform);
    if (awsVersions.length === 0) {
      throw new ProviderMirrorError(
        'MIRROR_WITHOUT_AWS',
        `${MIRROR_ENV_VAR}=${override}: no hashicorp/aws provider for ${platform} under ${join(override, REGISTRY_HOST, 'hashicorp', 'aws')}. Fill it with \`terraform providers mirror ${override}\` on a connected machine.`,
      );
    }
    return { path: override, awsVersions };
  }
  const candidates = options.candidates ?? wellKnownMirrorDirs(options.home ?? homedir());
  const holdingAws = (dir: string): ProviderMirror | undefined => {
    const awsVersions = existsSync(dir) ? awsVersionsInMirror(dir, platform) : [];
    return awsVersions.length > 0 ? { path: dir, awsVersions } : undefined;
  };
  for (const dir of candidates) {
    const mirror = holdingAws(dir);
    if (mirror) return mirror;
  }
  if (options.search === false) return undefined;
  for (const dir of searchForMirrorDirs(options.searchRoot ?? '/')) {
    const mirror = holdingAws(dir);
    if (mirror) return mirror;
  }
  return undefined;
}
