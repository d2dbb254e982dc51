import { HttpError } from '../../../lambdas/shared/http';
import { INGEST_LIMITS } from '../../../lambdas/ingest/event-schema';
import { validateBatch } from '../../../lambdas/ingest/validate-batch';

const RECEIVED = Date.parse('2024-05-01T12:00:00.000Z');
const event = (overrides: Record<string, unknown> = {}) => ({
  messageId: 'm-1',
  type: 'track',
  event: 'checkout_started',
  userId: 'user-1',
  timestamp: '2024-05-01T11:59:00.000Z',
  ...overrides,
});
const rejectionOf = (raw: unknown) => {
  const result = validateBatch({ batch: [raw] }, RECEIVED);
  expect(result.accepted).toHaveLength(0);
  expect(result.rejected).toHaveLength(1);
  return result.rejected[0];
};
const thrown = (fn: () => unknown): HttpError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  throw new Error('expected an HttpError');
};

describe('validateBatch: the record written for a good event', () => {
  it('normalizes a Segment track call into the shared EventRecord', () => {
    const result = validateBatch(
      {
        batch: [
          event({
            userId: null,
            anonymousId: 'anon-7',
            properties: { total: 42 },
            context: {
              page: { path: '/cart' },
              featureFlags: [
                { 'feature_flag.key': 'new-checkout', 'feature_flag.result.variant': 'treatment', 'feature_flag.provider.name': 'monoenv' },
                { 'feature_flag.key': 'dark-mode', 'feature_flag.variant': 'on' },
              ],
            },
            integrations: { All: true },
          }),
        ],
      },
      RECEIVED,
    );
    expect(result.rejected).toEqual([]);
    expect(result.accepted).toEqual([
      {
        index: 0,
        data: expect.any(Buffer),
        record: {
          messageId: 'm-1',
          type: 'track',
          event: 'checkout_started',
          anonymousId: 'anon-7',
          userKey: 'anon-7',
          timestamp: '2024-05-01T11:59:00.000Z',
          receivedAt: '2024-05-01T12:00:00.000Z',
          properties: { total: 42 },
          featureFlags: [
            { 'feature_flag.key': 'new-checkout', 'feature_flag.result.variant': 'treatment', 'feature_flag.provider.name': 'monoenv' },
            { 'feature_flag.key': 'dark-mode', 'feature_flag.result.variant': 'on' },
          ],
          context: { page: { path: '/cart' } },
        },
      },
    ]);
  });

  it('takes a single event object as a batch of one, and prefers userId as the user key', () => {
    const result = validateBatch(event({ anonymousId: 'anon-1' }), RECEIVED);
    expect(result.accepted.map((a) => a.record.userKey)).toEqual(['user-1']);
    expect(result.accepted[0].record.anonymousId).toBe('anon-1');
  });

  it('keeps the first of repeated messageIds and reports the rest as duplicates, not errors', () => {
    const result = validateBatch(
      { batch: [event({ event: 'first' }), event({ event: 'second' }), event({ messageId: 'm-2' }), event({ event: 'third' })] },
      RECEIVED,
    );
    expect(result.accepted.map((a) => [a.index, a.record.event])).toEqual([
      [0, 'first'],
      [2, 'checkout_started'],
    ]);
    expect(result.duplicates).toEqual([
      { index: 1, messageId: 'm-1' },
      { index: 3, messageId: 'm-1' },
    ]);
    expect(result.rejected).toEqual([]);
  });

  it('does not let an invalid first copy shadow a valid second one', () => {
    const result = validateBatch({ batch: [event({ userId: 5 }), event()] }, RECEIVED);
    expect(result.accepted.map((a) => a.index)).toEqual([1]);
    expect(result.duplicates).toEqual([]);
  });
});

