import type { HostileAnswer, HostileRequest } from '../support/ingest-http-client';
import type { Expectation, HostileCase } from '../support/ingest-runner';

/**
 * Hostile requests to the ingestion API (`POST /v1/events`) and what each must get: a 4xx with a code (or a 2xx),
 * never a 5xx, the valid events of a mixed batch stored and the invalid ones not. Data only: run by
 * ingest-corpus.test.ts over node-http.ts and over the local front door. Targets are named 'node-http' and
 * 'front door'; `expectVia` holds where the front door answers on its own, as API Gateway does.
 */
export const WRITE_KEY = 'corpus-write-key';
/** Keys of the flag API's kinds: valid keys, of the wrong kind for ingestion. */
export const CLIENT_KEY = 'corpus-flag-client-key';
export const SERVER_KEY = 'corpus-flag-server-key';
export const ALLOWED_ORIGIN = 'https://app.example';
/** The corpus's "now" (injected into the handler), so the fixed timestamps below never age out. */
export const CORPUS_NOW = Date.parse('2026-11-25T10:00:00.000Z');
/** The limits the targets are started with, so stalled clients are cut in a fraction of a second. */
export const CORPUS_TIME_LIMITS = { headersTimeoutMs: 300, bodyTimeoutMs: 300 };
const STALL_BOUND_MS = 3_000;

const PATH = '/v1/events';
const JSON_HEADERS = { 'content-type': 'application/json', 'x-api-key': WRITE_KEY };

export const good = (messageId: string, overrides: Record<string, unknown> = {}) => ({
  messageId,
  type: 'track',
  event: 'checkout_started',
  userId: 'user-1',
  timestamp: '2026-11-25T09:59:00.000Z',
  properties: { cart_value: 42 },
  ...overrides,
});

const post = (body: unknown, headers: Record<string, string> = {}): HostileRequest => ({
  path: PATH,
  headers: { ...JSON_HEADERS, ...headers },
  body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
});

/** `[index, errorCode]` of each rejected event, in order. */
const rejected =
  (...expected: Array<[number, string]>) =>
  (answer: HostileAnswer) => {
    expect((answer.json?.rejected ?? []).map((r: { index: number; errorCode: string }) => [r.index, r.errorCode])).toEqual(expected);
    for (const r of answer.json?.rejected ?? []) expect(typeof r.reason).toBe('string');
  };

const ok = (check?: Expectation['check']): Expectation => ({ status: 200, check });
const refused = (status: number, code: string, check?: Expectation['check']): Expectation => ({ status, code, check });

/** A batch of a valid event, the hostile one (JSON text, so it can hold what JSON.stringify would not write), and another valid one. */
function mixed(category: string, name: string, badJson: string, errorCode: string): HostileCase {
  return {
    category,
    name,
    request: post(`{"batch":[${JSON.stringify(good('ok-1'))},${badJson},${JSON.stringify(good('ok-2'))}]}`),
    expect: ok(rejected([1, errorCode])),
    stored: ['ok-1', 'ok-2'],
  };
}

/** A batch holding the event (JSON text) alone: stored, and `check` holds for the stored record. */
function storedAsSent(
  category: string,
  name: string,
  eventJson: string,
  check: (record: Record<string, unknown>) => void,
  stored: string,
): HostileCase {
  return {
    category,
    name,
    request: post(`{"batch":[${eventJson}]}`),
    expect: ok(rejected()),
    stored: [stored],
    checkStored: ([record]) => check(record as Record<string, unknown>),
  };
}

const event = (fields: Record<string, unknown>) => JSON.stringify(good('bad', fields));
/** An event's JSON with `extra` (JSON text of more members) spliced in, for keys JSON.stringify of an object literal would not keep. */
const eventWith = (extra: string, id = 'bad') => `${JSON.stringify(good(id)).slice(0, -1)},${extra}}`;
const nestedObjects = (levels: number) => `${'{"p":'.repeat(levels)}1${'}'.repeat(levels)}`;
const nestedArrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

