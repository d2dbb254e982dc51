/**
 * `monoenv doctor`: is this machine ready to synth and deploy? Each check is a pure function from gathered facts
 * to ok/warn/fail plus what to fix; `run` gathers the facts, prints the report and exits 1 if anything failed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine, usageOf, type CommandSpec, type OptionSpecs, type OptionValues } from './command-line';
import * as semver from 'semver';
import { z } from 'zod';
import { terraformAvailability, type TerraformAvailability } from './terraform/terraform';
import { providerAvailability, type ProviderAvailability } from './terraform/terraform-env';
import { motoLaunch, type MotoLaunch } from './local/moto-launcher';
import { motoAvailability } from './local/moto-server';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do about a warn or fail. */
  readonly fix?: string;
}

export const MIN_NODE = '20.0.0';
/** The API keys are written through write-only arguments from ephemeral resources, which need 1.11. */
export const MIN_TERRAFORM = '1.11.0';

export function checkNode(version: string): CheckResult {
  const name = 'Node.js';
  const clean = semver.coerce(version)?.version;
  if (clean && semver.gte(clean, MIN_NODE)) return { name, status: 'ok', detail: version };
  return {
    name,
    status: 'fail',
    detail: `${version} is older than ${MIN_NODE}`,
    fix: 'Install Node.js 20 or newer (e.g. `nvm install 20`).',
  };
}

export function checkTerraform(terraform: TerraformAvailability): CheckResult {
  const name = 'Terraform';
  if (!terraform.available)
    return {
      name,
      status: 'fail',
      detail: terraform.reason,
      fix: 'Install Terraform >= 1.11 and put it on the PATH (or set MONOENV_TERRAFORM to its path).',
    };
  const version = semver.coerce(terraform.version)?.version;
  if (!version || semver.lt(version, MIN_TERRAFORM)) {
    return {
      name,
      status: 'fail',
      detail: `${terraform.version} at ${terraform.path} is older than ${MIN_TERRAFORM}: it cannot apply the write-only secret arguments that keep API keys out of state`,
      fix: 'Upgrade Terraform to 1.11 or newer.',
    };
  }
  return { name, status: 'ok', detail: `${terraform.version} at ${terraform.path}` };
}

export function checkProvider(provider: ProviderAvailability): CheckResult {
  const name = 'AWS provider';
  switch (provider.mode) {
    case 'mirror':
      return { name, status: 'ok', detail: `filesystem mirror ${provider.path} (hashicorp/aws ${provider.awsVersions.join(', ')})` };
    case 'registry':
      return { name, status: 'ok', detail: 'no local mirror; terraform init downloads hashicorp/aws from registry.terraform.io' };
    case 'none':
      return {
        name,
        status: 'fail',
        detail: provider.reason,
        fix: 'Set MONOENV_TF_PROVIDER_MIRROR to a directory filled by `terraform providers mirror <dir>` on a connected machine, or allow HTTPS to registry.terraform.io.',
      };
  }
}

export interface CredentialFacts {
  readonly env: NodeJS.ProcessEnv;
  /** Profile names found in the shared config and credentials files. */
  readonly profiles: readonly string[];
  /** A local production's state, when `.monoenv/local/state.json` exists. */
  readonly local?: { readonly awsEndpoint?: string; readonly answers: boolean; readonly problem?: string };
}

export function checkCredentials({ env, profiles, local }: CredentialFacts): CheckResult {
  const name = 'Credentials';
  if (local?.awsEndpoint && local.answers) return { name, status: 'ok', detail: `local production answering at ${local.awsEndpoint}` };
  const localNote = local
    ? ` (a local production's state exists but ${local.problem ?? `${local.awsEndpoint} does not answer`}; start it with \`npm start\`)`
    : '';
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY)
    return { name, status: local ? 'warn' : 'ok', detail: `AWS access key from environment variables${localNote}` };
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN)
    return { name, status: local ? 'warn' : 'ok', detail: `web identity role ${env.AWS_ROLE_ARN}${localNote}` };
  if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)
    return { name, status: local ? 'warn' : 'ok', detail: `container credentials endpoint${localNote}` };
  const profile = env.AWS_PROFILE ?? env.AWS_DEFAULT_PROFILE;
  if (profile) {
    return profiles.includes(profile)
      ? { name, status: local ? 'warn' : 'ok', detail: `AWS profile '${profile}'${localNote}` }
      : {
          name,
          status: 'fail',
          detail: `AWS_PROFILE=${profile} but no such profile in ~/.aws/config or ~/.aws/credentials`,
          fix: `Run \`aws configure --profile ${profile}\` (or \`aws sso login --profile ${profile}\`), or unset AWS_PROFILE.`,
        };
  }
  if (profiles.includes('default')) return { name, status: local ? 'warn' : 'ok', detail: `AWS profile 'default'${localNote}` };
  return {
    name,
    status: 'fail',
    detail: `no AWS credentials (environment variables or profile) and no running local production${localNote}`,
    fix: 'Export AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) to deploy to AWS, or start a local production with `npm start` (monoenv local start).',
  };
}

/** `load` is the config loader; a missing loader module is a warning, an invalid config a failure. */
export function checkConfig(load: () => { source: string }): CheckResult {
  const name = 'Config';
  try {
    const { source } = load();
    return { name, status: 'ok', detail: source === 'defaults' ? 'no monoenv.config.json; using defaults' : `${source} is valid` };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && /config[\\/]load/.test((err as Error).message)) {
      return {
        name,
        status: 'warn',
        detail: 'config loader not available in this build',
        fix: 'Reinstall monoenv; config/load is missing.',
      };
    }
    return {
      name,
      status: 'fail',
      detail: (err as Error).message,
      fix: 'Fix the fields named above in monoenv.config.json (or the MONOENV_* overrides).',
    };
  }
}

