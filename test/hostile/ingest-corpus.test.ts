import { serveFrontDoor, type RunningFrontDoor } from '../../cli/local/front-door';
import { staticApiKeys } from '../../lambdas/shared/api-keys';
import type { FunctionUrlEvent } from '../../lambdas/shared/function-url';
import { serveHttp, type RunningServer } from '../../lambdas/shared/node-http';
import type { EventWriter } from '../../lambdas/ingest/event-writer';
import { createIngestLambda } from '../../lambdas/ingest/handler';
import { createIngestHandler } from '../../lambdas/ingest/ingest-api';
import { INGEST_ROUTES } from '../../lambdas/ingest/contract';
import { ALLOWED_ORIGIN, CLIENT_KEY, CORPUS_NOW, CORPUS_TIME_LIMITS, good, INGEST_CORPUS, SERVER_KEY, WRITE_KEY } from './ingest-corpus';
import { exchange } from '../support/ingest-http-client';
import { runCorpus, type CorpusTarget, type StoredRecord } from '../support/ingest-runner';

/**
 * The hostile corpus over real HTTP against the real ingestion handler, twice: served by node-http.ts (as
 * `monoenv flags serve` and the tests serve handlers), and behind the local front door (as `npm start` serves
 * the deployed HTTP API) invoking the real Lambda entry point in-process. The stream is a fake that keeps the
 * bytes it was given, so each case can say exactly which events were stored.
 */
function recordingWriter(): EventWriter & { readonly records: StoredRecord[] } {
  const records: StoredRecord[] = [];
  return {
    records,
    write: async (encoded) =>
      encoded.map(({ data }) => {
        const record = JSON.parse(Buffer.from(data).toString('utf8')) as { messageId: string };
        records.push({ label: record.messageId, record });
        return { stored: true } as const;
      }),
  };
}

interface Harness extends CorpusTarget {
  /** Notes that are not errors (a client that left). */
  readonly logs: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

function harness(
  name: string,
  serve: (writer: EventWriter, errors: string[], logs: string[]) => Promise<{ url: string; close(): Promise<void> }>,
): Harness {
  const writer = recordingWriter();
  const errors: string[] = [];
  const logs: string[] = [];
  let running: { url: string; close(): Promise<void> } | undefined;
  return {
    name,
    logs,
    url: () => running!.url,
    stored: () => writer.records,
    errors: () => errors,
    reset: () => {
      writer.records.length = 0;
      errors.length = 0;
      logs.length = 0;
    },
    start: async () => {
      running = await serve(writer, errors, logs);
    },
    stop: async () => running?.close(),
  };
}

const describeError = (message: string, error?: unknown) =>
  `${message}${error === undefined ? '' : `: ${(error as Error)?.stack ?? String(error)}`}`;

const viaNodeHttp = harness('node-http', async (writer, errors, logs): Promise<RunningServer> =>
  serveHttp(
    createIngestHandler({
      writer,
      apiKeys: staticApiKeys({ write: [WRITE_KEY], client: [CLIENT_KEY], server: [SERVER_KEY] }),
      cors: { allowOrigins: [ALLOWED_ORIGIN] },
      now: () => CORPUS_NOW,
      logError: (message, error) => errors.push(describeError(message, error)),
    }),
    { ...CORPUS_TIME_LIMITS, log: (line) => logs.push(line), logError: (message, error) => errors.push(describeError(message, error)) },
  ),
);

const viaFrontDoor = harness('front door', async (writer, errors, logs): Promise<RunningFrontDoor> => {
  const lambda = createIngestLambda(
    {
      EVENT_STREAM_NAME: 'monoenv-events',
      API_KEYS_JSON: JSON.stringify({ write: [WRITE_KEY], client: [CLIENT_KEY], server: [SERVER_KEY] }),
      CORS_ALLOW_ORIGINS: ALLOWED_ORIGIN,
    },
    { now: () => CORPUS_NOW, writeLine: () => undefined, logError: (message, error) => errors.push(describeError(message, error)) },
    { writer },
  );
  return serveFrontDoor({
    api: { id: 'corpus', name: 'monoenv-api', routes: INGEST_ROUTES.map((routeKey) => ({ routeKey, functionName: 'monoenv-ingest' })) },
    accountId: '123456789012',
    port: 0,
    now: () => CORPUS_NOW,
    ...CORPUS_TIME_LIMITS,
    // The Lambda as the local runtime runs it: the payload 2.0 event and a context with the function's 10 s.
    invoke: async (_name, event) => {
      const started = Date.now();
      return lambda(event as FunctionUrlEvent, { getRemainingTimeInMillis: () => 10_000 - (Date.now() - started) });
    },
    onError: (functionName, error) => errors.push(`${functionName} failed: ${error.stack}`),
    log: (line) => logs.push(line),
  });
});

const targets = [viaNodeHttp, viaFrontDoor];
beforeAll(() => Promise.all(targets.map((t) => t.start())));
afterAll(() => Promise.all(targets.map((t) => t.stop())));

describe(`the ingestion API under a hostile corpus (${INGEST_CORPUS.length} cases)`, () => {
  runCorpus(INGEST_CORPUS, targets);
});

describe.each(targets.map((t) => [t.name, t] as const))('via %s, beyond single answers', (_name, target) => {
  beforeEach(() => target.reset());

  it('takes a client that leaves mid-body as at most one quiet line, no error, and serves the next request', async () => {
    const request = {
      path: '/v1/events',
      headers: { 'content-type': 'application/json', 'x-api-key': WRITE_KEY },
      body: JSON.stringify({ batch: [good('m-1')] }),
    };
    const left = await exchange(target.url(), { ...request, stallAfterBytes: 20, abortAfterMs: 50 });
    expect(left.ended).toBe('aborted by the client');
    const start = Date.now();
    while (target.logs.length === 0 && Date.now() - start < 2_000) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(target.logs).toHaveLength(1);
    expect(target.logs[0]).not.toMatch(/\n|\bat /);
    expect(target.errors()).toEqual([]);
    const next = await exchange(target.url(), request);
    expect([next.status, target.stored().map((r) => r.label)]).toEqual([200, ['m-1']]);
  });

  it('stores a resent batch again (at least once: the journey processor drops repeated messageIds)', async () => {
    const request = {
      path: '/v1/events',
      headers: { 'content-type': 'application/json', 'x-api-key': WRITE_KEY },
      body: JSON.stringify({ batch: [good('m-1')] }),
    };
    expect((await exchange(target.url(), request)).status).toBe(200);
    expect((await exchange(target.url(), request)).status).toBe(200);
    expect(target.stored().map((r) => r.label)).toEqual(['m-1', 'm-1']);
  });
});

it('leaves Object.prototype as it was after every __proto__ and constructor.prototype in the corpus', () => {
  const probe = {} as Record<string, unknown>;
  expect([probe.isAdmin, probe.polluted, probe.x, probe.batch, probe.userId]).toEqual([
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
});
