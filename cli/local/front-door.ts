/**
 * The deployed HTTP API on loopback: the routes read back from the local AWS, matched as API Gateway matches them,
 * its payload format 2.0 events to the functions, its `$default` stage throttling, and its own answers where no
 * function runs (404, 413, 429, 500). moto stores the API but serves nothing; this serves it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeployedApi, DeployedRoute } from './deployed';

/** API Gateway's limit on an HTTP API request. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface MatchedRoute {
  readonly route: DeployedRoute;
  readonly pathParameters: Record<string, string>;
}

const pathPattern = (path: string): RegExp =>
  new RegExp(`^${path.split('/').map((part) => (/^\{[^}]+\+\}$/.test(part) ? '(.+)' : /^\{[^}]+\}$/.test(part) ? '([^/]+)' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/')}$`);

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
export function httpApiEvent(api: DeployedApi, matched: MatchedRoute, request: HttpApiRequest, accountId: string, nowMs: number): Record<string, unknown> {
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
      http: { method: request.method, path: request.rawPath, protocol: 'HTTP/1.1', sourceIp: request.sourceIp, userAgent: request.headers['user-agent'] ?? '' },
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

const gatewayAnswer = (status: number, message: string): HttpApiResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ message })),
});

/** How API Gateway turns a function's result (format 2.0) into the HTTP response. */
export function httpApiResponse(result: unknown): HttpApiResponse {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const { statusCode, headers, body, isBase64Encoded } = result as { statusCode: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean };
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
}

export interface RunningFrontDoor {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_PAYLOAD_BYTES ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function serveFrontDoor(options: FrontDoorOptions): Promise<RunningFrontDoor> {
  const now = options.now ?? Date.now;
  const allowed = stageThrottle(options.api.throttle, now);
  const answer = async (req: IncomingMessage): Promise<HttpApiResponse> => {
    const url = new URL(req.url ?? '/', 'http://front-door');
    // Local only: a readiness check for `npm start` and the tests; not a route of the API.
    if (url.pathname === '/health' && req.method === 'GET') return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"status":"ok"}') };
    const body = await readBody(req);
    if (body === 'too-large') return gatewayAnswer(413, 'Request Entity Too Large');
    const matched = matchRoute(options.api.routes, req.method ?? 'GET', url.pathname);
    if (!matched) return gatewayAnswer(404, 'Not Found');
    if (!allowed()) return gatewayAnswer(429, 'Too Many Requests');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    const event = httpApiEvent(options.api, matched, {
      method: req.method ?? 'GET',
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      body: body.toString('utf8'),
      sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
    }, options.accountId, now());
    try {
      return httpApiResponse(await options.invoke(matched.route.functionName, event));
    } catch (error) {
      options.onError(matched.route.functionName, error as Error);
      return gatewayAnswer(500, 'Internal Server Error');
    }
  };
  const server: Server = createServer((req, res: ServerResponse) => {
    answer(req).then(
      (response) => {
        res.writeHead(response.status, response.headers);
        res.end(response.body);
      },
      () => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"message":"Internal Server Error"}');
      },
    );
  });
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
