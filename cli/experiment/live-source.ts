/**
 * Where the live per-variant summaries are: the analytics table from `--table`,
 * `MONOENV_ANALYTICS_TABLE` or a running local production's `.monoenv/local/state.json`, and the
 * reader the journey processor ships. AWS code is loaded only here, only when used, so `--from-file`
 * works without it.
 */
import { readLocalState, STATE_FILE, type LocalState } from '../local/state-file';
import type { ExperimentSummary } from '../../domain/experiments/experiment-summary';

export interface LiveSource {
  readonly tableName: string;
  readonly region?: string;
  readonly endpoint?: string;
  /** Dummy credentials for a custom endpoint when none are configured (moto accepts any). */
  readonly localCredentials: boolean;
}

export interface LiveSourceFlags {
  readonly table?: string;
  readonly region?: string;
  readonly endpoint?: string;
}

export class LiveSourceError extends Error {
  constructor(
    readonly code: 'no-table' | 'bad-state-file' | 'reader-unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'LiveSourceError';
  }
}

/** Flags win over the environment, which wins over the local production's state file. */
export function resolveLiveSource(flags: LiveSourceFlags, env: NodeJS.ProcessEnv, cwd: string): LiveSource {
  let state: LocalState | undefined;
  try {
    state = flags.table || env.MONOENV_ANALYTICS_TABLE ? undefined : readLocalState(cwd);
  } catch (err) {
    throw new LiveSourceError('bad-state-file', (err as Error).message);
  }
  const tableName = flags.table || env.MONOENV_ANALYTICS_TABLE || state?.analyticsTable;
  if (!tableName) {
    throw new LiveSourceError(
      'no-table',
      `no analytics table: pass --table <name>, set MONOENV_ANALYTICS_TABLE, start a local production (${STATE_FILE}) or use --from-file <path>`,
    );
  }
  const endpoint = flags.endpoint || state?.awsEndpoint;
  return {
    tableName,
    region: flags.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || state?.region || (endpoint ? 'us-east-1' : undefined),
    endpoint,
    localCredentials: Boolean(endpoint) && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE,
  };
}

type ExperimentSummaryReader = (client: unknown, tableName: string, flag: string) => Promise<ExperimentSummary>;

/** Reads the live summary through the journey processor's `readExperimentSummary`. */
export async function readLiveSummary(source: LiveSource, flag: string): Promise<unknown> {
  let readExperimentSummary: ExperimentSummaryReader;
  try {
    // Lazy: another part of monoenv owns this module, and `--from-file` must work without it.

    ({ readExperimentSummary } = require('../../domain/experiments/experiment-table') as {
      readExperimentSummary: ExperimentSummaryReader;
    });
  } catch (err) {
    throw new LiveSourceError(
      'reader-unavailable',
      `the live experiment reader is not available in this build (${(err as Error).message.split('\n')[0]}); use --from-file <path>`,
    );
  }

  const { DynamoDBClient } = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb') as typeof import('@aws-sdk/lib-dynamodb');

  const base = new DynamoDBClient({
    region: source.region,
    endpoint: source.endpoint,
    ...(source.localCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  const client = DynamoDBDocumentClient.from(base);
  try {
    return await readExperimentSummary(client, source.tableName, flag);
  } finally {
    client.destroy();
  }
}
