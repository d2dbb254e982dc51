import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFlagSet } from '../../../domain/flags/evaluator';
import { createOfrepHandler } from '../../../lambdas/flag-evaluation/ofrep';
import type { EncodedRecord } from '../../../lambdas/ingest/encoded-record';
import type { EventWriter } from '../../../lambdas/ingest/event-writer';
import { createIngestHandler } from '../../../lambdas/ingest/ingest-api';
import { staticApiKeys } from '../../../lambdas/shared/api-keys';
import { jsonResponse, type HttpHandler } from '../../../lambdas/shared/http';
import { serveHttp, type RunningServer } from '../../../lambdas/shared/node-http';
import { smoke } from '../../../cli/smoke';
import { runSmokeChecks, SMOKE_EVENT, type SmokeTarget } from '../../../cli/smoke/checks';
import { tempDir } from '../../support/temp';

// The real OFREP and ingestion handlers over real HTTP, plus a service whose health answer a test sets.
const FLAGS_KEY = 'flags-server-key';
const WRITE_KEY = 'ingest-write-key';

const flagSet = compileFlagSet({
  flags: {
    'new-checkout': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' },
  },
});

class RecordingWriter implements EventWriter {
  readonly written: EncodedRecord[] = [];
  storing = true;
  async write(records: readonly EncodedRecord[]) {
    if (!this.storing)
      return records.map(() => ({ stored: false as const, errorCode: 'ProvisionedThroughputExceededException', reason: 'stream busy' }));
    this.written.push(...records);
    return records.map(() => ({ stored: true as const }));
  }
}

/** Answers the health path with the statuses queued, then the last one forever. */
function healthService(statuses: number[]): { handler: HttpHandler; hits: () => number } {
  let hits = 0;
  return {
    hits: () => hits,
    handler: async (request) => {
      if (request.path !== '/healthz') return jsonResponse(404, { error: 'no route' });
      const status = statuses[Math.min(hits, statuses.length - 1)];
      hits += 1;
      return jsonResponse(status, { status: status < 300 ? 'ok' : 'down' });
    },
  };
}

const noWait = async (): Promise<void> => undefined;

