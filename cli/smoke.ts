/**
 * `monoenv smoke`: is production healthy after a deploy? Reads the production outputs (a file, or
 * `terraform output -json` in the synthesized stack, or flags), the keys (flags/env, or the secrets the
 * outputs name), then checks service health, OFREP bulk evaluation and one ingested event. Exits 1 when a
 * check fails, so the deploy workflow fails and the team is told.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCommandLine, UsageError, usageOf, type CommandSpec, type OptionSpecs, type OptionValues } from './command-line';
import { z } from 'zod';
import { formatOutcome, formatSummary, runSmokeChecks } from './smoke/checks';
import { resolveKey, secretsManagerReader, type SecretReader } from './smoke/keys';
import { normalizeOutputs, parseSmokeOutputs, type SmokeOutputs } from './smoke/outputs';

export const DEFAULT_STACK_DIR = join('cdktf.out', 'stacks', 'production');

export const SMOKE_COMMAND = {
  name: 'smoke',
  synopsis: '[--outputs <file>] [options]',
  description: `Where production answers, first match wins per value: the URL options given directly; the outputs in
--outputs <file> (JSON of \`terraform output -json\`, or cdktf --outputs-file); else \`terraform output -json\`
in --stack-dir (default ${DEFAULT_STACK_DIR}). Keys: the options, else the environment, else the secrets the
flags_api_keys_secret and events_write_key_secret outputs name.`,
  options: {
    'service-url': { type: 'string', value: 'url', description: "the service's base URL" },
    'flags-url': { type: 'string', value: 'url', description: 'the OFREP base URL' },
    'events-url': { type: 'string', value: 'url', description: 'the ingestion base URL' },
    outputs: { type: 'string', value: 'file', description: 'JSON of `terraform output -json`' },
    'stack-dir': { type: 'string', value: 'dir', description: `where to run \`terraform output -json\` (default ${DEFAULT_STACK_DIR})` },
    'flags-key': { type: 'string', value: 'key', description: 'or MONOENV_SMOKE_FLAGS_KEY (a server or client flag key)' },
    'write-key': { type: 'string', value: 'key', description: 'or MONOENV_SMOKE_WRITE_KEY (an ingestion write key)' },
    'health-path': {
      type: 'string',
      value: 'path',
      description: "default: the first service's healthCheckPath in monoenv.config.json, else /health",
    },
    attempts: { type: 'string', value: 'n', description: 'tries per check while it may still pass (no answer, 5xx, 429); default 10' },
    'retry-delay': { type: 'string', value: 's', description: 'seconds between tries; default 6' },
    timeout: { type: 'string', value: 's', description: 'seconds per request; default 10' },
    json: { type: 'boolean', description: 'print the outcomes as JSON' },
  },
  optionGroups: [
    { heading: 'where production answers', names: ['service-url', 'flags-url', 'events-url', 'outputs', 'stack-dir'] },
    { heading: 'keys', names: ['flags-key', 'write-key'] },
    { heading: 'options', names: ['health-path', 'attempts', 'retry-delay', 'timeout', 'json'] },
  ],
  footer: 'Exits 0 when every check passes, 1 when one fails, 2 for bad options or unusable outputs.',
} as const satisfies CommandSpec<OptionSpecs>;

const USAGE = usageOf(SMOKE_COMMAND);

/** The production outputs cannot be read at all (no file, not JSON, no stack folder). */
export class SmokeOutputsUnreadableError extends Error {
  readonly code = 'OUTPUTS_UNREADABLE';

  constructor(message: string) {
    super(message);
    this.name = 'SmokeOutputsUnreadableError';
  }
}

const numberOption = (flag: string, min: number) =>
  z.coerce
    .number({ error: `--${flag} must be a number` })
    .refine((n) => Number.isFinite(n) && n >= min, `--${flag} must be at least ${min}`);

