import { formatStartSummary } from '../../../cli/local/summary';
import type { LocalState } from '../../../cli/local/state-file';
import { runningState } from '../../support/local-fixtures';

const state: LocalState = runningState();

describe('what npm start prints', () => {
  const text = formatStartSummary({
    state,
    keys: { flagsServer: 'server-key-1', write: 'write-key-1' },
    notEmulated: [{ address: 'aws_ecs_service.web', name: 'monoenv-web', what: 'ECS service: no task runs' }],
    stateFile: '.monoenv/local/state.json',
    portNote: 'port 4510 is in use, so the local APIs use 4600',
  });

  it('says where every part is', () => {
    expect(text).toContain('flags (OFREP)      http://127.0.0.1:4510/ofrep/v1/evaluate/flags');
    expect(text).toContain('events ingestion   http://127.0.0.1:4510/v1/events');
    expect(text).toContain('polling stream monoenv-events into table monoenv-analytics');
    expect(text).toContain('http://127.0.0.1:40111 (pid 200)');
    expect(text).toContain('.monoenv/local/state.json');
    expect(text).toContain('note: port 4510 is in use');
  });

  it('gives a first curl with the server key, and one for ingestion with the write key', () => {
    expect(text).toMatch(/curl -s -X POST http:\/\/127\.0\.0\.1:4510\/ofrep\/v1\/evaluate\/flags\/new-checkout/);
    expect(text).toContain("-H 'authorization: Bearer server-key-1'");
    expect(text).toContain("-H 'authorization: Bearer write-key-1'");
  });

  it('lists what the local AWS cannot run, by name, and how to stop', () => {
    expect(text).toContain('monoenv-web: ECS service: no task runs');
    expect(text).toContain('`npm stop` (pid 100)');
  });
});
