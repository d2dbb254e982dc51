import type { LocalState } from '../../cli/local/state-file';

/** A running local production's state file, as `npm start` writes it; override what a test needs. */
export const runningState = (overrides: Partial<LocalState> = {}): LocalState => ({
  status: 'running',
  startedAt: '2026-11-25T10:00:00.000Z',
  awsEndpoint: 'http://127.0.0.1:40111',
  region: 'eu-west-1',
  pids: { runtime: 100, moto: 200 },
  ports: { moto: 40111, runtime: 4510 },
  flagsUrl: 'http://127.0.0.1:4510',
  eventsUrl: 'http://127.0.0.1:4510',
  flagsTable: 'monoenv-flags',
  analyticsTable: 'monoenv-analytics',
  eventStream: 'monoenv-events',
  ...overrides,
});