const ICONS: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

export function formatReport(results: readonly CheckResult[]): string {
  const lines = results.flatMap((result) => {
    const [first, ...rest] = result.detail.split('\n');
    return [
      `  ${ICONS[result.status]}  ${result.name.padEnd(14)}${first}`,
      ...rest.map((line) => `${' '.repeat(22)}${line}`),
      ...(result.fix && result.status !== 'ok' ? [`${' '.repeat(22)}fix: ${result.fix}`] : []),
    ];
  });
  const failed = results.filter((result) => result.status === 'fail').length;
  const warned = results.filter((result) => result.status === 'warn').length;
  return [
    'monoenv doctor',
    ...lines,
    '',
    failed ? `${failed} check(s) failed.` : warned ? `Ready, with ${warned} warning(s).` : 'Ready.',
  ].join('\n');
}

export const exitCodeFor = (results: readonly CheckResult[]): number => (results.some((result) => result.status === 'fail') ? 1 : 0);

// --- gathering facts (side effects) ---

/**
 * Profile names in the shared AWS files. Only section headers are read, which a two-line regex does; the SDK's
 * ini loader is a transitive dependency this package does not pin.
 */
export function sharedProfiles(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string[] {
  const files = [env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'), env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials')];
  return files
    .filter(existsSync)
    .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/^\s*\[\s*(?:profile\s+)?([^\]\s]+)\s*\]/gm)].map((match) => match[1]));
}

/** Any HTTP answer (even an error status) means something listens there. */
export async function endpointAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    await fetch(url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}

const localStateSchema = z.object({ awsEndpoint: z.url({ message: 'awsEndpoint must be a URL' }) });

export async function localProductionFacts(projectDir: string): Promise<CredentialFacts['local']> {
  const file = join(projectDir, '.monoenv', 'local', 'state.json');
  if (!existsSync(file)) return undefined;
  let state: z.infer<typeof localStateSchema>;
  try {
    state = localStateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    const problem =
      err instanceof z.ZodError
        ? err.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')
        : (err as Error).message;
    return { answers: false, problem: `${file} is unreadable (${problem})` };
  }
  return { awsEndpoint: state.awsEndpoint, answers: await endpointAnswers(state.awsEndpoint) };
}

/** moto is only for `npm start` and the tests, so its absence is a warning, not a failure. */
export function checkLocalAws(availability: ReturnType<typeof motoAvailability>, launch: MotoLaunch): CheckResult {
  const name = 'Local AWS (moto)';
  if (!availability.available)
    return {
      name,
      status: 'warn',
      detail: `${availability.reason}; needed by \`npm start\` and the integration tests only`,
      fix: "pip install 'moto[server]==5.2.*' (for the python3 on the PATH, or set MONOENV_MOTO_PYTHON)",
    };
  if (!launch.patched && !launch.description.startsWith('MONOENV_MOTO_SERVER'))
    return {
      name,
      status: 'warn',
      detail: `${launch.description}, unpatched: local production slows down as its tables grow`,
      fix: "make moto importable by python3 (pip install 'moto[server]==5.2.*'), or set MONOENV_MOTO_PYTHON to a Python that has it",
    };
  return { name, status: 'ok', detail: launch.description };
}

export async function runChecks(projectDir: string, env: NodeJS.ProcessEnv = process.env): Promise<CheckResult[]> {
  return [
    checkNode(process.version),
    checkTerraform(terraformAvailability(env)),
    checkProvider(await providerAvailability({ env })),
    checkLocalAws(motoAvailability(), motoLaunch()),
    checkCredentials({ env, profiles: sharedProfiles(env), local: await localProductionFacts(projectDir) }),
    checkConfig(() =>
      (require('../config/load') as { loadConfig: (options: { cwd: string; env: NodeJS.ProcessEnv }) => { source: string } }).loadConfig({
        cwd: projectDir,
        env,
      }),
    ),
  ];
}

export const DOCTOR_COMMAND = {
  name: 'doctor',
  synopsis: '[--json] [--dir <project>]',
  description:
    'Checks Node.js, Terraform, the AWS provider (mirror or registry), credentials (or a running local production)\nand monoenv.config.json. Exits 1 if any check fails.',
  options: {
    json: { type: 'boolean', description: 'print the checks as JSON' },
    dir: { type: 'string', value: 'project', description: 'the project folder (default: the current one)' },
  },
} as const satisfies CommandSpec<OptionSpecs>;

const USAGE = usageOf(DOCTOR_COMMAND);

export async function run(argv: string[]): Promise<number> {
  let values: OptionValues<typeof DOCTOR_COMMAND.options>;
  let help: boolean;
  try {
    ({ values, help } = parseCommandLine(DOCTOR_COMMAND, argv));
  } catch (err) {
    console.error(`monoenv doctor: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (help) {
    console.log(USAGE);
    return 0;
  }
  const results = await runChecks(values.dir ?? process.cwd());
  console.log(values.json ? JSON.stringify({ ok: exitCodeFor(results) === 0, checks: results }, null, 2) : formatReport(results));
  return exitCodeFor(results);
}
