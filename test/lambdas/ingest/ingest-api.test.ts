import { staticApiKeys } from '../../../lambdas/shared/api-keys';
import type { EventRecord } from '../../../domain/events/event-record';
import type { HttpRequest } from '../../../lambdas/shared/http';
import type { EventWriter } from '../../../lambdas/ingest/event-writer';
import { createIngestHandler, type IngestHandlerOptions } from '../../../lambdas/ingest/ingest-api';
import type { IngestCounts } from '../../../lambdas/ingest/metrics';
import type { EntryOutcome } from '../../../lambdas/ingest/put-in-order';

const NOW = Date.parse('2024-05-01T12:00:00.000Z');

/** Stores everything except the messageIds listed in `refuse`. */
function recordingWriter(refuse: readonly string[] = []): EventWriter & { written: EventRecord[] } {
  const written: EventRecord[] = [];
  return {
    written,
    write: async (records) =>
      records.map(({ record }): EntryOutcome => {
        if (refuse.includes(record.messageId))
          return { stored: false, errorCode: 'ProvisionedThroughputExceededException', reason: 'rate exceeded' };
        written.push(record);
        return { stored: true };
      }),
  };
}

const post = (body: unknown, headers: Record<string, string> = {}): HttpRequest => ({
  method: 'POST',
  path: '/v1/events',
  headers: { 'content-type': 'application/json', ...headers },
  query: {},
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const event = (messageId: string, overrides: Record<string, unknown> = {}) => ({
  messageId,
  event: 'clicked',
  userId: 'u-1',
  ...overrides,
});

function setup(options: Partial<IngestHandlerOptions> = {}, refuse: readonly string[] = []) {
  const writer = recordingWriter(refuse);
  const counts: IngestCounts[] = [];
  const handler = createIngestHandler({ writer, apiKeys: 'none', now: () => NOW, metrics: (c) => counts.push(c), ...options });
  const call = async (request: HttpRequest) => {
    const response = await handler(request);
    return { ...response, json: response.body ? JSON.parse(response.body) : undefined };
  };
  return { writer, counts, call };
}

describe('POST /v1/events: status and body', () => {
  // Events the stream did not store are logged; keep the test output quiet.
  beforeEach(() => jest.spyOn(console, 'error').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('200 with every event accepted', async () => {
    const { call, writer, counts } = setup();
    const response = await call(post({ batch: [event('a'), event('b')] }));
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ accepted: 2, duplicates: [], rejected: [], failed: [] });
    expect(writer.written.map((r) => r.messageId)).toEqual(['a', 'b']);
    expect(counts).toEqual([{ accepted: 2, rejected: 0, failed: 0, duplicates: 0 }]);
  });

  it('200 with the good events stored and the bad ones rejected, nothing written for the bad', async () => {
    const { call, writer } = setup();
    const response = await call(post({ batch: [event('a'), event('bad', { userId: 7 }), event('a')] }));
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      accepted: 1,
      duplicates: [{ index: 2, messageId: 'a' }],
      rejected: [{ index: 1, messageId: 'bad', errorCode: 'INVALID_EVENT', reason: expect.stringMatching(/^userId: /) }],
      failed: [],
    });
    expect(writer.written.map((r) => r.messageId)).toEqual(['a']);
  });

  it('400 with per-event reasons when every event is invalid, and the writer is not called', async () => {
    const { call, writer, counts } = setup();
    const response = await call(post({ batch: [event('x', { event: 5 }), { event: 'y', userId: 'u' }] }));
    expect(response.status).toBe(400);
    expect(response.json.accepted).toBe(0);
    expect(response.json.rejected.map((r: { index: number; errorCode: string }) => [r.index, r.errorCode])).toEqual([
      [0, 'INVALID_EVENT'],
      [1, 'INVALID_EVENT'],
    ]);
    expect(writer.written).toEqual([]);
    expect(counts).toEqual([{ accepted: 0, rejected: 2, failed: 0, duplicates: 0 }]);
  });

  it('503 with Retry-After as soon as one valid event was not stored, listing it as failed (clients resend on 5xx only)', async () => {
    const { call } = setup({}, ['b']);
    const response = await call(post({ batch: [event('a'), event('b')] }));
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json.accepted).toBe(1);
    expect(response.json.failed).toEqual([
      { index: 1, messageId: 'b', errorCode: 'ProvisionedThroughputExceededException', reason: 'rate exceeded' },
    ]);
  });

  it('503 with Retry-After when nothing at all was stored', async () => {
    const { call, counts } = setup({}, ['a', 'b']);
    const response = await call(post({ batch: [event('a'), event('b'), event('c', { userId: null })] }));
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json).toMatchObject({ accepted: 0, rejected: [{ index: 2 }], failed: [{ messageId: 'a' }, { messageId: 'b' }] });
    expect(counts).toEqual([{ accepted: 0, rejected: 1, failed: 2, duplicates: 0 }]);
  });

  it('stores the 499 valid events of a batch whose 500th nests 5,000 levels deep, rejecting only that one', async () => {
    const { call, writer, counts } = setup();
    const deep = `{"messageId":"deep","event":"clicked","userId":"u-1","properties":${'{"p":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const valid = Array.from({ length: 499 }, (_, i) => JSON.stringify(event(`m-${i}`)));
    const response = await call(post(`{"batch":[${[...valid, deep].join(',')}]}`));
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      accepted: 499,
      failed: [],
      rejected: [{ index: 499, messageId: 'deep', errorCode: 'TOO_DEEP' }],
    });
    expect(writer.written).toHaveLength(499);
    expect(counts).toEqual([{ accepted: 499, rejected: 1, failed: 0, duplicates: 0 }]);
  });

  it('answers 400 TOO_DEEP for a deeply nested body that is not a batch', async () => {
    const { call, writer } = setup();
    const response = await call(post(`${'['.repeat(5000)}${']'.repeat(5000)}`));
    expect([response.status, response.json.errorCode]).toEqual([400, 'TOO_DEEP']);
    expect(writer.written).toEqual([]);
  });

  it('200 for an empty batch', async () => {
    const { call } = setup();
    expect((await call(post({ batch: [] }))).status).toBe(200);
  });
});

describe('POST /v1/events: the request as a whole', () => {
  it.each([
    ['malformed JSON', post('{"batch": ['), 400, 'PARSE_ERROR'],
    ['an empty body', post(''), 400, 'PARSE_ERROR'],
    ['a wrong content type', post('a=1', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'PARSE_ERROR'],
    ['a body over 500 KB', post({ batch: [event('a', { properties: { blob: 'x'.repeat(500 * 1024) } })] }), 413, 'PARSE_ERROR'],
    ['more than 500 events', post({ batch: Array.from({ length: 501 }, (_, i) => event(`m${i}`)) }), 413, 'TOO_MANY_EVENTS'],
    ['batch not an array', post({ batch: 'nope' }), 400, 'INVALID_BATCH'],
    ['a GET', { ...post(''), method: 'GET' }, 405, 'METHOD_NOT_ALLOWED'],
    ['another path', { ...post({}), path: '/v1/other' }, 404, 'NOT_FOUND'],
  ])('%s is refused whole, nothing written', async (_name, request, status, errorCode) => {
    const { call, writer } = setup();
    const response = await call(request);
    expect(response.status).toBe(status);
    expect(response.json.errorCode).toBe(errorCode);
    expect(typeof response.json.errorDetails).toBe('string');
    expect(writer.written).toEqual([]);
  });
});

describe('POST /v1/events: write keys', () => {
  const apiKeys = staticApiKeys({ write: ['w-secret'], client: ['c-key'] });

  it('401 without a key, 403 with a key that is not a write key', async () => {
    const { call, writer } = setup({ apiKeys });
    const missing = await call(post({ batch: [event('a')] }));
    expect([missing.status, missing.json.errorCode, missing.headers['www-authenticate']]).toEqual([401, 'UNAUTHORIZED', 'Bearer']);
    const wrong = await call(post({ batch: [event('a')] }, { 'x-api-key': 'c-key' }));
    expect([wrong.status, wrong.json.errorCode]).toEqual([403, 'FORBIDDEN']);
    expect(writer.written).toEqual([]);
  });

  it('accepts a write key as Bearer or X-API-Key', async () => {
    const { call } = setup({ apiKeys });
    expect((await call(post({ batch: [event('a')] }, { authorization: 'Bearer w-secret' }))).status).toBe(200);
    expect((await call(post({ batch: [event('b')] }, { 'x-api-key': 'w-secret' }))).status).toBe(200);
  });

  it("needs an explicit key source; serves keyless only with 'none'", () => {
    expect(() => createIngestHandler({ writer: recordingWriter() } as unknown as IngestHandlerOptions)).toThrow(
      /apiKeys is required.*'none'/,
    );
  });

  it('503 when the key source cannot be read', async () => {
    const { call } = setup({
      apiKeys: {
        get: async () => {
          throw new Error('secrets manager down');
        },
      },
    });
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = await call(post({ batch: [event('a')] }, { 'x-api-key': 'w-secret' }));
    expect([response.status, response.json.errorCode]).toEqual([503, 'KEYS_UNAVAILABLE']);
  });
});

describe('POST /v1/events: CORS', () => {
  it('refuses a preflight without an Origin, or from another origin, with 403 and a code', async () => {
    const { call } = setup({ cors: { allowOrigins: ['https://app.example'] } });
    for (const headers of [{}, { origin: 'https://evil.example' }] as Record<string, string>[]) {
      const refused = await call({ ...post(''), method: 'OPTIONS', headers });
      expect([refused.status, refused.json?.errorCode, refused.headers['access-control-allow-origin']]).toEqual([
        403,
        'CORS_ORIGIN_NOT_ALLOWED',
        undefined,
      ]);
    }
  });

  it('answers a preflight from an allowed origin and adds the header to the answer', async () => {
    const { call } = setup({ cors: { allowOrigins: ['https://app.example'] } });
    const preflight = await call({ ...post(''), method: 'OPTIONS', headers: { origin: 'https://app.example' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    const response = await call(post({ batch: [event('a')] }, { origin: 'https://app.example' }));
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example');
    const other = await call(post({ batch: [event('b')] }, { origin: 'https://evil.example' }));
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
