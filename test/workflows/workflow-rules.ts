/**
 * Rules the GitHub workflows teams copy must keep. Each rule is a function from a parsed workflow to a list
 * of problems (empty = fine), so the test can run it on the real files and on small bad examples alike.
 */
import { parseDocument } from 'yaml';

export interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
  readonly if?: string;
}

export interface Job {
  readonly uses?: string;
  readonly needs?: string | string[];
  readonly permissions?: unknown;
  readonly concurrency?: unknown;
  readonly env?: Record<string, unknown>;
  readonly steps?: Step[];
  readonly with?: Record<string, unknown>;
}

export interface Workflow {
  /** File name, for messages. */
  readonly file: string;
  readonly text: string;
  readonly on: Record<string, unknown>;
  readonly permissions?: unknown;
  readonly concurrency?: unknown;
  readonly env?: Record<string, unknown>;
  readonly jobs: Record<string, Job>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses a workflow; YAML errors and a missing `on`/`jobs` throw with the file name. */
export function parseWorkflow(file: string, text: string): Workflow {
  const document = parseDocument(text);
  if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join('; ')}`);
  const data: unknown = document.toJS();
  if (!isRecord(data) || !isRecord(data.jobs)) throw new Error(`${file}: a workflow needs a jobs map`);
  const on =
    typeof data.on === 'string'
      ? { [data.on]: null }
      : Array.isArray(data.on)
        ? Object.fromEntries(data.on.map((event) => [event, null]))
        : data.on;
  if (!isRecord(on)) throw new Error(`${file}: a workflow needs an 'on' trigger`);
  return { ...(data as object), file, text, on, jobs: data.jobs as Record<string, Job> } as Workflow;
}

const stepsOf = (workflow: Workflow): [string, Step][] =>
  Object.entries(workflow.jobs).flatMap(([jobId, job]) => (job.steps ?? []).map((step): [string, Step] => [jobId, step]));

/** Every shell command the workflow runs: one per line and per `&&`, without comments. */
export function commandsOf(workflow: Workflow, jobId?: string): string[] {
  return stepsOf(workflow)
    .filter(([id, step]) => (jobId === undefined || id === jobId) && typeof step.run === 'string')
    .flatMap(([, step]) => (step.run as string).split('\n'))
    .flatMap((line) => line.replace(/\s+#.*$/, '').split('&&'))
    .map((command) => command.trim())
    .filter(Boolean);
}

/** The commands of the README's first code block, e.g. `npm ci`, `npm run synth`, `npm test`. */
export function readmeCommands(readme: string): string[] {
  const block = /```[^\n]*\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README has no code block');
  return block[1]
    .split('\n')
    .flatMap((line) => line.replace(/\s+#.*$/, '').split('&&'))
    .map((command) => command.trim())
    .filter(Boolean);
}

/** The README's test command: the one that mentions `npm test`. */
export function readmeTestCommand(readme: string): string {
  const command = readmeCommands(readme).find((candidate) => /\bnpm test\b/.test(candidate));
  if (!command) throw new Error("README's first code block has no `npm test` line");
  return command;
}

/** The workflow runs each command exactly (as one command, not merely somewhere in a longer one). */
export function checkRunsCommands(workflow: Workflow, commands: readonly string[]): string[] {
  const ran = new Set(commandsOf(workflow));
  return commands.filter((command) => !ran.has(command)).map((command) => `${workflow.file}: does not run \`${command}\``);
}

const NPM_BUILTINS = new Set([
  'ci',
  'install',
  'audit',
  'exec',
  'pack',
  'publish',
  'version',
  'config',
  'cache',
  'ls',
  'outdated',
  'whoami',
]);

/** Every `npm run <script>` / `npm test|start|stop` names a script package.json has. */
export function checkNpmScriptsExist(workflow: Workflow, scripts: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const command of commandsOf(workflow)) {
    for (const match of command.matchAll(/\bnpm\s+(run(?:-script)?\s+([\w:.-]+)|[\w-]+)/g)) {
      const script = match[2] ?? match[1];
      if (match[2] === undefined && NPM_BUILTINS.has(script)) continue;
      if (!(script in scripts))
        problems.push(`${workflow.file}: \`${command}\` calls npm script '${script}', which package.json does not have`);
    }
  }
  return problems;
}

/** Every `npx monoenv <command>` is a command cli/main.ts knows. */
export function checkMonoenvCommandsExist(workflow: Workflow, known: readonly string[]): string[] {
  return commandsOf(workflow).flatMap((command) =>
    [...command.matchAll(/\bnpx\s+monoenv\s+([\w-]+)/g)]
      .filter((match) => !known.includes(match[1]))
      .map((match) => `${workflow.file}: \`${command}\` runs monoenv command '${match[1]}', which cli/main.ts does not have`),
  );
}

const SHA = /^[0-9a-f]{40}$/;
const VERSION_TAG = /^v?\d+(\.\d+){0,2}$/;

/** Every `uses:` outside this repository names a commit SHA (with a `# vX.Y.Z` comment) or a version tag. */
export function checkPinnedActions(workflow: Workflow): string[] {
  const uses = [...Object.values(workflow.jobs).map((job) => job.uses), ...stepsOf(workflow).map(([, step]) => step.uses)].filter(
    (value): value is string => typeof value === 'string',
  );
  const problems: string[] = [];
  for (const ref of uses) {
    if (ref.startsWith('./')) continue;
    if (ref.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(ref)) problems.push(`${workflow.file}: ${ref} is not pinned to an image digest`);
      continue;
    }
    const at = ref.lastIndexOf('@');
    const version = at > 0 ? ref.slice(at + 1) : '';
    if (!version) {
      problems.push(`${workflow.file}: ${ref} has no version`);
    } else if (SHA.test(version)) {
      const escaped = ref.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      if (!new RegExp(`uses:\\s*['"]?${escaped}['"]?\\s+#\\s*v?\\d+\\.\\d+`).test(workflow.text)) {
        problems.push(`${workflow.file}: ${ref} is pinned to a SHA without a '# vX.Y.Z' comment saying which release it is`);
      }
    } else if (!VERSION_TAG.test(version)) {
      problems.push(`${workflow.file}: ${ref} is pinned to '${version}', a branch or moving name, not a version`);
    }
  }
  return problems;
}

