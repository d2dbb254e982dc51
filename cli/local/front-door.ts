/**
 * The deployed HTTP API on loopback: the routes read back from the local AWS, matched as API Gateway matches them,
 * its payload format 2.0 events to the functions, its `$default` stage throttling, and its own answers where no
 * function runs (400, 404, 408, 413, 429, 500). moto stores the API but serves nothing; this serves it. A slow or
 * stalled client is cut off with 408, and one that leaves early is a log line, not an error.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  answerClientErrors,
  DEFAULT_BODY_TIMEOUT_MS,
  DEFAULT_HEADERS_TIMEOUT_MS,
  readBody,
  requestUrl,
  timeLimitOptions,
} from '../../lambdas/shared/node-http';
import type { DeployedApi, DeployedRoute } from './deployed';

/** API Gateway's limit on an HTTP API request. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface MatchedRoute {
  readonly route: DeployedRoute;
  readonly pathParameters: Record<string, string>;
}

const pathPattern = (path: string): RegExp =>
  new RegExp(
    `^${path
      .split('/')
      .map((part) =>
        /^\{[^}]+\+\}$/.test(part) ? '(.+)' : /^\{[^}]+\}$/.test(part) ? '([^/]+)' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'),
      )
      .join('/')}$`,
  );

/**
 * API Gateway's choice among the routes that match: a method route before `ANY`, a literal path before one with
 * parameters (fewer parameters first), `$default` last.
 */
export function matchRoute(routes: readonly DeployedRoute[], method: string, path: string): MatchedRoute | undefined {
  const candidates = routes.flatMap((route) => {
    if (route.routeKey === '$default') return [{ route, params: {}, rank: [2, 0, 0] }];
    const [routeMethod, routePath] = route.routeKey.split(' ');
    if (routeMethod !== 'ANY' && routeMethod !== method) return [];
    const match = pathPattern(routePath).exec(path);
    if (!match) return [];
    const names = [...routePath.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]);
    // Throws URIError on a malformed escape (`%E0%A4%A`): the caller answers 400.
    const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
    return [{ route, params, rank: [0, names.length, routeMethod === 'ANY' ? 1 : 0] }];
  });
  candidates.sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.rank[2] - b.rank[2]);
  return candidates[0] && { route: candidates[0].route, pathParameters: candidates[0].params };
}

/** A token bucket like the stage's: `burst` requests at once, refilled at `rate` per second. */
export function stageThrottle(throttle: DeployedApi['throttle'], now: () => number = Date.now): () => boolean {
  if (!throttle) return () => true;
  let tokens = throttle.burstLimit;
  let last = now();
  return () => {
    const at = now();
    tokens = Math.min(throttle.burstLimit, tokens + ((at - last) / 1000) * throttle.rateLimit);
    last = at;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

export interface HttpApiRequest {
  readonly method: string;
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly sourceIp: string;
}

/** The payload format 2.0 event API Gateway sends a Lambda integration. */
export function httpApiEvent(
  api: DeployedApi,
  matched: MatchedRoute,
  request: HttpApiRequest,
  accountId: string,
  nowMs: number,
): Record<string, unknown> {
  const query = new URLSearchParams(request.rawQueryString);
  const queryStringParameters: Record<string, string> = {};
  for (const key of new Set(query.keys())) queryStringParameters[key] = query.getAll(key).join(',');
  return {
    version: '2.0',
    routeKey: matched.route.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    headers: request.headers,
    ...(request.rawQueryString ? { queryStringParameters } : {}),
    ...(Object.keys(matched.pathParameters).length ? { pathParameters: matched.pathParameters } : {}),
    requestContext: {
      accountId,
      apiId: api.id,
      domainName: request.headers.host ?? 'localhost',
      http: {
        method: request.method,
        path: request.rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: matched.route.routeKey,
      stage: '$default',
      time: new Date(nowMs).toUTCString(),
      timeEpoch: nowMs,
    },
    body: request.body,
    isBase64Encoded: false,
  };
}

export interface HttpApiResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

const gatewayAnswer = (status: number, message: string, headers: Record<string, string> = {}): HttpApiResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: Buffer.from(JSON.stringify({ message })),
});

/** How API Gateway turns a function's result (format 2.0) into the HTTP response. */
export function httpApiResponse(result: unknown): HttpApiResponse {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const { statusCode, headers, body, isBase64Encoded } = result as {
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
      isBase64Encoded?: boolean;
    };
    return { status: statusCode, headers: headers ?? {}, body: Buffer.from(body ?? '', isBase64Encoded ? 'base64' : 'utf8') };
  }
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(result ?? null)) };
}

