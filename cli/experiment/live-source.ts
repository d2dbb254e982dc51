/**
 * Where the live per-variant summaries are: the analytics table from `--table`,
 * `MONOENV_ANALYTICS_TABLE` or a running local production's `.monoenv/local/state.json`, and the
 * reader the journey processor ships. AWS code is loaded only here, only when used, so `--from-file`
 * works without it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentSummary } from '../../lambdas/shared/experiment-summary';

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

export const LOCAL_STATE_PATH = join('.monoenv', 'local', 'state.json');

export class LiveSourceError extends Error {
  constructor(readonly code: 'no-table' | 'bad-state-file' | 'reader-unavailable', message: string) {
    super(message);
    this.name = 'LiveSourceError';
  }
}

interface LocalState {
  analyticsTable?: string;
  awsEndpoint?: string;
  region?: string;
}

function readLocalState(cwd: string): LocalState | undefined {
  const path = join(cwd, LOCAL_STATE_PATH);
  if (!existsSync(path)) return undefined;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof state !== 'object' || state === null) throw new Error('not a JSON object');
    const { analyticsTable, awsEndpoint, region } = state as Record<string, unknown>;
    const text = (x: unknown) => (typeof x === 'string' && x ? x : undefined);
    return { analyticsTable: text(analyticsTable), awsEndpoint: text(awsEndpoint), region: text(region) };
  } catch (err) {
    throw new LiveSourceError('bad-state-file', `cannot read ${path}: ${(err as Error).message}`);
  }
}

/** Flags win over the environment, which wins over the local production's state file. */
export function resolveLiveSource(flags: LiveSourceFlags, env: NodeJS.ProcessEnv, cwd: string): LiveSource {
  const state = flags.table || env.MONOENV_ANALYTICS_TABLE ? undefined : readLocalState(cwd);
  const tableName = flags.table || env.MONOENV_ANALYTICS_TABLE || state?.analyticsTable;
  if (!tableName) {
    throw new LiveSourceError('no-table', `no analytics table: pass --table <name>, set MONOENV_ANALYTICS_TABLE, start a local production (${LOCAL_STATE_PATH}) or use --from-file <path>`);
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
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ({ readExperimentSummary } = require('../../lambdas/journey-processor/experiment-store') as { readExperimentSummary: ExperimentSummaryReader });
  } catch (err) {
    throw new LiveSourceError('reader-unavailable', `the live experiment reader is not available in this build (${(err as Error).message.split('\n')[0]}); use --from-file <path>`);
  }
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { DynamoDBClient } = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb') as typeof import('@aws-sdk/lib-dynamodb');
  /* eslint-enable @typescript-eslint/no-require-imports */
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