const grantsIdToken = (permissions: unknown): boolean =>
  permissions === 'write-all' || (isRecord(permissions) && permissions['id-token'] === 'write');

/** `id-token: write` (or write-all) appears only on the one job allowed to assume the deploy role. */
export function checkIdTokenOnlyIn(workflows: readonly Workflow[], allowed: { readonly file: string; readonly job: string }): string[] {
  const problems: string[] = [];
  for (const workflow of workflows) {
    if (grantsIdToken(workflow.permissions))
      problems.push(`${workflow.file}: grants id-token: write to every job; grant it only to the deploy job`);
    for (const [jobId, job] of Object.entries(workflow.jobs)) {
      if (!grantsIdToken(job.permissions)) continue;
      if (workflow.file === allowed.file && jobId === allowed.job) continue;
      problems.push(`${workflow.file}: job '${jobId}' grants id-token: write; only ${allowed.file} job '${allowed.job}' may`);
    }
  }
  const deploy = workflows.find((workflow) => workflow.file === allowed.file)?.jobs[allowed.job];
  if (!deploy || !grantsIdToken(deploy.permissions))
    problems.push(`${allowed.file}: job '${allowed.job}' does not request id-token: write, so it cannot assume the deploy role over OIDC`);
  return problems;
}

const AWS_KEY_PATTERN =
  /\b(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|aws-access-key-id|aws-secret-access-key|aws-session-token)\b|secrets\.AWS_\w+/g;

/** No stored AWS keys: not as env, not as action inputs, not from secrets. */
export function checkNoAwsKeys(workflow: Workflow): string[] {
  return [...new Set([...workflow.text.matchAll(AWS_KEY_PATTERN)].map((match) => match[0]))].map(
    (key) => `${workflow.file}: uses stored AWS credentials (${key}); assume the deploy role over OIDC instead`,
  );
}

const groupOf = (concurrency: unknown): string | undefined =>
  typeof concurrency === 'string'
    ? concurrency
    : isRecord(concurrency) && typeof concurrency.group === 'string'
      ? concurrency.group
      : undefined;

/** The deploy job runs one at a time (a concurrency group) and is never cancelled halfway. */
export function checkDeployConcurrency(workflow: Workflow, jobId: string): string[] {
  const job = workflow.jobs[jobId];
  if (!job) return [`${workflow.file}: has no job '${jobId}'`];
  const concurrency = job.concurrency ?? workflow.concurrency;
  if (!groupOf(concurrency)) return [`${workflow.file}: job '${jobId}' has no concurrency group, so two deploys can run at once`];
  if (isRecord(concurrency) && concurrency['cancel-in-progress'] === true) {
    return [`${workflow.file}: job '${jobId}' cancels a running deploy (cancel-in-progress: true), which can stop terraform halfway`];
  }
  return [];
}

/** `${{ env.NAME }}` resolved through the step, job and workflow env, so an indirection still counts. */
function resolveEnv(value: string, ...envs: (Record<string, unknown> | undefined)[]): string {
  return value.replace(/\$\{\{\s*env\.(\w+)\s*\}\}/g, (whole, name: string) => {
    const found = envs.find((env) => env && name in env)?.[name];
    return typeof found === 'string' ? found : whole;
  });
}

/**
 * The deploy job assumes the role from the repository variable that holds the bootstrap stack's output, and
 * the workflow names that output so a reader knows where the value comes from.
 */
export function checkDeployRole(workflow: Workflow, jobId: string, variable: string, output: string): string[] {
  const job = workflow.jobs[jobId];
  if (!job) return [`${workflow.file}: has no job '${jobId}'`];
  const problems: string[] = [];
  const configure = (job.steps ?? []).find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
  if (!configure) {
    problems.push(`${workflow.file}: job '${jobId}' never runs aws-actions/configure-aws-credentials`);
  } else {
    const role = resolveEnv(String(configure.with?.['role-to-assume'] ?? ''), configure.env, job.env, workflow.env);
    if (!new RegExp(`\\bvars\\.${variable}\\b`).test(role)) {
      problems.push(`${workflow.file}: role-to-assume is '${role}', not the repository variable vars.${variable}`);
    }
  }
  if (!workflow.text.includes(output))
    problems.push(`${workflow.file}: never names the bootstrap output '${output}' that ${variable} holds`);
  return problems;
}

/** The workflow runs on a cron schedule. */
export function checkSchedule(workflow: Workflow): string[] {
  const schedule = workflow.on.schedule;
  const crons = Array.isArray(schedule)
    ? schedule.filter((entry) => isRecord(entry) && typeof entry.cron === 'string' && entry.cron.trim().split(/\s+/).length === 5)
    : [];
  return crons.length > 0 ? [] : [`${workflow.file}: has no schedule trigger with a cron expression`];
}

/** Index of the first step of `jobId` matching `test`, or -1. */
export function stepIndex(workflow: Workflow, jobId: string, test: (step: Step) => boolean): number {
  return (workflow.jobs[jobId]?.steps ?? []).findIndex(test);
}
