/**
 * Hostile requests for the OFREP flag API, as data: each case is what a caller sends and what the API must answer
 * (status and OFREP error code). `ofrep-hostile.test.ts` sends every case over a raw socket to the real OFREP handler
 * served by lambdas/shared/node-http.ts. `errorCode: null` means no JSON error body: a 2xx/304, a bodiless answer
 * (HEAD, preflight), or Node's own HTTP parser refusing the request before the handler sees it.
 */
export const SINGLE = '/ofrep/v1/evaluate/flags/bool-flag';
export const BULK = '/ofrep/v1/evaluate/flags';

/** Keys the corpus server accepts: `write-key` exists, but is an ingestion key. */
export const KEYS = { server: ['server-key'], client: ['client-key'], write: ['write-key'] };
export const ALLOWED_ORIGIN = 'https://shop.example.com';

export type Expectation =
  | { readonly status: number; readonly errorCode: string | null }
  /** Slow and broken transports: whatever the server does, it is not a 5xx and it answers the next request. */
  | { readonly notServerError: true };

export interface HttpCase {
  readonly name: string;
  /** @default 'POST' */
  readonly method?: string;
  /** Sent as is (no normalization). @default SINGLE */
  readonly path?: string;
  /**
   * Header overrides; `null` removes a default. Defaults: `content-type: application/json`,
   * `authorization: Bearer server-key`. Values are written as latin1 bytes.
   */
  readonly headers?: Readonly<Record<string, string | null>>;
  /** Headers appended after the others (repeats allowed). */
  readonly extraHeaders?: ReadonlyArray<readonly [string, string]>;
  /** @default '{"context": {"targetingKey": "user-1"}}' */
  readonly body?: string | Buffer;
  /** `If-None-Match` with the ETag the server gives this body (optionally weak). */
  readonly ifNoneMatchCurrent?: 'strong' | 'weak';
  /** Send the bytes in pieces of this size with a delay; optionally give up (abort) after `abortAfterPieces`. */
  readonly slow?: {
    readonly pieceBytes: number;
    readonly delayMs: number;
    readonly abortAfterPieces?: number;
    readonly halfClose?: boolean;
  };
  readonly expect: Expectation;
}

export interface RawCase {
  readonly name: string;
  /** The exact bytes of the request. */
  readonly raw: Buffer;
  readonly expect: Expectation;
}

export type OfrepCase = HttpCase | RawCase;