const malformedJson: HostileCase[] = [
  { category: 'malformed JSON', name: 'truncated', request: post('{"batch": ['), expect: refused(400, 'PARSE_ERROR') },
  { category: 'malformed JSON', name: 'trailing garbage', request: post('{"batch": []} x'), expect: refused(400, 'PARSE_ERROR') },
  { category: 'malformed JSON', name: 'single quotes', request: post("{'batch': []}"), expect: refused(400, 'PARSE_ERROR') },
  { category: 'malformed JSON', name: 'a comment', request: post('{/* hi */"batch": []}'), expect: refused(400, 'PARSE_ERROR') },
  { category: 'malformed JSON', name: 'NaN', request: post('{"batch": [NaN]}'), expect: refused(400, 'PARSE_ERROR') },
  {
    category: 'malformed JSON',
    name: 'a byte order mark first',
    request: post(`\ufeff${JSON.stringify({ batch: [good('m')] })}`),
    expect: refused(400, 'PARSE_ERROR'),
  },
  { category: 'malformed JSON', name: 'an empty body', request: post(''), expect: refused(400, 'PARSE_ERROR') },
  { category: 'malformed JSON', name: 'only whitespace', request: post(' \n\t '), expect: refused(400, 'PARSE_ERROR') },
  { category: 'malformed JSON', name: 'null', request: post('null'), expect: refused(400, 'INVALID_BATCH') },
  { category: 'malformed JSON', name: 'an array', request: post('[]'), expect: refused(400, 'INVALID_BATCH') },
  { category: 'malformed JSON', name: 'a string', request: post('"batch"'), expect: refused(400, 'INVALID_BATCH') },
  { category: 'malformed JSON', name: 'a number', request: post('123'), expect: refused(400, 'INVALID_BATCH') },
  {
    category: 'malformed JSON',
    name: 'a form instead of JSON',
    request: post('a=1', { 'content-type': 'application/x-www-form-urlencoded' }),
    expect: refused(415, 'PARSE_ERROR'),
  },
  {
    category: 'malformed JSON',
    name: 'multipart',
    request: post('--x--', { 'content-type': 'multipart/form-data; boundary=x' }),
    expect: refused(415, 'PARSE_ERROR'),
  },
  {
    category: 'malformed JSON',
    name: 'no content type (JSON is assumed)',
    request: { path: PATH, headers: { 'x-api-key': WRITE_KEY }, body: JSON.stringify({ batch: [good('m-1')] }) },
    expect: ok(),
    stored: ['m-1'],
  },
  {
    category: 'malformed JSON',
    name: 'a JSON subtype with a charset',
    request: post({ batch: [good('m-1')] }, { 'content-type': 'application/vnd.segment+json; charset=utf-8' }),
    expect: ok(),
    stored: ['m-1'],
  },
  {
    category: 'malformed JSON',
    name: 'bytes that are not UTF-8 inside a string (read as U+FFFD, as a UTF-8 decoder does)',
    request: post(
      Buffer.concat([
        Buffer.from(`{"batch":[${JSON.stringify(good('m-1')).slice(0, -1)},"note":"a`),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('b"}]}'),
      ]),
    ),
    expect: ok(),
    stored: ['m-1'],
  },
];

const deepNesting: HostileCase[] = [
  mixed('deep nesting', 'an event 5,000 objects deep', eventWith(`"properties":${nestedObjects(5000)}`), 'TOO_DEEP'),
  mixed('deep nesting', 'an event 100,000 arrays deep', eventWith(`"context":{"x":${nestedArrays(100_000)}}`), 'TOO_DEEP'),
  mixed('deep nesting', 'an event one level over the limit', eventWith(`"properties":${nestedObjects(32)}`), 'TOO_DEEP'),
  {
    category: 'deep nesting',
    name: 'an event exactly at the limit',
    request: post(`{"batch":[${eventWith(`"properties":${nestedObjects(31)}`, 'at-limit')}]}`),
    expect: ok(rejected()),
    stored: ['at-limit'],
  },
  {
    category: 'deep nesting',
    name: '499 valid events and one 5,000 deep',
    request: post(
      `{"batch":[${[...Array.from({ length: 499 }, (_, i) => JSON.stringify(good(`m-${i}`))), eventWith(`"properties":${nestedObjects(5000)}`, 'deep')].join(',')}]}`,
    ),
    expect: ok((answer) => {
      rejected([499, 'TOO_DEEP'])(answer);
      expect(answer.json.accepted).toBe(499);
    }),
    stored: Array.from({ length: 499 }, (_, i) => `m-${i}`),
  },
  { category: 'deep nesting', name: 'a body of 5,000 nested arrays', request: post(nestedArrays(5000)), expect: refused(400, 'TOO_DEEP') },
  {
    category: 'deep nesting',
    name: 'a single-event body 5,000 deep',
    request: post(eventWith(`"properties":${nestedObjects(5000)}`)),
    expect: { status: 400, check: rejected([0, 'TOO_DEEP']) },
  },
  {
    category: 'deep nesting',
    name: 'a batch that is a deep object',
    request: post(`{"batch":${nestedObjects(5000)}}`),
    expect: refused(400, 'INVALID_BATCH'),
  },
  {
    category: 'deep nesting',
    name: 'a deep envelope field next to a good batch (ignored)',
    request: post(`{"integrations":${nestedObjects(5000)},"batch":[${JSON.stringify(good('m-1'))}]}`),
    expect: ok(),
    stored: ['m-1'],
  },
];