export interface FrontDoorOptions {
  readonly api: DeployedApi;
  readonly accountId: string;
  readonly invoke: (functionName: string, event: Record<string, unknown>) => Promise<unknown>;
  readonly port: number;
  /** A function failed or could not run (API Gateway answers 500). */
  readonly onError: (functionName: string, error: Error) => void;
  /** @default Date.now */
  readonly now?: () => number;
  /** Time to receive the request line and headers; then 408 and the connection is closed. @default 10000 */
  readonly headersTimeoutMs?: number;
  /** Time to receive the whole body once the headers are in; then 408 and the connection is closed. @default 10000 */
  readonly bodyTimeoutMs?: number;
  /** Notes that are not errors: a client that closed the connection before its request was complete. @default - none */
  readonly log?: (line: string) => void;
}

export interface RunningFrontDoor {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function serveFrontDoor(options: FrontDoorOptions): Promise<RunningFrontDoor> {
  const now = options.now ?? Date.now;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const allowed = stageThrottle(options.api.throttle, now);
  /** undefined: the client left, nobody to answer. */
  const answer = async (req: IncomingMessage): Promise<HttpApiResponse | undefined> => {
    const method = req.method ?? 'GET';
    const url = requestUrl(req.url);
    const read = await readBody(req, { maxBytes: MAX_PAYLOAD_BYTES, timeoutMs: bodyTimeoutMs });
    if (read.outcome === 'aborted') {
      options.log?.(`front door: client closed the connection before its request was complete (${method} ${url?.pathname ?? req.url})`);
      return undefined;
    }
    if (read.outcome === 'timeout') return gatewayAnswer(408, 'Request Timeout', { connection: 'close' });
    if (read.outcome === 'too-large') return gatewayAnswer(413, 'Request Entity Too Large', { connection: 'close' });
    if (!url) return gatewayAnswer(400, 'Bad Request');
    // Local only: a readiness check for `npm start` and the tests; not a route of the API.
    if (url.pathname === '/health' && method === 'GET')
      return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"status":"ok"}') };
    let matched: MatchedRoute | undefined;
    try {
      matched = matchRoute(options.api.routes, method, url.pathname);
    } catch {
      return gatewayAnswer(400, 'Bad Request');
    }
    if (!matched) return gatewayAnswer(404, 'Not Found');
    if (!allowed()) return gatewayAnswer(429, 'Too Many Requests');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    const event = httpApiEvent(
      options.api,
      matched,
      {
        method,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        body: read.body.toString('utf8'),
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      },
      options.accountId,
      now(),
    );
    try {
      return httpApiResponse(await options.invoke(matched.route.functionName, event));
    } catch (error) {
      options.onError(matched.route.functionName, error as Error);
      return gatewayAnswer(500, 'Internal Server Error');
    }
  };
  const server: Server = createServer(
    timeLimitOptions({ headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, bodyTimeoutMs }),
    (req, res: ServerResponse) => {
      answer(req).then(
        (response) => {
          // A client that left is not answered (and is no error).
          if (!response || res.destroyed) return;
          res.writeHead(response.status, response.headers);
          res.end(response.body);
        },
        () => {
          if (res.destroyed) return;
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"message":"Internal Server Error"}');
        },
      );
    },
  );
  answerClientErrors(server, ({ statusText }) => JSON.stringify({ message: statusText }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