const ok = { status: 200, errorCode: null } as const;
const parseError = (status = 400) => ({ status, errorCode: 'PARSE_ERROR' }) as const;
const invalidContext = { status: 400, errorCode: 'INVALID_CONTEXT' } as const;
const notFound = { status: 404, errorCode: 'FLAG_NOT_FOUND' } as const;
const noRoute = { status: 404, errorCode: 'GENERAL' } as const;
const wrongMethod = { status: 405, errorCode: 'GENERAL' } as const;
const unauthenticated = { status: 401, errorCode: 'GENERAL' } as const;
const forbidden = { status: 403, errorCode: 'GENERAL' } as const;
/** Node's HTTP parser answers these itself, without a body. */
// What Node's HTTP parser refuses before the handler runs, answered by the transport with a code.
const nodeRefuses = (status = 400) => ({ status, errorCode: status === 431 ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST' }) as const;
const notServerError = { notServerError: true } as const;

const withContext = (context: string) => `{"context": ${context}}`;
const nestedArrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const nestedObjects = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const manyKeys = (count: number) => `{${Array.from({ length: count }, (_, i) => `"k${i}": "v${i}"`).join(',')}}`;
const raw = (text: string) => Buffer.from(text, 'latin1');
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

export const OFREP_CORPUS: readonly OfrepCase[] = [
  // Malformed JSON
  { name: 'truncated object', body: '{', expect: parseError() },
  { name: 'unterminated context (bulk)', path: BULK, body: '{"context": {}', expect: parseError() },
  { name: 'trailing comma', body: '{"context": {},}', expect: parseError() },
  { name: 'single quotes', body: "{'context': {}}", expect: parseError() },
  { name: 'NaN literal', body: '{"context": NaN}', expect: parseError() },
  { name: 'a comment', path: BULK, body: '/* hi */ {"context": {}}', expect: parseError() },
  { name: 'two documents', body: '{"context": {}}{"context": {}}', expect: parseError() },
  { name: 'garbage after the document', body: '{"context": {}} x', expect: parseError() },
  { name: 'a byte order mark before the document', body: '\uFEFF{"context": {}}', expect: parseError() },
  { name: 'a NUL body', body: '\u0000', expect: parseError() },
  { name: 'body is null', body: 'null', expect: parseError() },
  { name: 'body is true', path: BULK, body: 'true', expect: parseError() },
  { name: 'body is a number', body: '42', expect: parseError() },
  { name: 'body is a string', path: BULK, body: '"context"', expect: parseError() },
  { name: 'body is an array', body: '[{"context": {}}]', expect: parseError() },
  { name: 'body is 5,000 nested arrays', path: BULK, body: nestedArrays(5000), expect: parseError() },
  { name: 'empty body: an empty context', body: '', expect: ok },
  { name: 'whitespace body: an empty context', path: BULK, body: ' \r\n\t ', expect: ok },
  { name: 'duplicate "context" keys: the last wins', body: '{"context": [], "context": {}}', expect: ok },
  { name: '1e999 parses as Infinity in the context', body: withContext('{"n": 1e999, "m": -1e999}'), expect: ok },

  // Deep nesting: refused before anything walks it, the same on both routes
  { name: 'context with arrays nested 5,000 deep', body: withContext(`{"a": ${nestedArrays(5000)}}`), expect: invalidContext },
  {
    name: 'context with arrays nested 5,000 deep (bulk)',
    path: BULK,
    body: withContext(`{"a": ${nestedArrays(5000)}}`),
    expect: invalidContext,
  },
  {
    name: 'context with arrays nested 30,000 deep, under 64 KB (bulk)',
    path: BULK,
    body: withContext(`{"a": ${nestedArrays(30_000)}}`),
    expect: invalidContext,
  },
  { name: 'context with objects nested 5,000 deep (bulk)', path: BULK, body: withContext(nestedObjects(5000)), expect: invalidContext },
  { name: 'targetingKey nested 5,000 deep', body: withContext(`{"targetingKey": ${nestedArrays(5000)}}`), expect: invalidContext },
  { name: 'context nested 32 levels: accepted', path: BULK, body: withContext(`{"a": ${nestedArrays(31)}}`), expect: ok },
  {
    name: 'deep nesting outside the context is never read',
    path: BULK,
    body: `{"other": ${nestedArrays(5000)}, "context": {}}`,
    expect: ok,
  },

  // Huge
  { name: 'body over 64 KB', body: withContext(`{"pad": "${'x'.repeat(70 * 1024)}"}`), expect: parseError(413) },
  { name: 'body over 64 KB (bulk)', path: BULK, body: withContext(`{"pad": "${'x'.repeat(70 * 1024)}"}`), expect: parseError(413) },
  {
    name: 'body of 2 MiB: refused before it is buffered',
    path: BULK,
    body: withContext(`{"pad": "${'x'.repeat(2 * 1024 * 1024)}"}`),
    expect: parseError(413),
  },
  { name: 'context with 3,000 keys', path: BULK, body: withContext(manyKeys(3000)), expect: ok },
  { name: 'targetingKey of 60 KB', path: BULK, body: withContext(`{"targetingKey": "${'u'.repeat(60 * 1024)}"}`), expect: ok },
  {
    name: 'context with a 10,000-element array',
    body: withContext(`{"list": [${Array.from({ length: 10_000 }, () => '1').join(',')}]}`),
    expect: ok,
  },
  // The rest of the body reads as a second, malformed request: Node refuses it and closes before the handler answers.
  {
    name: 'Content-Length shorter than the body',
    headers: { 'content-length': '10' },
    body: withContext('{"targetingKey": "user-1"}'),
    expect: nodeRefuses(),
  },
  { name: 'chunked body', headers: { 'transfer-encoding': 'chunked' }, body: '15\r\n{"context": {"a": 1}}\r\n0\r\n\r\n', expect: ok },
  { name: 'malformed chunked body', headers: { 'transfer-encoding': 'chunked' }, body: 'zz\r\n{}\r\n0\r\n\r\n', expect: nodeRefuses() },
  {
    name: 'both Content-Length and chunked (request smuggling)',
    headers: { 'transfer-encoding': 'chunked', 'content-length': '5' },
    body: '0\r\n\r\n',
    expect: nodeRefuses(),
  },

  // Wrong types
  { name: 'context is an array', body: withContext('[1]'), expect: invalidContext },
  { name: 'context is a string (bulk)', path: BULK, body: withContext('"user-1"'), expect: invalidContext },
  { name: 'context is a number', body: withContext('42'), expect: invalidContext },
  { name: 'context is true (bulk)', path: BULK, body: withContext('true'), expect: invalidContext },
  { name: 'context is null', body: withContext('null'), expect: invalidContext },
  { name: 'targetingKey is an object', body: withContext('{"targetingKey": {"id": "user-1"}}'), expect: invalidContext },
  { name: 'targetingKey is a number (bulk)', path: BULK, body: withContext('{"targetingKey": 42}'), expect: invalidContext },
  { name: 'targetingKey is an array', body: withContext('{"targetingKey": ["user-1"]}'), expect: invalidContext },
  { name: 'targetingKey is null', body: withContext('{"targetingKey": null}'), expect: invalidContext },
  { name: 'targetingKey is empty: no user, no exposure', path: BULK, body: withContext('{"targetingKey": ""}'), expect: ok },

  // Unicode
  {
    name: 'lone surrogate in the targetingKey (bulk, experiment exposure)',
    path: BULK,
    body: withContext('{"targetingKey": "\\ud800user"}'),
    expect: ok,
  },
  { name: 'lone surrogates in context keys and values', body: withContext('{"\\udfff": "\\ud83d", "targetingKey": "u"}'), expect: ok },
  {
    name: 'NUL in context keys and values',
    path: BULK,
    body: withContext('{"\\u0000": "\\u0000", "targetingKey": "a\\u0000b"}'),
    expect: ok,
  },
  {
    name: 'right-to-left override in keys and values',
    body: withContext('{"\u202Egnal": "\u202Een-GB", "targetingKey": "\u202Eresu"}'),
    expect: ok,
  },
  { name: 'emoji in keys and values (bulk)', path: BULK, body: withContext('{"🚀": "🎉", "targetingKey": "user-🙂"}'), expect: ok },
  { name: 'invalid UTF-8 bytes in a string', body: bytes('{"context": {"targetingKey": "', [0xff, 0xfe, 0xc3], '"}}'), expect: ok },
  { name: 'an overlong UTF-8 slash in a string', path: BULK, body: bytes('{"context": {"x": "', [0xc0, 0xaf], '"}}'), expect: ok },
  {
    name: 'a UTF-16 body',
    headers: { 'content-type': 'application/json; charset=utf-16' },
    body: Buffer.from('{"context": {}}', 'utf16le'),
    expect: parseError(),
  },
  { name: 'percent-encoded emoji flag key', path: `${BULK}/%F0%9F%9A%80`, expect: notFound },
  { name: 'raw UTF-8 bytes in the path', path: Buffer.from(`${BULK}/ünïcödé`, 'utf8').toString('latin1'), expect: nodeRefuses() },

  // Prototype names in bodies and paths
  { name: '"__proto__" in the context carrying a targetingKey', body: withContext('{"__proto__": {"targetingKey": 7}}'), expect: ok },
  {
    name: '"constructor.prototype" in the context (bulk)',
    path: BULK,
    body: withContext('{"constructor": {"prototype": {"polluted": "yes"}}, "targetingKey": "u"}'),
    expect: ok,
  },
  { name: '"prototype" in the context', body: withContext('{"prototype": {"polluted": "yes"}}'), expect: ok },
  { name: '"__proto__" at the top of the body hiding a context', body: '{"__proto__": {"context": [1]}}', expect: ok },
  {
    name: 'targetingKey "__proto__" (bulk, experiment exposure)',
    path: BULK,
    body: withContext('{"targetingKey": "__proto__"}'),
    expect: ok,
  },
  ...['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'].map((key): HttpCase => ({
    name: `flag key "${key}" in the path`,
    path: `${BULK}/${key}`,
    expect: notFound,
  })),

  // Percent-encoding and path tricks
  { name: 'encoded slash in the key', path: `${BULK}/bool%2Fflag`, expect: notFound },
  { name: 'double-encoded slash in the key', path: `${BULK}/bool%252Fflag`, expect: notFound },
  { name: 'truncated percent-encoding', path: `${BULK}/%E0%A4%A`, expect: parseError() },
  { name: 'percent sign without hex digits', path: `${BULK}/%ZZ`, expect: parseError() },
  { name: 'a lone percent sign', path: `${BULK}/bool-flag%`, expect: parseError() },
  { name: 'overlong UTF-8 in percent-encoding', path: `${BULK}/%C0%AF`, expect: parseError() },
  { name: 'an encoded lone surrogate', path: `${BULK}/%ED%A0%80`, expect: parseError() },
  { name: 'an encoded NUL key', path: `${BULK}/%00`, expect: notFound },
  { name: 'an encoded space before the key', path: `${BULK}/%20bool-flag`, expect: notFound },
  { name: 'key with matrix parameters', path: `${SINGLE};v=1`, expect: notFound },
  { name: 'key in other case', path: `${BULK}/BOOL-FLAG`, expect: notFound },
  { name: 'route in other case', path: '/OFREP/V1/EVALUATE/FLAGS', expect: noRoute },
  { name: 'key of 4,000 characters', path: `${BULK}/${'k'.repeat(4000)}`, expect: notFound },
  { name: 'a path of 20 KB', path: `${BULK}/${'k'.repeat(20 * 1024)}`, expect: nodeRefuses(431) },
  { name: 'trailing slash on the bulk route', path: `${BULK}/`, expect: ok },
  { name: 'trailing slashes on the single route', path: `${SINGLE}///`, expect: ok },
  { name: 'a nested path under a key', path: `${SINGLE}/extra`, expect: noRoute },
  { name: 'dot-dot segments (normalized, as URLs are)', path: `${BULK}/../flags`, expect: ok },
  { name: 'encoded dot-dot climbs out of the route', path: `${BULK}/%2e%2e`, expect: noRoute },
  { name: 'a dot segment as the key', path: `${BULK}/.`, expect: ok },
  { name: 'a backslash for a slash', path: `${BULK}\\bool-flag`, expect: ok },
  { name: 'a protocol-relative path', path: `/${BULK}`, expect: noRoute },
  { name: 'an absolute-form request target', path: `http://evil.example${SINGLE}`, expect: ok },
  { name: 'the asterisk request target', path: '*', expect: nodeRefuses() },
  { name: 'query and fragment are ignored', path: `${SINGLE}?flag=other#frag`, expect: ok },

  // Methods
  { name: 'GET', method: 'GET', body: '', expect: wrongMethod },
  { name: 'PUT (bulk)', method: 'PUT', path: BULK, expect: wrongMethod },
  { name: 'DELETE', method: 'DELETE', expect: wrongMethod },
  { name: 'PATCH (bulk)', method: 'PATCH', path: BULK, expect: wrongMethod },
  { name: 'TRACE', method: 'TRACE', body: '', expect: wrongMethod },
  { name: 'PROPFIND', method: 'PROPFIND', expect: wrongMethod },
  { name: 'HEAD: a 405 without a body', method: 'HEAD', body: '', expect: { status: 405, errorCode: null } },
  { name: 'a method Node does not know', method: 'BREW', expect: nodeRefuses() },
  { name: 'a lower-case method', method: 'post', expect: nodeRefuses() },
  {
    name: 'CORS preflight from the allowed origin',
    method: 'OPTIONS',
    path: BULK,
    body: '',
    headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST' },
    expect: { status: 204, errorCode: null },
  },
  {
    name: 'CORS preflight from another origin',
    method: 'OPTIONS',
    path: BULK,
    body: '',
    headers: { origin: 'https://evil.example' },
    expect: { status: 403, errorCode: 'CORS_ORIGIN_NOT_ALLOWED' },
  },
  { name: 'OPTIONS without an origin', method: 'OPTIONS', body: '', expect: { status: 403, errorCode: 'CORS_ORIGIN_NOT_ALLOWED' } },

  // Authentication
  { name: 'no key', headers: { authorization: null }, expect: unauthenticated },
  { name: 'no key (bulk)', path: BULK, headers: { authorization: null }, expect: unauthenticated },
  { name: 'a wrong key', headers: { authorization: 'Bearer not-a-key' }, expect: forbidden },
  { name: "the ingestion API's write key", path: BULK, headers: { authorization: 'Bearer write-key' }, expect: forbidden },
  { name: 'Bearer without a key', headers: { authorization: 'Bearer ' }, expect: unauthenticated },
  { name: 'Basic credentials', headers: { authorization: 'Basic c2VydmVyLWtleTo=' }, expect: unauthenticated },
  { name: 'a key of 10 KB', headers: { authorization: `Bearer ${'k'.repeat(10 * 1024)}` }, expect: forbidden },
  {
    name: 'a key of 20 KB: over the header limit',
    headers: { authorization: `Bearer ${'k'.repeat(20 * 1024)}` },
    expect: nodeRefuses(431),
  },
  { name: 'a key with latin1 bytes', headers: { authorization: 'Bearer server-key\u00e9' }, expect: forbidden },
  { name: 'a key with a NUL byte', headers: { authorization: 'Bearer server-key\u0000' }, expect: nodeRefuses() },
  { name: 'a key named like a prototype member', headers: { authorization: 'Bearer __proto__' }, expect: forbidden },
  { name: 'a lower-case bearer scheme and spaces', headers: { authorization: 'bearer    server-key   ' }, expect: ok },
  { name: 'the key in X-API-Key', headers: { authorization: null, 'x-api-key': 'server-key' }, expect: ok },
  {
    name: 'a wrong Authorization beats a right X-API-Key',
    headers: { authorization: 'Bearer nope', 'x-api-key': 'server-key' },
    expect: forbidden,
  },
  {
    name: 'X-API-Key twice',
    headers: { authorization: null },
    extraHeaders: [
      ['X-API-Key', 'server-key'],
      ['X-API-Key', 'server-key'],
    ],
    expect: forbidden,
  },
  { name: 'a client key on a client-visible flag', headers: { authorization: 'Bearer client-key' }, expect: ok },
  {
    name: 'a client key on a server-only flag',
    path: `${BULK}/experiment-flag`,
    headers: { authorization: 'Bearer client-key' },
    expect: notFound,
  },

  // If-None-Match
  { name: 'If-None-Match: * (bulk)', path: BULK, headers: { 'if-none-match': '*' }, expect: { status: 304, errorCode: null } },
  { name: 'If-None-Match: the current ETag (bulk)', path: BULK, ifNoneMatchCurrent: 'strong', expect: { status: 304, errorCode: null } },
  {
    name: 'If-None-Match: the current ETag, weak (bulk)',
    path: BULK,
    ifNoneMatchCurrent: 'weak',
    expect: { status: 304, errorCode: null },
  },
  { name: 'If-None-Match: garbage', path: BULK, headers: { 'if-none-match': 'garbage' }, expect: ok },
  { name: 'If-None-Match: a lone quote', path: BULK, headers: { 'if-none-match': '"' }, expect: ok },
  { name: 'If-None-Match: W/ alone', path: BULK, headers: { 'if-none-match': 'W/' }, expect: ok },
  { name: 'If-None-Match: only commas', path: BULK, headers: { 'if-none-match': ',,,,' }, expect: ok },
  { name: 'If-None-Match: 8 KB of ETags', path: BULK, headers: { 'if-none-match': '"x",'.repeat(2048) }, expect: ok },
  { name: 'If-None-Match: latin1 bytes', path: BULK, headers: { 'if-none-match': '"\u00ff\u00fe"' }, expect: ok },
  { name: 'If-None-Match on the single route is ignored', headers: { 'if-none-match': '*' }, expect: ok },

  // Content types
  { name: 'text/plain', headers: { 'content-type': 'text/plain' }, expect: parseError(415) },
  { name: 'application/jsonx', headers: { 'content-type': 'application/jsonx' }, expect: parseError(415) },
  { name: 'a form', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'context=x', expect: parseError(415) },
  { name: 'multipart', path: BULK, headers: { 'content-type': 'multipart/form-data; boundary=x' }, expect: parseError(415) },
  { name: 'a +json media type', headers: { 'content-type': 'application/vnd.openfeature+json' }, expect: ok },
  { name: 'no content type', path: BULK, headers: { 'content-type': null }, expect: ok },

  // Raw requests Node's parser sees first
  {
    name: 'a request line without a version (HTTP/0.9 style: no headers, so no key)',
    raw: raw(`POST ${SINGLE}\r\n\r\n`),
    expect: unauthenticated,
  },
  { name: 'a header without a colon', raw: raw(`POST ${SINGLE} HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n`), expect: nodeRefuses() },
  {
    name: 'a space before a header colon',
    raw: raw(`POST ${SINGLE} HTTP/1.1\r\nHost: x\r\nContent-Length : 2\r\n\r\n{}`),
    expect: nodeRefuses(),
  },
  { name: 'HTTP/2 preface on an HTTP/1.1 port', raw: raw('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), expect: nodeRefuses() },
  {
    name: 'HTTP/1.0 without Host',
    raw: raw(`POST ${SINGLE} HTTP/1.0\r\nAuthorization: Bearer server-key\r\nContent-Length: 2\r\n\r\n{}`),
    expect: ok,
  },

  // Slow and broken transports
  { name: 'a body trickled a few bytes at a time', path: BULK, slow: { pieceBytes: 8, delayMs: 15 }, expect: notServerError },
  {
    name: 'headers trickled (slowloris), then given up',
    slow: { pieceBytes: 4, delayMs: 15, abortAfterPieces: 20 },
    expect: notServerError,
  },
  {
    name: 'half a body, then the client disappears',
    path: BULK,
    slow: { pieceBytes: 120, delayMs: 20, abortAfterPieces: 2 },
    expect: notServerError,
  },
  {
    name: 'a Content-Length never reached, then a half-close',
    headers: { 'content-length': '1000' },
    slow: { pieceBytes: 64, delayMs: 10, halfClose: true },
    expect: notServerError,
  },
];