const mb = 1024 * 1024;
const hugeBodiesAndFields: HostileCase[] = [
  {
    category: 'huge bodies and fields',
    name: 'a body just over 500 KB',
    request: post({ batch: [good('m', { properties: { blob: 'x'.repeat(501 * 1024) } })] }),
    expect: refused(413, 'PARSE_ERROR'),
  },
  {
    category: 'huge bodies and fields',
    name: 'a 2 MB body',
    request: post(Buffer.alloc(2 * mb, 0x20)),
    expect: refused(413, 'PARSE_ERROR'),
  },
  {
    category: 'huge bodies and fields',
    name: 'an 11 MB body',
    request: post(Buffer.alloc(11 * mb, 0x20)),
    expect: refused(413, 'PARSE_ERROR'),
    // Over API Gateway's 10 MB payload limit: the gateway answers, the function never runs.
    expectVia: { 'front door': { code: 'Request Entity Too Large' } },
  },
  {
    category: 'huge bodies and fields',
    name: '501 events',
    request: post({ batch: Array.from({ length: 501 }, (_, i) => good(`m-${i}`)) }),
    expect: refused(413, 'TOO_MANY_EVENTS'),
  },
  {
    category: 'huge bodies and fields',
    name: '500 events, the most a batch takes',
    request: post({ batch: Array.from({ length: 500 }, (_, i) => good(`m-${i}`)) }),
    expect: ok((answer) => expect(answer.json.accepted).toBe(500)),
    stored: Array.from({ length: 500 }, (_, i) => `m-${i}`),
  },
  mixed('huge bodies and fields', 'an event over 32 KB', event({ properties: { blob: 'x'.repeat(33 * 1024) } }), 'EVENT_TOO_LARGE'),
  mixed(
    'huge bodies and fields',
    '40,000 property keys',
    event({ properties: Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`k${i}`, 0])) }),
    'EVENT_TOO_LARGE',
  ),
  mixed('huge bodies and fields', 'a 100 KB property key', event({ properties: { ['k'.repeat(100 * 1024)]: 1 } }), 'EVENT_TOO_LARGE'),
  mixed('huge bodies and fields', 'a userId longer than a partition key', event({ userId: 'u'.repeat(257) }), 'INVALID_EVENT'),
  mixed('huge bodies and fields', 'a 10 KB event name', event({ event: 'e'.repeat(10 * 1024) }), 'INVALID_EVENT'),
  mixed(
    'huge bodies and fields',
    '101 feature flags',
    event({
      context: {
        featureFlags: Array.from({ length: 101 }, (_, i) => ({ 'feature_flag.key': `f${i}`, 'feature_flag.result.variant': 'on' })),
      },
    }),
    'INVALID_EVENT',
  ),
  {
    category: 'huge bodies and fields',
    name: 'a 100 KB messageId (rejected, not echoed back)',
    request: post({ batch: [good('ok-1'), good('m'.repeat(100 * 1024))] }),
    expect: ok((answer) => {
      rejected([1, 'INVALID_EVENT'])(answer);
      expect(answer.json.rejected[0].messageId).toBeUndefined();
      expect(answer.body.length).toBeLessThan(2_000);
    }),
    stored: ['ok-1'],
  },
];