describe('validateBatch: bad events are rejected one by one with index, messageId and reason', () => {
  it.each([
    ['missing messageId', event({ messageId: undefined }), /messageId: is required/],
    ['missing both user ids', event({ userId: undefined }), /userId or anonymousId is required/],
    ['null user ids', event({ userId: null, anonymousId: null }), /userId or anonymousId is required/],
    ['numeric userId', event({ userId: 42 }), /userId: must be a string/],
    ['empty anonymousId', event({ userId: undefined, anonymousId: '' }), /anonymousId: must not be empty/],
    ['user id longer than a partition key', event({ userId: 'u'.repeat(257) }), /userId: must be at most 256/],
    ['missing event name', event({ event: undefined }), /event: is required/],
    ['reserved event name', event({ event: '$exposure' }), /event: .*reserved/],
    ['another type', event({ type: 'identify' }), /type: must be 'track'/],
    ['properties not an object', event({ properties: 'cheap' }), /properties: must be an object/],
    ['properties an array', event({ properties: [1] }), /properties: must be an object/],
    ['context not an object', event({ context: 3 }), /context: /],
    [
      'flag without a variant',
      event({ context: { featureFlags: [{ 'feature_flag.key': 'f' }] } }),
      /context.featureFlags.0: needs feature_flag.result.variant/,
    ],
    [
      'flag without a key',
      event({ context: { featureFlags: [{ 'feature_flag.result.variant': 'on' }] } }),
      /context.featureFlags.0.feature_flag.key/,
    ],
    [
      'timestamp without a time zone',
      event({ timestamp: '2024-05-01T11:59:00' }),
      /timestamp: must be an ISO 8601 date-time with a time zone/,
    ],
    ['timestamp not a date', event({ timestamp: 'yesterday' }), /timestamp: must be an ISO 8601/],
    ['timestamp a number', event({ timestamp: 1714564740000 }), /timestamp: /],
    ['sentAt not a date', event({ sentAt: '2024-13-45T00:00:00Z' }), /sentAt: must be an ISO 8601/],
  ])('%s', (_name, raw, reason) => {
    const rejection = rejectionOf(raw);
    expect(rejection.errorCode).toBe('INVALID_EVENT');
    expect(rejection.reason).toMatch(reason);
  });

  it('names a rejected event by index and messageId, and accepts the valid ones around it', () => {
    const result = validateBatch(
      { batch: [event({ messageId: 'ok-1' }), event({ messageId: 'bad', userId: 1 }), 'junk', event({ messageId: 'ok-2' })] },
      RECEIVED,
    );
    expect(result.accepted.map((a) => a.record.messageId)).toEqual(['ok-1', 'ok-2']);
    expect(result.rejected).toEqual([
      { index: 1, messageId: 'bad', errorCode: 'INVALID_EVENT', reason: expect.stringMatching(/^userId: /) },
      { index: 2, errorCode: 'INVALID_EVENT', reason: 'an event must be a JSON object, got string' },
    ]);
  });

  it('rejects an event over 32 KB as EVENT_TOO_LARGE', () => {
    const rejection = rejectionOf(event({ properties: { blob: 'x'.repeat(INGEST_LIMITS.maxEventBytes) } }));
    expect(rejection).toMatchObject({ index: 0, messageId: 'm-1', errorCode: 'EVENT_TOO_LARGE' });
    expect(rejection.reason).toMatch(/the limit is 32768/);
  });

  it('measures the stored record: exactly 32 KB is accepted, one byte more is not', () => {
    const withBlob = (blob: string) => validateBatch({ batch: [event({ properties: { blob } })] }, RECEIVED);
    const base = withBlob('').accepted[0].data.byteLength;
    const atLimit = withBlob('x'.repeat(INGEST_LIMITS.maxEventBytes - base));
    expect(atLimit.accepted[0].data.byteLength).toBe(INGEST_LIMITS.maxEventBytes);
    expect(withBlob('x'.repeat(INGEST_LIMITS.maxEventBytes - base + 1)).rejected[0].errorCode).toBe('EVENT_TOO_LARGE');
  });

  it('keeps the bytes it measured, for the writer to send as is', () => {
    const [accepted] = validateBatch(event(), RECEIVED).accepted;
    expect(JSON.parse(accepted.data.toString('utf8'))).toEqual(JSON.parse(JSON.stringify(accepted.record)));
  });

  it('rejects an event older than 30 days after correction', () => {
    const rejection = rejectionOf(event({ timestamp: '2024-03-01T00:00:00Z' }));
    expect(rejection.errorCode).toBe('TIMESTAMP_OUT_OF_RANGE');
  });
});

