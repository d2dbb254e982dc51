import { httpApiEvent, httpApiResponse, matchRoute, serveFrontDoor, stageThrottle } from '../../../cli/local/front-door';
import { exchange } from '../../support/ingest-http-client';
import type { DeployedApi } from '../../../cli/local/deployed';
import { manualClock } from '../../support/clock';

const routes = [
  { routeKey: 'ANY /ofrep/v1/evaluate/flags', functionName: 'flags' },
  { routeKey: 'ANY /ofrep/v1/evaluate/flags/{key}', functionName: 'flags' },
  { routeKey: 'ANY /v1/events', functionName: 'ingest' },
  { routeKey: 'POST /v1/events', functionName: 'ingest-post' },
];
const api: DeployedApi = { id: 'abc123', name: 'shop-api', routes, throttle: { rateLimit: 2, burstLimit: 3 } };

describe('the local HTTP API: route matching as API Gateway does it', () => {
  it('matches literal paths, path parameters, and prefers a method route to ANY', () => {
    expect(matchRoute(routes, 'POST', '/ofrep/v1/evaluate/flags')?.route.routeKey).toBe('ANY /ofrep/v1/evaluate/flags');
    expect(matchRoute(routes, 'POST', '/ofrep/v1/evaluate/flags/new%20checkout')).toEqual({
      route: routes[1],
      pathParameters: { key: 'new checkout' },
    });
    expect(matchRoute(routes, 'POST', '/v1/events')?.route.functionName).toBe('ingest-post');
    expect(matchRoute(routes, 'GET', '/v1/events')?.route.functionName).toBe('ingest');
  });

  it('matches nothing outside the routes', () => {
    expect(matchRoute(routes, 'POST', '/ofrep/v1/evaluate/flags/a/b')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/health/x')).toBeUndefined();
    expect(matchRoute(routes, 'POST', '/v1/events/')).toBeUndefined();
  });

  it('throttles like the stage: a burst, then the steady rate', () => {
    const clock = manualClock(0);
    const allowed = stageThrottle(api.throttle, clock.now);
    expect([allowed(), allowed(), allowed(), allowed()]).toEqual([true, true, true, false]);
    clock.advance(500); // 2 per second: one more token
    expect([allowed(), allowed()]).toEqual([true, false]);
    expect(stageThrottle(undefined)()).toBe(true);
  });

  it('builds the payload format 2.0 event and reads the function result back', () => {
    const event = httpApiEvent(
      api,
      matchRoute(routes, 'POST', '/ofrep/v1/evaluate/flags/x')!,
      {
        method: 'POST',
        rawPath: '/ofrep/v1/evaluate/flags/x',
        rawQueryString: 'a=1&a=2',
        headers: { 'content-type': 'application/json', host: 'h' },
        body: '{}',
        sourceIp: '10.0.0.1',
      },
      '123456789012',
      Date.parse('2026-11-25T10:00:00Z'),
    );
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'ANY /ofrep/v1/evaluate/flags/{key}',
      rawPath: '/ofrep/v1/evaluate/flags/x',
      queryStringParameters: { a: '1,2' },
      pathParameters: { key: 'x' },
      body: '{}',
      isBase64Encoded: false,
      requestContext: {
        apiId: 'abc123',
        stage: '$default',
        http: { method: 'POST', sourceIp: '10.0.0.1' },
        timeEpoch: Date.parse('2026-11-25T10:00:00Z'),
      },
    });
    expect(httpApiResponse({ statusCode: 201, headers: { a: 'b' }, body: 'aGk=', isBase64Encoded: true })).toEqual({
      status: 201,
      headers: { a: 'b' },
      body: Buffer.from('hi'),
    });
    expect(httpApiResponse({ ok: true })).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{"ok":true}'),
    });
  });
});

describe('the local HTTP API over real HTTP', () => {
  it("answers as API Gateway: the function's response, 404 off the routes, 429 over the throttle, 500 when the function fails", async () => {
    const errors: string[] = [];
    const door = await serveFrontDoor({
      api: { ...api, throttle: { rateLimit: 1, burstLimit: 3 } },
      accountId: '123456789012',
      port: 0,
      now: () => 0,
      invoke: async (name, event) => {
        if ((event as { rawPath: string }).rawPath === '/ofrep/v1/evaluate/flags/boom') throw new Error('handler crashed');
        return {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name, path: (event as { rawPath: string }).rawPath }),
        };
      },
      onError: (name, error) => errors.push(`${name}: ${error.message}`),
    });
    try {
      const ok = await fetch(`${door.url}/ofrep/v1/evaluate/flags/x`, { method: 'POST', body: '{}' });
      expect({ status: ok.status, body: await ok.json() }).toEqual({
        status: 200,
        body: { name: 'flags', path: '/ofrep/v1/evaluate/flags/x' },
      });
      const missing = await fetch(`${door.url}/nope`);
      expect({ status: missing.status, body: await missing.json() }).toEqual({ status: 404, body: { message: 'Not Found' } });
      const failed = await fetch(`${door.url}/ofrep/v1/evaluate/flags/boom`, { method: 'POST' });
      expect({ status: failed.status, body: await failed.json() }).toEqual({ status: 500, body: { message: 'Internal Server Error' } });
      expect(errors).toEqual(['flags: handler crashed']);
      // Matched requests take a token (the clock stands still): two so far, one left in the burst of 3.
      expect((await fetch(`${door.url}/v1/events`, { method: 'POST' })).status).toBe(200);
      const throttled = await fetch(`${door.url}/v1/events`, { method: 'POST' });
      expect({ status: throttled.status, body: await throttled.json() }).toEqual({ status: 429, body: { message: 'Too Many Requests' } });
    } finally {
      await door.close();
    }
  });
});