const wrongTypes: HostileCase[] = [
  { category: 'wrong types', name: 'batch a string', request: post({ batch: 'events' }), expect: refused(400, 'INVALID_BATCH') },
  { category: 'wrong types', name: 'batch null', request: post({ batch: null }), expect: refused(400, 'INVALID_BATCH') },
  { category: 'wrong types', name: 'batch an object', request: post({ batch: { 0: good('m') } }), expect: refused(400, 'INVALID_BATCH') },
  {
    category: 'wrong types',
    name: 'sentAt a number',
    request: post({ batch: [good('m')], sentAt: 5 }),
    expect: refused(400, 'INVALID_BATCH'),
  },
  {
    category: 'wrong types',
    name: 'events that are not objects, between good ones',
    request: post({ batch: [good('ok-1'), null, 1, 'event', [], true, good('ok-2')] }),
    expect: ok(rejected([1, 'INVALID_EVENT'], [2, 'INVALID_EVENT'], [3, 'INVALID_EVENT'], [4, 'INVALID_EVENT'], [5, 'INVALID_EVENT'])),
    stored: ['ok-1', 'ok-2'],
  },
  mixed('wrong types', 'messageId a number', event({ messageId: 5 }), 'INVALID_EVENT'),
  mixed('wrong types', 'messageId empty', event({ messageId: '' }), 'INVALID_EVENT'),
  mixed('wrong types', 'userId an object', event({ userId: {} }), 'INVALID_EVENT'),
  mixed('wrong types', 'userId an array', event({ userId: ['u'] }), 'INVALID_EVENT'),
  mixed('wrong types', 'anonymousId true and no userId', event({ userId: undefined, anonymousId: true }), 'INVALID_EVENT'),
  mixed('wrong types', 'no user at all', event({ userId: null, anonymousId: null }), 'INVALID_EVENT'),
  mixed('wrong types', 'event null', event({ event: null }), 'INVALID_EVENT'),
  mixed('wrong types', 'type identify', event({ type: 'identify' }), 'INVALID_EVENT'),
  mixed('wrong types', 'properties an array', event({ properties: [1, 2] }), 'INVALID_EVENT'),
  mixed('wrong types', 'properties a string', event({ properties: 'cheap' }), 'INVALID_EVENT'),
  mixed('wrong types', 'context an array', event({ context: [] }), 'INVALID_EVENT'),
  mixed('wrong types', 'featureFlags a string', event({ context: { featureFlags: 'new-checkout' } }), 'INVALID_EVENT'),
  mixed(
    'wrong types',
    'a flag key a number',
    event({ context: { featureFlags: [{ 'feature_flag.key': 1, 'feature_flag.result.variant': 'on' }] } }),
    'INVALID_EVENT',
  ),
  mixed('wrong types', 'timestamp a number', event({ timestamp: 1_764_064_740_000 }), 'INVALID_EVENT'),
  mixed('wrong types', 'timestamp not a date', event({ timestamp: 'yesterday' }), 'INVALID_EVENT'),
  mixed('wrong types', 'a timestamp years old', event({ timestamp: '2001-01-01T00:00:00Z' }), 'TIMESTAMP_OUT_OF_RANGE'),
  mixed('wrong types', 'a number JSON cannot hold (1e999)', eventWith('"properties":{"total":1e999}'), 'INVALID_EVENT'),
  mixed('wrong types', 'the reserved exposure event', event({ event: '$exposure' }), 'INVALID_EVENT'),
];

