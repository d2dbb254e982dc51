import { spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { UsageError } from '../command-line';
import { readLocalState, STATE_FILE } from '../local/state-file';

/**
 * Which flag table the CLI edits and who is editing. The table comes from `--table`, then
 * `MONOENV_FLAGS_TABLE`, then the state file of a running local production (`.monoenv/local/state.json`,
 * which also gives its AWS endpoint and region).
 */
export interface TableTarget {
  readonly table: string;
  readonly endpoint?: string;
  readonly region?: string;
  /** Where the table name came from, for messages. */
  readonly source: string;
}

export interface TargetOptions {
  readonly table?: string;
  readonly endpoint?: string;
  readonly region?: string;
}

export function resolveTarget(options: TargetOptions, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): TableTarget {
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (options.table) return { table: options.table, endpoint: options.endpoint, region, source: '--table' };
  if (env.MONOENV_FLAGS_TABLE) return { table: env.MONOENV_FLAGS_TABLE, endpoint: options.endpoint, region, source: 'MONOENV_FLAGS_TABLE' };
  const state = readLocalState(cwd);
  if (state?.flagsTable) {
    return {
      table: state.flagsTable,
      endpoint: options.endpoint ?? state.awsEndpoint,
      region: options.region ?? state.region ?? region ?? 'us-east-1',
      source: STATE_FILE,
    };
  }
  throw new UsageError(`no flag table: pass --table <name>, set MONOENV_FLAGS_TABLE, or start a local production (${STATE_FILE})`);
}

/** Who is editing, for the audit trail: --actor, MONOENV_ACTOR, git user.email, then the OS user. */
export function resolveActor(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  if (env.MONOENV_ACTOR) return env.MONOENV_ACTOR;
  const git = spawnSync('git', ['config', 'user.email'], { encoding: 'utf8', timeout: 5000 });
  const email = git.status === 0 ? git.stdout.trim() : '';
  if (email) return email;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
