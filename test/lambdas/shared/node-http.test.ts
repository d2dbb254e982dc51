import { serveHttp, type RunningServer, type ServeOptions } from '../../../lambdas/shared/node-http';
import type { HttpRequest } from '../../../lambdas/shared/http';
import { exchange } from '../../support/ingest-http-client';

/** Short limits, so a stalled client is cut in a fraction of a second; the bound asserted leaves room for a busy machine. */
const LIMITS = { headersTimeoutMs: 200, bodyTimeoutMs: 200 };
const BOUND_MS = 2_000;

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const start = Date.now();
  while (!condition() && Date.now() - start < timeoutMs) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('serveHttp: hostile clients are bounded and quiet', () => {
  let server: RunningServer;
  const seen: HttpRequest[] = [];
  const logs: string[] = [];
  const errors: unknown[][] = [];
  const start = (options: ServeOptions = {}) =>
    serveHttp(
      async (request) => {
        seen.push(request);
        return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bytes: request.body.length }) };
      },
      { ...LIMITS, log: (line) => logs.push(line), logError: (...args) => errors.push(args), ...options },
    );

  beforeEach(async () => {
    seen.length = 0;
    logs.length = 0;
    errors.length = 0;
    server = await start();
  });
  afterEach(() => server.close());

  it('answers a body that stalls part-way with 408 REQUEST_TIMEOUT within the body timeout, and closes the connection', async () => {
    const answer = await exchange(server.url, { path: '/x', body: 'x'.repeat(100), stallAfterBytes: 10 }, 5_000);
    expect([answer.status, answer.json?.errorCode, answer.headers.connection]).toEqual([408, 'REQUEST_TIMEOUT', 'close']);
    expect(answer.elapsedMs).toBeLessThan(BOUND_MS);
    expect(seen).toEqual([]);
  });

  it('answers headers that stall with 408 within the headers timeout', async () => {
    const answer = await exchange(server.url, { path: '/x', raw: 'POST /x HTTP/1.1\r\nhost: x\r\ncontent-le' }, 5_000);
    expect([answer.status, answer.json?.errorCode]).toEqual([408, 'REQUEST_TIMEOUT']);
    expect(answer.elapsedMs).toBeLessThan(BOUND_MS);
  });

  it('closes a connection that never sends a byte within the headers timeout', async () => {
    const answer = await exchange(server.url, { path: '/x', raw: '' }, 5_000);
    expect(answer.ended === 'closed' || answer.status === 408).toBe(true);
    expect(answer.elapsedMs).toBeLessThan(BOUND_MS);
  });

  it('takes a client that aborts mid-body as one quiet line, not an error, and keeps serving', async () => {
    const aborted = await exchange(server.url, { path: '/v1/events', body: 'x'.repeat(100), stallAfterBytes: 10, abortAfterMs: 50 });
    expect(aborted.ended).toBe('aborted by the client');
    await until(() => logs.length > 0);
    expect(logs).toEqual(['client closed the connection before its request was complete (POST /v1/events)']);
    expect(errors).toEqual([]);
    const next = await exchange(server.url, { path: '/x', body: 'abc' });
    expect([next.status, next.json]).toEqual([200, { bytes: 3 }]);
  });

  it('says nothing when a client leaves while the handler runs', async () => {
    await server.close();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    server = await serveHttp(
      async () => {
        await held;
        return { status: 200, headers: {}, body: 'late' };
      },
      { ...LIMITS, log: (line) => logs.push(line), logError: (...args) => errors.push(args) },
    );
    const aborted = await exchange(server.url, { path: '/x', body: 'abc', abortAfterMs: 50 });
    expect(aborted.ended).toBe('aborted by the client');
    release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([logs, errors]).toEqual([[], []]);
  });

  it.each([
    ['headers over the size limit', { path: '/x', headers: { 'x-big': 'a'.repeat(20_000) } }, 431, 'HEADERS_TOO_LARGE'],
    [
      'malformed HTTP (a NUL in a header name)',
      { path: '/x', raw: 'GET /x HTTP/1.1\r\nhost: x\r\nbad\u0000name: 1\r\n\r\n' },
      400,
      'BAD_REQUEST',
    ],
    ['a request target that is not a URL', { method: 'GET', path: 'http://[' }, 400, 'BAD_REQUEST'],
  ])('answers %s with a 4xx and a code, never a 500', async (_name, request, status, errorCode) => {
    const answer = await exchange(server.url, request);
    expect([answer.status, answer.json?.errorCode]).toEqual([status, errorCode]);
    expect(errors).toEqual([]);
  });

  it('reads //host/path as a path, not as a host', async () => {
    const answer = await exchange(server.url, { method: 'GET', path: '//evil.example/v1/events' });
    expect(answer.status).toBe(200);
    expect(seen.map((r) => r.path)).toEqual(['//evil.example/v1/events']);
  });

  it('answers a body over maxBodyBytes with 413 before buffering it, and closes the connection', async () => {
    await server.close();
    server = await start({ maxBodyBytes: 1000 });
    const answer = await exchange(server.url, { path: '/x', body: 'x'.repeat(5000) });
    expect([answer.status, answer.json?.errorCode, answer.headers.connection]).toEqual([413, 'PARSE_ERROR', 'close']);
    expect(seen).toEqual([]);
  });

  it('bounds a stalled client by default to seconds, not Node’s minutes', async () => {
    const defaults = await serveHttp(async () => ({ status: 200, headers: {}, body: '' }));
    try {
      expect([defaults.server.headersTimeout, defaults.server.requestTimeout]).toEqual([10_000, 21_000]);
    } finally {
      await defaults.close();
    }
  });
});