const unicode: HostileCase[] = [
  mixed('unicode', 'a lone surrogate in a property', eventWith('"properties":{"name":"\\ud800"}'), 'INVALID_EVENT'),
  mixed('unicode', 'a lone surrogate in a property key', eventWith('"properties":{"\\udfff":1}'), 'INVALID_EVENT'),
  mixed(
    'unicode',
    'a lone surrogate in the userId',
    `${JSON.stringify(good('bad')).replace('"user-1"', '"user-\\ud83d"')}`,
    'INVALID_EVENT',
  ),
  mixed('unicode', 'a NUL in the userId', `${JSON.stringify(good('bad')).replace('"user-1"', '"user-\\u0000"')}`, 'INVALID_EVENT'),
  mixed('unicode', 'an escape character in the event name', event({ event: 'checkout\u001b[31m' }), 'INVALID_EVENT'),
  mixed('unicode', 'a NUL in the messageId', event({ messageId: 'm\u0000' }), 'INVALID_EVENT'),
  storedAsSent(
    'unicode',
    'a NUL inside a property value',
    JSON.stringify(good('nul', { properties: { note: 'a\u0000b' } })),
    (r) => expect(r.properties).toEqual({ note: 'a\u0000b' }),
    'nul',
  ),
  storedAsSent(
    'unicode',
    'right-to-left text and an override',
    JSON.stringify(good('rtl', { userId: 'משתמש-1', event: 'קנייה\u202e', properties: { note: 'مرحبا' } })),
    (r) => expect([r.userId, r.event]).toEqual(['משתמש-1', 'קנייה\u202e']),
    'rtl',
  ),
  storedAsSent(
    'unicode',
    'emoji everywhere',
    JSON.stringify(good('🛒', { userId: '👩🏽‍💻', event: '🛒_viewed', properties: { '🙂': '🎉' } })),
    (r) => expect([r.userId, r.properties]).toEqual(['👩🏽‍💻', { '🙂': '🎉' }]),
    '🛒',
  ),
  storedAsSent(
    'unicode',
    'zero-width and combining characters',
    JSON.stringify(good('zw', { userId: 'u\u200bser', properties: { name: 'e\u0301\u0301\u0301' } })),
    (r) => expect(r.userId).toBe('u\u200bser'),
    'zw',
  ),
];

const prototypeKeys: HostileCase[] = [
  mixed('prototype keys', '__proto__ in properties', eventWith('"properties":{"__proto__":{"isAdmin":true}}'), 'FORBIDDEN_KEY'),
  mixed('prototype keys', '__proto__ on the event', eventWith('"__proto__":{"userId":"someone-else"}'), 'FORBIDDEN_KEY'),
  mixed('prototype keys', '__proto__ deep in context', eventWith('"context":{"page":{"__proto__":{"polluted":1}}}'), 'FORBIDDEN_KEY'),
  mixed(
    'prototype keys',
    '__proto__ in a flag',
    eventWith('"context":{"featureFlags":[{"feature_flag.key":"f","feature_flag.result.variant":"on","__proto__":{"x":1}}]}'),
    'FORBIDDEN_KEY',
  ),
  mixed('prototype keys', 'constructor.prototype', eventWith('"properties":{"constructor":{"prototype":{"polluted":1}}}'), 'FORBIDDEN_KEY'),
  storedAsSent(
    'prototype keys',
    'constructor, prototype, toString as plain data',
    JSON.stringify(good('data', { properties: { constructor: 'Williams', prototype: 2, toString: 'x', hasOwnProperty: true } })),
    (r) => expect(r.properties).toEqual({ constructor: 'Williams', prototype: 2, toString: 'x', hasOwnProperty: true }),
    'data',
  ),
  {
    category: 'prototype keys',
    name: '__proto__ in the envelope (ignored, as unknown envelope fields are)',
    request: post(`{"__proto__":{"batch":[]},"batch":[${JSON.stringify(good('m-1'))}]}`),
    expect: ok(),
    stored: ['m-1'],
  },
];

