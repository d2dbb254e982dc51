import { createServer, type Server, type Socket } from 'node:net';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ApiKeySource } from '../../../lambdas/shared/api-keys';
import type { HttpRequest, RequestContext } from '../../../lambdas/shared/http';
import { deadlineSignal } from '../../../lambdas/shared/deadline';
import { createIngestLambda } from '../../../lambdas/ingest/handler';
import { createIngestHandler } from '../../../lambdas/ingest/ingest-api';
import { streamEventWriter } from '../../../lambdas/ingest/event-writer';
import { kinesisEventWriter } from '../../../lambdas/ingest/kinesis-writer';
import { validateBatch } from '../../../lambdas/ingest/validate-batch';
import type { SendEntries } from '../../../lambdas/ingest/put-in-order';
import { fakeStream } from '../../support/fake-stream';

/**
 * Faults between the API and the stream: throttling is retried until stored, and a stream too slow to answer
 * ends in a 503 for the events not stored, before the function's time is up (a Lambda timeout would be a bare
 * 5xx from API Gateway, with the events in doubt). Timers are real but short: the budget is what is under test.
 */
const NOW = Date.parse('2024-05-01T12:00:00.000Z');
const post = (batch: unknown[], headers: Record<string, string> = {}): HttpRequest => ({
  method: 'POST',
  path: '/v1/events',
  headers: { 'content-type': 'application/json', ...headers },
  query: {},
  body: JSON.stringify({ batch }),
});
const event = (messageId: string, userId = 'u-1') => ({ messageId, event: 'clicked', userId });
const labels = (stored: readonly string[]) => stored.map((data) => JSON.parse(data).messageId as string);

/** A send that never answers on its own; it rejects when its signal aborts, as the SDK does. */
const hanging: SendEntries = (_entries, signal) =>
  new Promise((_resolve, reject) =>
    signal?.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }))),
  );

/** The Lambda context of an invocation with `ms` left, counted on the real clock (as Lambda counts it). */
function remaining(ms: number): RequestContext & { getRemainingTimeInMillis(): number } {
  const start = Date.now();
  const left = () => ms - (Date.now() - start);
  return { remainingTimeMs: left, getRemainingTimeInMillis: left };
}

function setup(send: SendEntries, options: { apiKeys?: ApiKeySource; maxRecordsPerCall?: number } = {}) {
  const logged: string[] = [];
  const writer = streamEventWriter({
    send,
    policy: { baseDelayMs: 1, maxDelayMs: 5 },
    limits: { maxRecords: options.maxRecordsPerCall ?? 500 },
  });
  const handler = createIngestHandler({
    writer,
    now: () => NOW,
    logError: (message) => logged.push(message),
    apiKeys: options.apiKeys ?? 'none',
  });
  const call = async (request: HttpRequest, context?: RequestContext) => {
    const started = Date.now();
    const response = await handler(request, context);
    return { ...response, json: JSON.parse(response.body), elapsedMs: Date.now() - started };
  };
  return { call, logged };
}