describe('monoenv smoke against real local servers', () => {
  // The ingest handler logs the events it could not store; expected here.
  beforeAll(() => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterAll(() => {
    jest.restoreAllMocks();
  });
  const writer = new RecordingWriter();
  let flags: RunningServer;
  let events: RunningServer;
  const services: RunningServer[] = [];

  beforeAll(async () => {
    flags = await serveHttp(
      createOfrepHandler({
        flags: async () => ({ set: flagSet, stale: false, ageSeconds: 0 }),
        apiKeys: staticApiKeys({ server: [FLAGS_KEY] }),
      }),
    );
    events = await serveHttp(createIngestHandler({ writer, apiKeys: staticApiKeys({ write: [WRITE_KEY] }) }));
  });
  afterAll(async () => {
    await Promise.all([flags, events, ...services].map((server) => server?.close()));
  });
  beforeEach(() => {
    writer.storing = true;
    writer.written.length = 0;
  });

  async function service(statuses: number[]) {
    const health = healthService(statuses);
    const server = await serveHttp(health.handler);
    services.push(server);
    return { url: server.url, hits: health.hits };
  }

  function target(serviceUrl: string, overrides: Partial<SmokeTarget> = {}): SmokeTarget {
    return {
      serviceUrl,
      healthPath: '/healthz',
      // Function URLs end in a slash; the check must not double it.
      flagsUrl: `${flags.url}/`,
      eventsUrl: events.url,
      flagsKey: { key: FLAGS_KEY, from: 'given' },
      writeKey: { key: WRITE_KEY, from: 'given' },
      ...overrides,
    };
  }

  it('passes every check when production is healthy, and stores exactly one smoke event', async () => {
    const svc = await service([200]);
    const outcomes = await runSmokeChecks(target(svc.url), { sleep: noWait });
    expect(outcomes.map((o) => [o.name, o.ok])).toEqual([
      ['service health', true],
      ['OFREP flags', true],
      ['event ingestion', true],
    ]);
    expect(outcomes[1].detail).toContain('1 flag(s) evaluated');
    expect(writer.written).toHaveLength(1);
    const stored = JSON.parse(Buffer.from(writer.written[0].data).toString('utf8')) as { event: string; messageId: string };
    expect(stored.event).toBe(SMOKE_EVENT);
    expect(stored.messageId).toMatch(/^smoke-/);
  });

  it('retries health while a fresh deploy still answers 503, then passes', async () => {
    const svc = await service([503, 502, 200]);
    const sleeps: number[] = [];
    const [health] = await runSmokeChecks(target(svc.url), {
      attempts: 5,
      retryDelayMs: 1234,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    expect(health.ok).toBe(true);
    expect(health.attempts).toBe(3);
    expect(sleeps).toEqual([1234, 1234]);
    expect(svc.hits()).toBe(3);
  });

  it('fails health with the status and body when the service stays unhealthy', async () => {
    const svc = await service([503]);
    const [health] = await runSmokeChecks(target(svc.url), { attempts: 3, sleep: noWait });
    expect(health.ok).toBe(false);
    expect(health.attempts).toBe(3);
    expect(health.detail).toMatch(/^503 from http:\/\/127\.0\.0\.1:\d+\/healthz: \{"status":"down"\} \(after 3 tries\)$/);
  });

  it('fails health without retrying forever when nothing listens', async () => {
    const svc = await service([200]);
    const closed = services.pop()!;
    await closed.close();
    const [health] = await runSmokeChecks(target(svc.url), { attempts: 2, sleep: noWait });
    expect(health.ok).toBe(false);
    expect(health.detail).toContain('no answer from');
    expect(health.attempts).toBe(2);
  });

  it('fails OFREP on a refused key at once (a retry cannot fix a key)', async () => {
    const svc = await service([200]);
    const [, ofrep] = await runSmokeChecks(target(svc.url, { flagsKey: { key: 'wrong', from: 'given' } }), { attempts: 5, sleep: noWait });
    expect(ofrep.ok).toBe(false);
    expect(ofrep.attempts).toBe(1);
    expect(ofrep.detail).toMatch(/^403 from .*\/ofrep\/v1\/evaluate\/flags: .*the API key is not valid/);
  });

  it('fails ingestion when the stream stores nothing, and reports a key problem without calling', async () => {
    const svc = await service([200]);
    writer.storing = false;
    const [, , ingest] = await runSmokeChecks(target(svc.url), { attempts: 2, sleep: noWait });
    expect(ingest.ok).toBe(false);
    expect(ingest.detail).toMatch(/^503 from .*\/v1\/events: .*"accepted":0/);

    const [, flagsOutcome, noKey] = await runSmokeChecks(
      target(svc.url, { flagsKey: { problem: 'no key: x' }, writeKey: { problem: 'cannot read secret arn:1' } }),
      { sleep: noWait },
    );
    expect([flagsOutcome.ok, flagsOutcome.detail, flagsOutcome.attempts]).toEqual([false, 'no key: x', 0]);
    expect([noKey.ok, noKey.detail]).toEqual([false, 'cannot read secret arn:1']);
  });

  describe('the command', () => {
    const dir = tempDir('monoenv-smoke-');
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** `terraform output -json` as terraform prints it. */
    function terraformOutputs(serviceUrl: string) {
      const output = (value: string) => ({ sensitive: false, type: 'string', value });
      return {
        service_url: output(serviceUrl),
        flags_url: output(`${flags.url}/`),
        events_url: output(events.url),
        flags_api_keys_secret: output('arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-flag-api-keys-AbCdEf'),
        events_write_key_secret: output('arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-ingest-write-keys-AbCdEf'),
      };
    }
    const secrets: Record<string, Record<string, string[]>> = {
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-flag-api-keys-AbCdEf': { server: [FLAGS_KEY], client: ['client-key'] },
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-ingest-write-keys-AbCdEf': { write: [WRITE_KEY] },
    };
    const readSecret = async (arn: string) => {
      if (!secrets[arn]) throw new Error(`ResourceNotFoundException: ${arn}`);
      return secrets[arn];
    };

    it('reads the outputs file and the keys from the secrets it names; exit 0 and an ok line per check', async () => {
      const svc = await service([200]);
      const file = join(dir, 'outputs.json');
      writeFileSync(file, JSON.stringify(terraformOutputs(svc.url)));
      const lines: string[] = [];
      const code = await smoke(['--outputs', file, '--health-path', '/healthz'], {
        cwd: dir,
        env: {},
        readSecret,
        sleep: noWait,
        log: (line) => lines.push(line),
      });
      expect(code).toBe(0);
      expect(lines.filter((line) => /^ {2}ok {2}/.test(line))).toHaveLength(3);
      expect(lines.at(-1)).toContain('Production is healthy.');
    });

    it('runs terraform output in the stack dir by default; an unhealthy service prints FAIL and exits 1', async () => {
      const svc = await service([500]);
      const stackDirs: string[] = [];
      const lines: string[] = [];
      const code = await smoke(['--health-path', '/healthz', '--attempts', '2', '--retry-delay', '0'], {
        cwd: dir,
        env: {},
        readSecret,
        sleep: noWait,
        terraformOutputs: async (stackDir) => {
          stackDirs.push(stackDir);
          return terraformOutputs(svc.url);
        },
        log: (line) => lines.push(line),
      });
      expect(code).toBe(1);
      expect(stackDirs).toEqual([join(dir, 'cdktf.out', 'stacks', 'production')]);
      expect(lines.find((line) => line.includes('service health'))).toMatch(/FAIL {2}service health +500 from/);
      expect(lines.at(-1)).toContain('1 of 3 smoke check(s) failed');
    });

    it('takes URLs and keys from options without terraform, and --json for machines', async () => {
      const svc = await service([200]);
      const lines: string[] = [];
      const code = await smoke(
        [
          '--service-url',
          svc.url,
          '--flags-url',
          flags.url,
          '--events-url',
          events.url,
          '--flags-key',
          FLAGS_KEY,
          '--health-path',
          '/healthz',
          '--json',
        ],
        {
          cwd: dir,
          env: { MONOENV_SMOKE_WRITE_KEY: WRITE_KEY },
          terraformOutputs: async () => {
            throw new Error('terraform must not run');
          },
          readSecret: async () => {
            throw new Error('no secret should be read');
          },
          log: (line) => lines.push(line),
        },
      );
      expect(code).toBe(0);
      const report = JSON.parse(lines.join('\n')) as { ok: boolean; checks: { ok: boolean }[] };
      expect(report.ok).toBe(true);
      expect(report.checks).toHaveLength(3);
    });

    it('says which secret it could not read, in the failing check', async () => {
      const svc = await service([200]);
      const outputs = {
        ...terraformOutputs(svc.url),
        events_write_key_secret: { value: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gone' },
      };
      const lines: string[] = [];
      const code = await smoke(['--health-path', '/healthz'], {
        cwd: dir,
        env: {},
        readSecret,
        sleep: noWait,
        terraformOutputs: async () => outputs,
        log: (line) => lines.push(line),
      });
      expect(code).toBe(1);
      expect(lines.find((line) => line.includes('event ingestion'))).toContain(
        'cannot read secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:gone: ResourceNotFoundException',
      );
    });
  });
});