describe('validateBatch: the request as a whole', () => {
  it('refuses more than 500 events with 413 TOO_MANY_EVENTS', () => {
    const batch = Array.from({ length: 501 }, (_, i) => event({ messageId: `m-${i}` }));
    const error = thrown(() => validateBatch({ batch }, RECEIVED));
    expect([error.status, error.code]).toEqual([413, 'TOO_MANY_EVENTS']);
    expect(validateBatch({ batch: batch.slice(0, 500) }, RECEIVED).accepted).toHaveLength(500);
  });

  it.each([
    ['an array body', [event()], /JSON object/],
    ['a string body', 'hello', /JSON object/],
    ['batch not an array', { batch: { 0: event() } }, /batch: must be an array/],
    ['a bad batch sentAt', { batch: [event()], sentAt: 'now' }, /sentAt: must be an ISO 8601/],
  ])('refuses %s with 400 INVALID_BATCH', (_name, body, message) => {
    const error = thrown(() => validateBatch(body, RECEIVED));
    expect([error.status, error.code]).toEqual([400, 'INVALID_BATCH']);
    expect(error.message).toMatch(message);
  });
});

describe('validateBatch: clock skew correction', () => {
  it('shifts the timestamp by receivedAt - sentAt (a client clock one hour fast)', () => {
    const result = validateBatch(event({ timestamp: '2024-05-01T12:59:00Z', sentAt: '2024-05-01T13:00:00Z' }), RECEIVED);
    expect(result.accepted[0].record.timestamp).toBe('2024-05-01T11:59:00.000Z');
  });

  it("uses the batch's sentAt when the event has none, and the event's own when it has one", () => {
    const result = validateBatch(
      {
        sentAt: '2024-05-01T10:00:00Z',
        batch: [
          event({ messageId: 'a', timestamp: '2024-05-01T09:59:00Z' }),
          event({ messageId: 'b', timestamp: '2024-05-01T09:59:00Z', sentAt: '2024-05-01T11:00:00Z' }),
        ],
      },
      RECEIVED,
    );
    expect(result.accepted.map((a) => a.record.timestamp)).toEqual(['2024-05-01T11:59:00.000Z', '2024-05-01T10:59:00.000Z']);
  });

  it('corrects a device clock that is years off', () => {
    const result = validateBatch(event({ timestamp: '1970-01-01T00:00:00Z', sentAt: '1970-01-01T00:00:30Z' }), RECEIVED);
    expect(result.accepted[0].record.timestamp).toBe('2024-05-01T11:59:30.000Z');
  });

  it('uses receivedAt when there is no timestamp, and takes the timestamp as is without sentAt', () => {
    const result = validateBatch(
      { batch: [event({ messageId: 'a', timestamp: undefined }), event({ messageId: 'b', timestamp: '2024-05-01T11:00:00+02:00' })] },
      RECEIVED,
    );
    expect(result.accepted.map((a) => a.record.timestamp)).toEqual(['2024-05-01T12:00:00.000Z', '2024-05-01T09:00:00.000Z']);
  });
});

/** `{"p": {"p": ... 1}}`, `levels` objects deep; parsed from text as a client's body would be. */
const nested = (levels: number): unknown => JSON.parse(`${'{"p":'.repeat(levels)}1${'}'.repeat(levels)}`);