describe('ingestion under stream faults', () => {
  it('retries a throttled stream and stores every event, answering 200 with nothing failed', async () => {
    // The first three calls refuse every other record (a hot shard); the fourth takes everything.
    const stream = fakeStream((label, call) => call < 3 && JSON.parse(label).messageId.endsWith('1'));
    const { call } = setup(stream.send);
    const batch = Array.from({ length: 12 }, (_, i) => event(`m-${i}`, `u-${i % 3}`));
    const response = await call(post(batch), remaining(5_000));
    expect([response.status, response.json.accepted, response.json.failed]).toEqual([200, 12, []]);
    expect(new Set(labels(stream.stored))).toEqual(new Set(batch.map((e) => e.messageId)));
    expect(stream.calls.length).toBeGreaterThan(1);
  });

  it('answers 503 with Retry-After, every event failed and none claimed, before the function runs out of time', async () => {
    const { call, logged } = setup(hanging);
    const response = await call(post([event('a'), event('b')]), remaining(1_300));
    expect([response.status, response.headers['retry-after']]).toEqual([503, '5']);
    expect(response.json).toMatchObject({
      accepted: 0,
      failed: [
        { index: 0, messageId: 'a', errorCode: 'OUT_OF_TIME' },
        { index: 1, messageId: 'b', errorCode: 'OUT_OF_TIME' },
      ],
    });
    // Budget = 1,300 ms left - the 1,000 ms margin: answered after ~300 ms, well before the 1,300.
    expect(response.elapsedMs).toBeGreaterThanOrEqual(250);
    expect(response.elapsedMs).toBeLessThan(1_000);
    expect(logged).toEqual([expect.stringMatching(/^ingest: 2 of 2 events not stored: OUT_OF_TIME/)]);
  });

  it('reports what was stored as accepted and the rest as failed when time runs out part-way', async () => {
    const stream = fakeStream();
    let calls = 0;
    const send: SendEntries = (entries, signal) => (calls++ === 0 ? stream.send(entries) : hanging(entries, signal));
    // Two records a call: the first call is stored, the second never answers.
    const { call } = setup(send, { maxRecordsPerCall: 2 });
    const response = await call(post([event('a'), event('b'), event('c')]), remaining(1_200));
    expect(response.status).toBe(503);
    expect(response.json).toMatchObject({ accepted: 2, failed: [{ index: 2, messageId: 'c', errorCode: 'OUT_OF_TIME' }] });
    expect(labels(stream.stored)).toEqual(['a', 'b']);
  });

  it('answers at once when the function has no time left, sending nothing', async () => {
    const stream = fakeStream();
    const { call } = setup(stream.send);
    const response = await call(post([event('a')]), remaining(500));
    expect([response.status, response.json.failed[0].errorCode]).toEqual([503, 'NOT_SENT']);
    expect(stream.calls).toEqual([]);
  });

  it('answers 503 KEYS_UNAVAILABLE when the key source does not answer in time', async () => {
    const { call } = setup(fakeStream().send, { apiKeys: { get: () => new Promise(() => undefined) } });
    const response = await call(post([event('a')], { 'x-api-key': 'k' }), remaining(1_200));
    expect([response.status, response.json.errorCode, response.headers['retry-after']]).toEqual([503, 'KEYS_UNAVAILABLE', '5']);
    expect(response.elapsedMs).toBeLessThan(1_000);
  });

  it('the Lambda passes its remaining time through: 503 before it would time out', async () => {
    let sent = 0;
    const send: SendEntries = (entries, signal) => {
      sent += entries.length;
      return hanging(entries, signal);
    };
    const lambda = createIngestLambda(
      { EVENT_STREAM_NAME: 'monoenv-events', API_KEYS_JSON: '{"write": ["w"]}' },
      { writeLine: () => undefined, logError: () => undefined, now: () => NOW },
      {
        writer: streamEventWriter({ send }),
      },
    );
    const context = remaining(1_300);
    const result = await lambda(
      {
        rawPath: '/v1/events',
        headers: { 'x-api-key': 'w', 'content-type': 'application/json' },
        body: JSON.stringify({ batch: [event('a')] }),
        requestContext: { http: { method: 'POST' } },
      },
      context,
    );
    expect([result.statusCode, JSON.parse(result.body).failed[0].errorCode, sent]).toEqual([503, 'OUT_OF_TIME', 1]);
    // Answered at the budget (~300 ms in), with the margin still left on the function's clock.
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(300);
    expect(context.getRemainingTimeInMillis()).toBeLessThan(1_100);
  });
});

describe('the Kinesis writer at its deadline (the real SDK against a stream endpoint that never answers)', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let closedByClient = 0;
  let endpoint: string;
  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.push(socket);
      socket.on('close', () => (closedByClient += 1));
      socket.on('error', () => undefined);
      socket.resume(); // reads the request, answers nothing
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up at the deadline, reports the events in doubt, and cancels the request', async () => {
    const client = new KinesisClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'monoenv-ingest', secretAccessKey: 'local' },
      requestHandler: new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 30_000 }),
    });
    try {
      const writer = kinesisEventWriter({ client, streamName: 'monoenv-events' });
      const { accepted } = validateBatch({ batch: [event('a'), event('b')] }, NOW);
      const deadline = deadlineSignal(300);
      const started = Date.now();
      const outcomes = await writer.write(accepted, { signal: deadline.signal });
      deadline.clear();
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(outcomes).toEqual([
        { stored: false, errorCode: 'OUT_OF_TIME', reason: expect.any(String) },
        { stored: false, errorCode: 'OUT_OF_TIME', reason: expect.any(String) },
      ]);
      // The SDK closed its connection: no request is left running after the answer.
      const start = Date.now();
      while (closedByClient === 0 && Date.now() - start < 2_000) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(closedByClient).toBeGreaterThan(0);
    } finally {
      client.destroy();
    }
  });
});
