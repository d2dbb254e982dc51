/**
 * Transport-neutral HTTP types shared by the monoenv APIs (OFREP flags, event ingestion). A handler is
 * a function from HttpRequest to HttpResponse; `function-url.ts` adapts it to Lambda and `node-http.ts`
 * to a local server, so both run exactly the same code. No AWS imports here.
 */
export interface HttpRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/ofrep/v1/evaluate/flags`. */
  readonly path: string;
  /** Header names lower-cased; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** Raw body as UTF-8 text ('' when none). */
  readonly body: string;
  readonly sourceIp?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What the transport knows beyond the request itself. */
export interface RequestContext {
  /** Milliseconds left before the platform stops the handler (Lambda's getRemainingTimeInMillis). @default - no limit known */
  readonly remainingTimeMs?: () => number;
}

export type HttpHandler = (request: HttpRequest, context?: RequestContext) => Promise<HttpResponse>;

/** An error that becomes a 4xx/5xx with a machine-readable code: `{"errorCode": ..., "errorDetails": ...}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** Extra fields merged into the error body (e.g. the flag `key` for OFREP). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

export function errorResponse(error: unknown): HttpResponse {
  if (error instanceof HttpError) {
    return jsonResponse(error.status, { ...error.extra, errorCode: error.code, errorDetails: error.message }, error.headers);
  }
  // Unexpected: never leak internals; the caller logs the error itself.
  return jsonResponse(500, { errorCode: 'GENERAL', errorDetails: 'internal error' });
}

export interface JsonBodyOptions {
  readonly maxBytes: number;
  /** @default true - an empty body is `{}` */
  readonly allowEmpty?: boolean;
}

/** Parses a JSON request body, refusing wrong content types, oversized and malformed bodies with a 4xx. */
export function parseJsonBody(request: HttpRequest, options: JsonBodyOptions): unknown {
  const contentType = request.headers['content-type'];
  if (request.body.length > 0 && contentType !== undefined && !/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new HttpError(415, 'PARSE_ERROR', `content-type must be application/json, got '${contentType}'`);
  }
  const size = Buffer.byteLength(request.body, 'utf8');
  if (size > options.maxBytes) {
    throw new HttpError(413, 'PARSE_ERROR', `request body is ${size} bytes; the limit is ${options.maxBytes}`);
  }
  if (request.body.trim() === '') {
    if (options.allowEmpty === false) throw new HttpError(400, 'PARSE_ERROR', 'request body is empty');
    return {};
  }
  try {
    return JSON.parse(request.body);
  } catch (error) {
    throw new HttpError(400, 'PARSE_ERROR', `request body is not valid JSON: ${(error as Error).message}`);
  }
}

export interface CorsOptions {
  /** Origins allowed to call from a browser; `*` allows any. */
  readonly allowOrigins: readonly string[];
  /** @default - content-type, authorization, x-api-key, if-none-match */
  readonly allowHeaders?: readonly string[];
  /** @default - etag */
  readonly exposeHeaders?: readonly string[];
  /** @default 600 */
  readonly maxAgeSeconds?: number;
}

/** Answers CORS preflights and adds CORS headers for allowed origins. */
export function withCors(handler: HttpHandler, cors: CorsOptions | undefined): HttpHandler {
  if (!cors || cors.allowOrigins.length === 0) return handler;
  const allowHeaders = (cors.allowHeaders ?? ['content-type', 'authorization', 'x-api-key', 'if-none-match']).join(', ');
  const exposeHeaders = (cors.exposeHeaders ?? ['etag', 'retry-after']).join(', ');
  const anyOrigin = cors.allowOrigins.includes('*');
  return async (request, context) => {
    const origin = request.headers.origin;
    const allowed = origin !== undefined && (anyOrigin || cors.allowOrigins.includes(origin));
    const corsHeaders: Record<string, string> = allowed
      ? { 'access-control-allow-origin': anyOrigin ? '*' : origin, 'access-control-expose-headers': exposeHeaders, vary: 'Origin' }
      : {};
    if (request.method === 'OPTIONS') {
      if (!allowed) {
        const why = origin === undefined ? 'a CORS preflight needs an Origin header' : `origin ${origin.slice(0, 100)} is not allowed`;
        return jsonResponse(403, { errorCode: 'CORS_ORIGIN_NOT_ALLOWED', errorDetails: why });
      }
      return {
        status: 204,
        headers: {
          ...corsHeaders,
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': allowHeaders,
          'access-control-max-age': String(cors.maxAgeSeconds ?? 600),
        },
        body: '',
      };
    }
    const response = await handler(request, context);
    return { ...response, headers: { ...response.headers, ...corsHeaders } };
  };
}

/** The API key a caller presents: `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedApiKey(request: HttpRequest): string | undefined {
  const auth = request.headers.authorization;
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  return request.headers['x-api-key']?.trim() || undefined;
}

/** Constant-time comparison, so response timing does not reveal how much of a key matched. */
export function keysEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) return false;
  let diff = 0;
  for (let i = 0; i < left.length; i++) diff |= left[i] ^ right[i];
  return diff === 0;
}