const optionsSchema = z.object({
  attempts: numberOption('attempts', 1).pipe(z.number().int('--attempts must be a whole number')).default(10),
  'retry-delay': numberOption('retry-delay', 0).default(6),
  timeout: numberOption('timeout', 1).default(10),
  'health-path': z.string().regex(/^\//, '--health-path must start with /').optional(),
});

export interface SmokeDependencies {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** `terraform output -json` in a stack dir. @default runs terraform with monoenv's provider setup */
  readonly terraformOutputs?: (stackDir: string) => Promise<unknown>;
  readonly readSecret?: SecretReader;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: (line: string) => void;
}

async function terraformOutputJson(stackDir: string, projectDir: string): Promise<unknown> {
  const { prepareTerraformEnv, runTerraform } = require('./terraform') as typeof import('./terraform');
  if (!existsSync(stackDir)) {
    throw new SmokeOutputsUnreadableError(
      `${stackDir} does not exist; run \`cdktf deploy production\` (or synth and init) first, or pass --outputs`,
    );
  }
  const { env } = await prepareTerraformEnv(projectDir);
  const { stdout } = await runTerraform(['output', '-json', '-no-color'], { cwd: stackDir, env });
  return JSON.parse(stdout);
}

function readOutputsFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SmokeOutputsUnreadableError(
      `cannot read --outputs ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SmokeOutputsUnreadableError(`--outputs ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The first service's health check path from the config; '/health' (the config default) when there is none. */
function configuredHealthPath(cwd: string, env: NodeJS.ProcessEnv, log: (line: string) => void): string {
  try {
    const { loadConfig } = require('../config/load') as typeof import('../config/load');
    return loadConfig({ cwd, env }).config.services[0]?.healthCheckPath ?? '/health';
  } catch (error) {
    log(`note: monoenv.config.json not usable (${(error as Error).message.split('\n')[0]}); checking /health`);
    return '/health';
  }
}

type Values = OptionValues<typeof SMOKE_COMMAND.options>;

async function gatherOutputs(values: Values, cwd: string, deps: SmokeDependencies): Promise<SmokeOutputs> {
  const given = { service_url: values['service-url'], flags_url: values['flags-url'], events_url: values['events-url'] };
  const givenValues = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  let raw: unknown = {};
  let source = 'the URL options';
  if (values.outputs) {
    source = resolve(cwd, values.outputs);
    raw = readOutputsFile(source);
  } else if (Object.keys(givenValues).length < Object.keys(given).length) {
    const stackDir = resolve(cwd, values['stack-dir'] ?? DEFAULT_STACK_DIR);
    source = `terraform output -json in ${stackDir}`;
    raw = await (deps.terraformOutputs ?? ((dir) => terraformOutputJson(dir, cwd)))(stackDir);
  }
  // The URL options override (or fill in) what the outputs say.
  return parseSmokeOutputs({ ...normalizeOutputs(raw, source), ...givenValues }, source);
}

/** The whole command, with its side effects injectable; resolves to the exit code. */
export async function smoke(argv: string[], deps: SmokeDependencies = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();
  const log = deps.log ?? ((line: string) => console.log(line));
  const { values, help } = parseCommandLine(SMOKE_COMMAND, argv);
  if (help) {
    log(USAGE);
    return 0;
  }
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('; '));
  const options = parsed.data;

  const outputs = await gatherOutputs(values, cwd, deps);
  const readSecret = deps.readSecret ?? secretsManagerReader();
  const [flagsKey, writeKey] = await Promise.all([
    resolveKey(
      {
        explicit: values['flags-key'] ?? env.MONOENV_SMOKE_FLAGS_KEY,
        secretArn: outputs.flags_api_keys_secret,
        kinds: ['server', 'client'],
        hint: 'pass --flags-key or MONOENV_SMOKE_FLAGS_KEY',
      },
      readSecret,
    ),
    resolveKey(
      {
        explicit: values['write-key'] ?? env.MONOENV_SMOKE_WRITE_KEY,
        secretArn: outputs.events_write_key_secret,
        kinds: ['write'],
        hint: 'pass --write-key or MONOENV_SMOKE_WRITE_KEY',
      },
      readSecret,
    ),
  ]);
  const healthPath = options['health-path'] ?? configuredHealthPath(cwd, env, log);

  if (!values.json) log('monoenv smoke');
  const outcomes = await runSmokeChecks(
    { serviceUrl: outputs.service_url, healthPath, flagsUrl: outputs.flags_url, eventsUrl: outputs.events_url, flagsKey, writeKey },
    {
      attempts: options.attempts,
      retryDelayMs: options['retry-delay'] * 1000,
      timeoutMs: options.timeout * 1000,
      sleep: deps.sleep,
      onOutcome: values.json ? undefined : (outcome) => log(formatOutcome(outcome)),
    },
  );
  const ok = outcomes.every((outcome) => outcome.ok);
  log(values.json ? JSON.stringify({ ok, checks: outcomes }, null, 2) : `\n${formatSummary(outcomes)}`);
  return ok ? 0 : 1;
}

export async function run(argv: string[]): Promise<number> {
  try {
    return await smoke(argv);
  } catch (error) {
    const code = (error as { code?: string }).code;
    console.error(
      `monoenv smoke: ${code ? `[${code}] ` : ''}${(error as Error).message}${error instanceof UsageError ? `\n\n${USAGE}` : ''}`,
    );
    return 2;
  }
}