describe('validateBatch: hostile shapes are rejected one by one, never thrown', () => {
  it('rejects an event nested ~5,000 levels deep as TOO_DEEP and keeps the 499 valid events of its batch', () => {
    const batch: unknown[] = Array.from({ length: 500 }, (_, i) => event({ messageId: `m-${i}` }));
    batch[250] = event({ messageId: 'deep', properties: nested(5000) });
    const result = validateBatch({ batch }, RECEIVED);
    expect(result.accepted).toHaveLength(499);
    expect(result.rejected).toEqual([
      { index: 250, messageId: 'deep', errorCode: 'TOO_DEEP', reason: expect.stringMatching(/deeper than 32 levels/) },
    ]);
  });

  it('accepts an event exactly at the depth limit and rejects one level more', () => {
    // The event object is level 1 and `properties` (the outermost of `nested`) level 2: 31 nested objects make 32.
    expect(validateBatch(event({ properties: nested(31) }), RECEIVED).accepted).toHaveLength(1);
    expect(rejectionOf(event({ properties: nested(32) })).errorCode).toBe('TOO_DEEP');
    expect(rejectionOf(event({ context: { a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]] } })).errorCode).toBe(
      'TOO_DEEP',
    );
  });

  it('answers a single-event body nested too deep with that event rejected, and a deep body that is no batch with 400 TOO_DEEP', () => {
    const single = validateBatch(
      JSON.parse(`{"messageId":"m","event":"e","userId":"u","properties":${JSON.stringify(nested(40))}}`),
      RECEIVED,
    );
    expect(single.rejected).toEqual([{ index: 0, messageId: 'm', errorCode: 'TOO_DEEP', reason: expect.any(String) }]);
    const error = thrown(() => validateBatch(JSON.parse(`${'['.repeat(5000)}${']'.repeat(5000)}`), RECEIVED));
    expect([error.status, error.code]).toEqual([400, 'TOO_DEEP']);
  });

  it.each([
    ['__proto__ in properties', '{"properties":{"a":{"__proto__":{"isAdmin":true}}}}', 'properties.a.__proto__'],
    ['__proto__ at the top', '{"__proto__":{"userId":"someone-else"}}', '__proto__'],
    ['__proto__ in context', '{"context":{"__proto__":{"x":1}}}', 'context.__proto__'],
    ['constructor.prototype', '{"properties":{"constructor":{"prototype":{"x":1}}}}', 'properties.constructor'],
  ])('rejects %s as FORBIDDEN_KEY, naming where', (_name, extra, where) => {
    const raw = JSON.parse(`{"messageId":"m","event":"e","userId":"u",${extra.slice(1)}`);
    const rejection = rejectionOf(raw);
    expect(rejection.errorCode).toBe('FORBIDDEN_KEY');
    expect(rejection.reason.startsWith(`${where}: `)).toBe(true);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('stores constructor and prototype as ordinary keys when they are data', () => {
    const [accepted] = validateBatch(event({ properties: { constructor: 'Williams', prototype: { stage: 2 } } }), RECEIVED).accepted;
    expect(JSON.parse(accepted.data.toString('utf8')).properties).toEqual({ constructor: 'Williams', prototype: { stage: 2 } });
  });

  it.each([
    ['a lone surrogate in a property value', '{"properties":{"name":"\\ud800"}}', /properties.name: .*lone surrogate/],
    ['a lone surrogate in a property key', '{"properties":{"\\udc00":1}}', /properties: .*lone surrogate/],
    ['a lone surrogate in the userId', '{"userId":"u\\udbff"}', /userId: .*lone surrogate/],
    ['a number JSON cannot keep', '{"properties":{"total":1e999}}', /properties.total: .*finite/],
    ['a NUL in the userId', '{"userId":"u\\u0000"}', /userId: must not contain control characters/],
    ['a control character in the event name', '{"event":"a\\u001bb"}', /event: must not contain control characters/],
  ])('rejects %s as INVALID_EVENT', (_name, extra, reason) => {
    const raw = { ...event({ messageId: 'm' }), ...JSON.parse(extra) };
    const rejection = rejectionOf(raw);
    expect(rejection.errorCode).toBe('INVALID_EVENT');
    expect(rejection.reason).toMatch(reason);
  });

  it('stores well-formed unicode exactly as sent: emoji, right-to-left text, NUL inside a property value', () => {
    const properties = { emoji: '🛒👩🏽‍💻', rtl: 'مرحبا \u202eabc', nul: 'a\u0000b', surrogatePair: '\ud83d\ude00' };
    const [accepted] = validateBatch(event({ userId: 'משתמש-🙂', event: 'קנייה', properties }), RECEIVED).accepted;
    const stored = JSON.parse(accepted.data.toString('utf8'));
    expect([stored.userId, stored.event, stored.properties]).toEqual(['משתמש-🙂', 'קנייה', properties]);
  });

  it('echoes a messageId in a rejection only when it could be one (no 400 KB echo)', () => {
    const rejection = rejectionOf(event({ messageId: 'x'.repeat(400 * 1024) }));
    expect(rejection.messageId).toBeUndefined();
    expect(rejection.reason).toMatch(/messageId: must be at most 128/);
  });
});