describe('the local HTTP API: hostile clients are bounded and quiet', () => {
  const LIMITS = { headersTimeoutMs: 200, bodyTimeoutMs: 200 };
  const BOUND_MS = 2_000;
  const logs: string[] = [];
  const errors: string[] = [];
  const invoked: string[] = [];
  let door: Awaited<ReturnType<typeof serveFrontDoor>>;

  beforeEach(async () => {
    logs.length = 0;
    errors.length = 0;
    invoked.length = 0;
    door = await serveFrontDoor({
      api: { ...api, throttle: undefined },
      accountId: '123456789012',
      port: 0,
      now: () => 0,
      ...LIMITS,
      invoke: async (name, event) => {
        invoked.push((event as { rawPath: string }).rawPath);
        return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) };
      },
      onError: (name, error) => errors.push(`${name}: ${error.message}`),
      log: (line) => logs.push(line),
    });
  });
  afterEach(() => door.close());

  it('answers a body that stalls part-way with 408 within the body timeout and closes the connection; the function never runs', async () => {
    const answer = await exchange(door.url, { path: '/v1/events', body: 'x'.repeat(100), stallAfterBytes: 10 }, 5_000);
    expect([answer.status, answer.json, answer.headers.connection]).toEqual([408, { message: 'Request Timeout' }, 'close']);
    expect(answer.elapsedMs).toBeLessThan(BOUND_MS);
    expect(invoked).toEqual([]);
  });

  it('answers headers that stall with 408 within the headers timeout', async () => {
    const answer = await exchange(door.url, { path: '/', raw: 'POST /v1/events HTTP/1.1\r\nhost: x\r\n' }, 5_000);
    expect(answer.status).toBe(408);
    expect(answer.elapsedMs).toBeLessThan(BOUND_MS);
  });

  it('takes a client that aborts mid-body as one quiet line, not a function error', async () => {
    const aborted = await exchange(door.url, { path: '/v1/events', body: 'x'.repeat(100), stallAfterBytes: 10, abortAfterMs: 50 });
    expect(aborted.ended).toBe('aborted by the client');
    const start = Date.now();
    while (logs.length === 0 && Date.now() - start < 2_000) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(logs).toEqual(['front door: client closed the connection before its request was complete (POST /v1/events)']);
    expect([errors, invoked]).toEqual([[], []]);
  });

  it.each([
    ['a malformed escape in a path parameter', { method: 'POST', path: '/ofrep/v1/evaluate/flags/%E0%A4%A' }, 400],
    ['a request target that is not a URL', { method: 'GET', path: 'http://[' }, 400],
    ['headers over the size limit', { method: 'POST', path: '/v1/events', headers: { 'x-big': 'a'.repeat(20_000) } }, 431],
    ['malformed HTTP', { path: '/', raw: 'GET / HTTP/1.1\r\nhost: x\r\nbad\u0000name: 1\r\n\r\n' }, 400],
  ])('answers %s with a 4xx and a message, never a 500', async (_name, request, status) => {
    const answer = await exchange(door.url, request);
    expect(answer.status).toBe(status);
    expect(typeof answer.json?.message).toBe('string');
    expect([errors, invoked]).toEqual([[], []]);
  });

  it('answers a body declared over 10 MB with 413 at once, before reading it (not 408 once it stalls)', async () => {
    const declared = Buffer.alloc(10 * 1024 * 1024 + 1, 'x');
    const answer = await exchange(door.url, { path: '/v1/events', body: declared, stallAfterBytes: 10 }, 5_000);
    expect([answer.status, answer.json]).toEqual([413, { message: 'Request Entity Too Large' }]);
    expect(answer.elapsedMs).toBeLessThan(LIMITS.bodyTimeoutMs);
    expect(invoked).toEqual([]);
  });

  it('answers a body over 10 MB with 413; the function never runs', async () => {
    const answer = await exchange(door.url, { path: '/v1/events', body: Buffer.alloc(10 * 1024 * 1024 + 1, 'x') });
    expect([answer.status, answer.json]).toEqual([413, { message: 'Request Entity Too Large' }]);
    expect(invoked).toEqual([]);
  });
});