const methods = (method: string, code: string | undefined, status = 405): HostileCase => ({
  category: 'odd methods and paths',
  name: method,
  request: {
    method,
    path: PATH,
    headers: JSON_HEADERS,
    body: method === 'GET' || method === 'HEAD' ? undefined : JSON.stringify({ batch: [good('m')] }),
  },
  expect: { status, code },
});
const oddMethodsAndPaths: HostileCase[] = [
  methods('PUT', 'METHOD_NOT_ALLOWED'),
  methods('DELETE', 'METHOD_NOT_ALLOWED'),
  methods('PATCH', 'METHOD_NOT_ALLOWED'),
  methods('TRACE', 'METHOD_NOT_ALLOWED'),
  methods('GET', 'METHOD_NOT_ALLOWED'),
  // HEAD answers carry no body, so no code.
  methods('HEAD', undefined),
  {
    category: 'odd methods and paths',
    name: 'OPTIONS without an Origin',
    request: { method: 'OPTIONS', path: PATH },
    expect: refused(403, 'CORS_ORIGIN_NOT_ALLOWED'),
  },
  {
    category: 'odd methods and paths',
    name: 'OPTIONS from another origin',
    request: { method: 'OPTIONS', path: PATH, headers: { origin: 'https://evil.example' } },
    expect: refused(403, 'CORS_ORIGIN_NOT_ALLOWED'),
  },
  {
    category: 'odd methods and paths',
    name: 'a preflight from the allowed origin',
    request: { method: 'OPTIONS', path: PATH, headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST' } },
    expect: { status: 204, check: (a) => expect(a.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN) },
  },
  {
    category: 'odd methods and paths',
    name: 'a trailing slash',
    request: { ...post({ batch: [good('m')] }), path: `${PATH}/` },
    expect: refused(404, 'NOT_FOUND'),
    expectVia: { 'front door': { code: 'Not Found' } },
  },
  {
    category: 'odd methods and paths',
    name: 'another case',
    request: { ...post({ batch: [good('m')] }), path: '/V1/EVENTS' },
    expect: refused(404, 'NOT_FOUND'),
    expectVia: { 'front door': { code: 'Not Found' } },
  },
  {
    category: 'odd methods and paths',
    name: 'a host in the path (//host/path)',
    request: { ...post({ batch: [good('m')] }), path: `//evil.example${PATH}` },
    expect: refused(404, 'NOT_FOUND'),
    expectVia: { 'front door': { code: 'Not Found' } },
  },
  {
    category: 'odd methods and paths',
    name: 'a request target that is not a URL',
    request: { ...post({ batch: [good('m')] }), path: 'http://[' },
    expect: refused(400, 'BAD_REQUEST'),
    expectVia: { 'front door': { code: 'Bad Request' } },
  },
  {
    category: 'odd methods and paths',
    name: 'a query string (ignored)',
    request: { ...post({ batch: [good('m-1')] }), path: `${PATH}?debug=1&batch=x` },
    expect: ok(),
    stored: ['m-1'],
  },
];

const badAuth: HostileCase[] = [
  {
    category: 'bad auth',
    name: 'no key',
    request: { path: PATH, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batch: [good('m')] }) },
    expect: refused(401, 'UNAUTHORIZED', (a) => expect(a.headers['www-authenticate']).toBe('Bearer')),
  },
  {
    category: 'bad auth',
    name: 'no key and a malformed body (auth first)',
    request: { path: PATH, headers: { 'content-type': 'application/json' }, body: '{"batch": [' },
    expect: refused(401, 'UNAUTHORIZED'),
  },
  {
    category: 'bad auth',
    name: 'a wrong key',
    request: post({ batch: [good('m')] }, { 'x-api-key': 'not-a-key' }),
    expect: refused(403, 'FORBIDDEN'),
  },
  {
    category: 'bad auth',
    name: 'a flag client key',
    request: post({ batch: [good('m')] }, { 'x-api-key': CLIENT_KEY }),
    expect: refused(403, 'FORBIDDEN'),
  },
  {
    category: 'bad auth',
    name: 'a flag server key as Bearer',
    request: {
      path: PATH,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVER_KEY}` },
      body: JSON.stringify({ batch: [good('m')] }),
    },
    expect: refused(403, 'FORBIDDEN'),
  },
  {
    category: 'bad auth',
    name: 'an empty Bearer',
    request: {
      path: PATH,
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' },
      body: JSON.stringify({ batch: [good('m')] }),
    },
    expect: refused(401, 'UNAUTHORIZED'),
  },
  {
    category: 'bad auth',
    name: 'Basic credentials',
    request: {
      path: PATH,
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`x:${WRITE_KEY}`).toString('base64')}` },
      body: JSON.stringify({ batch: [good('m')] }),
    },
    expect: refused(401, 'UNAUTHORIZED'),
  },
  {
    category: 'bad auth',
    name: 'the write key with a prefix',
    request: post({ batch: [good('m')] }, { 'x-api-key': `x${WRITE_KEY}` }),
    expect: refused(403, 'FORBIDDEN'),
  },
  {
    category: 'bad auth',
    name: 'a 10 KB key',
    request: post({ batch: [good('m')] }, { 'x-api-key': 'k'.repeat(10 * 1024) }),
    expect: refused(403, 'FORBIDDEN'),
  },
  {
    category: 'bad auth',
    name: 'a 20 KB Authorization header',
    request: {
      path: PATH,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${'k'.repeat(20 * 1024)}` },
      body: JSON.stringify({ batch: [good('m')] }),
    },
    expect: refused(431, 'HEADERS_TOO_LARGE'),
    expectVia: { 'front door': { code: 'Request Header Fields Too Large' } },
  },
  {
    category: 'bad auth',
    name: 'the write key as Bearer, any case',
    request: {
      path: PATH,
      headers: { 'content-type': 'application/json', authorization: `bEaReR ${WRITE_KEY}` },
      body: JSON.stringify({ batch: [good('m-1')] }),
    },
    expect: ok(),
    stored: ['m-1'],
  },
];

const raw = (text: string): HostileRequest => ({ path: PATH, raw: text });
const slowBodies: HostileCase[] = [
  {
    category: 'slow bodies',
    name: 'a body that stalls after 10 bytes',
    request: { ...post({ batch: [good('m')] }), stallAfterBytes: 10 },
    expect: { status: 408, code: 'REQUEST_TIMEOUT', withinMs: STALL_BOUND_MS, check: (a) => expect(a.headers.connection).toBe('close') },
    expectVia: { 'front door': { code: 'Request Timeout' } },
  },
  {
    category: 'slow bodies',
    name: 'headers that stall',
    request: raw(`POST ${PATH} HTTP/1.1\r\nhost: x\r\nx-api-key: ${WRITE_KEY}\r\n`),
    expect: { status: 408, code: 'REQUEST_TIMEOUT', withinMs: STALL_BOUND_MS },
    expectVia: { 'front door': { code: 'Request Timeout' } },
  },
  {
    category: 'slow bodies',
    name: 'a connection that sends nothing',
    request: raw(''),
    expect: { status: 408, code: 'REQUEST_TIMEOUT', withinMs: STALL_BOUND_MS },
    expectVia: { 'front door': { code: 'Request Timeout' } },
  },
  {
    category: 'slow bodies',
    name: 'a chunked body in small chunks (complete: accepted)',
    request: raw(
      `POST ${PATH} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-api-key: ${WRITE_KEY}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n` +
        `${JSON.stringify({ batch: [good('m-1')] })
          .match(/.{1,7}/g)!
          .map((part) => `${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`)
          .join('')}0\r\n\r\n`,
    ),
    expect: ok(),
    stored: ['m-1'],
  },
  {
    category: 'slow bodies',
    name: 'content-length and transfer-encoding together (request smuggling)',
    request: raw(`POST ${PATH} HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n`),
    expect: refused(400, 'BAD_REQUEST'),
    expectVia: { 'front door': { code: 'Bad Request' } },
  },
  {
    category: 'slow bodies',
    name: 'a NUL in a header name',
    request: raw(`POST ${PATH} HTTP/1.1\r\nhost: x\r\nx-api\u0000-key: 1\r\n\r\n`),
    expect: refused(400, 'BAD_REQUEST'),
    expectVia: { 'front door': { code: 'Bad Request' } },
  },
];

const duplicates: HostileCase[] = [
  {
    category: 'duplicate messageIds',
    name: 'the same messageId twice',
    request: post({ batch: [good('dup'), good('dup', { event: 'other' })] }),
    expect: ok((a) => expect(a.json.duplicates).toEqual([{ index: 1, messageId: 'dup' }])),
    stored: ['dup'],
  },
  {
    category: 'duplicate messageIds',
    name: 'an invalid first copy does not hide a valid second one',
    request: post({ batch: [good('dup', { userId: 5 }), good('dup')] }),
    expect: ok((a) => {
      rejected([0, 'INVALID_EVENT'])(a);
      expect(a.json.duplicates).toEqual([]);
    }),
    stored: ['dup'],
  },
  {
    category: 'duplicate messageIds',
    name: '500 copies of one messageId',
    request: post({ batch: Array.from({ length: 500 }, () => good('same')) }),
    expect: ok((a) => expect([a.json.accepted, a.json.duplicates.length]).toEqual([1, 499])),
    stored: ['same'],
  },
];

export const INGEST_CORPUS: readonly HostileCase[] = [
  ...malformedJson,
  ...deepNesting,
  ...hugeBodiesAndFields,
  ...wrongTypes,
  ...unicode,
  ...prototypeKeys,
  ...oddMethodsAndPaths,
  ...badAuth,
  ...slowBodies,
  ...duplicates,
];
