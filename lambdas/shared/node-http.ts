import { createServer, type IncomingMessage, type Server, type ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { HttpHandler, HttpRequest } from './http';
import { errorResponse, jsonResponse } from './http';
import { defaultLambdaIo } from './lambda-io';

/**
 * Serving over plain Node HTTP, for `monoenv flags serve`, the tests, and (through the helpers below) the local
 * front door. Hostile clients are bounded: headers and body each have a time limit (408, connection closed), a
 * body a size limit (413, connection closed), and a client that goes away is a note, not an error.
 */
export interface ServeOptions {
  /** @default 0 - a free port */
  readonly port?: number;
  /** @default '127.0.0.1' - loopback only */
  readonly host?: string;
  /** Bodies above this are refused with 413 before they are buffered. @default 1 MiB */
  readonly maxBodyBytes?: number;
  /** Time to receive the request line and headers; then Node answers 408 and closes. @default 10000 */
  readonly headersTimeoutMs?: number;
  /** Time to receive the whole body once the headers are in; then 408 REQUEST_TIMEOUT and the connection is closed. @default 10000 */
  readonly bodyTimeoutMs?: number;
  /** Where unexpected handler errors are reported. @default console.error */
  readonly logError?: (message: string, error?: unknown) => void;
  /** Notes that are not errors: a client that closed the connection before its request was complete. @default - none */
  readonly log?: (line: string) => void;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

export type BodyRead =
  | { readonly outcome: 'complete'; readonly body: Buffer }
  | { readonly outcome: 'too-large' }
  | { readonly outcome: 'timeout' }
  /** The client closed the connection first: there is nobody to answer. */
  | { readonly outcome: 'aborted' };

/** Reads a request body within a size and a time limit. Never rejects. */
export function readBody(req: IncomingMessage, limits: { readonly maxBytes: number; readonly timeoutMs: number }): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onClose);
      // Discard the rest without buffering; the answer closes the connection.
      if (result.outcome !== 'complete') req.on('error', () => undefined).resume();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) finish({ outcome: 'too-large' });
      else chunks.push(chunk);
    };
    const onEnd = () => finish({ outcome: 'complete', body: Buffer.concat(chunks) });
    const onAbort = () => finish({ outcome: 'aborted' });
    const onClose = () => {
      if (!req.complete) onAbort();
    };
    const timer = setTimeout(() => finish({ outcome: 'timeout' }), limits.timeoutMs);
    req.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onClose);
    // A body declared too large is refused before it is read, however slowly it would arrive.
    if (Number(req.headers['content-length']) > limits.maxBytes) finish({ outcome: 'too-large' });
  });
}

/**
 * The request target as a URL, or undefined when it is not one (e.g. `GET http://[`). An origin-form target
 * (`/path`) is read as a path: `//host/path` stays a path rather than naming a host.
 */
export function requestUrl(target: string | undefined): URL | undefined {
  const raw = target ?? '/';
  try {
    return new URL(raw.startsWith('/') ? `http://localhost${raw}` : raw);
  } catch {
    return undefined;
  }
}

/** createServer options for the time limits. Node checks them every `connectionsCheckingInterval` (30 s by default). */
export function timeLimitOptions(limits: { readonly headersTimeoutMs: number; readonly bodyTimeoutMs: number }): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    // A backstop only: the body timeout answers first, with a body.
    requestTimeout: limits.headersTimeoutMs + limits.bodyTimeoutMs + 1000,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/**
 * Answers what Node refuses before a handler runs (headers too large or too slow, malformed HTTP) with `render`'s
 * JSON, and closes the connection; a client that is already gone is let go without a word.
 */
export interface ClientErrorAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly code: string;
  readonly message: string;
}

export function answerClientErrors(server: Server, render: (answer: ClientErrorAnswer) => string): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, code, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'HEADERS_TOO_LARGE', 'request headers are too large']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'REQUEST_TIMEOUT', 'the request was not received in time']
          : [400, 'BAD_REQUEST', 'malformed HTTP request'];
    const body = render({ status, statusText: STATUS_TEXT[status], code, message });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    socket.once('finish', () => socket.destroy());
  });
}

/** Serves an HttpHandler over real HTTP, the same handler the Lambda runs. */
export async function serveHttp(handler: HttpHandler, options: ServeOptions = {}): Promise<RunningServer> {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const logError = options.logError ?? defaultLambdaIo.logError;
  const server = createServer(
    timeLimitOptions({ headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, bodyTimeoutMs }),
    async (req, res) => {
      const method = (req.method ?? 'GET').toUpperCase();
      const url = requestUrl(req.url);
      const read = await readBody(req, { maxBytes: maxBodyBytes, timeoutMs: bodyTimeoutMs });
      let response;
      if (read.outcome === 'aborted') {
        options.log?.(`client closed the connection before its request was complete (${method} ${url?.pathname ?? req.url})`);
        return;
      } else if (read.outcome === 'timeout') {
        response = jsonResponse(
          408,
          { errorCode: 'REQUEST_TIMEOUT', errorDetails: `request body not received within ${bodyTimeoutMs} ms` },
          { connection: 'close' },
        );
      } else if (read.outcome === 'too-large') {
        response = jsonResponse(
          413,
          { errorCode: 'PARSE_ERROR', errorDetails: `request body exceeds ${maxBodyBytes} bytes` },
          { connection: 'close' },
        );
      } else if (!url) {
        response = jsonResponse(400, {
          errorCode: 'BAD_REQUEST',
          errorDetails: `request target is not a URL: ${String(req.url).slice(0, 100)}`,
        });
      } else {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        const request: HttpRequest = {
          method,
          path: url.pathname,
          headers,
          query: Object.fromEntries(url.searchParams),
          body: read.body.toString('utf8'),
          sourceIp: req.socket.remoteAddress,
        };
        try {
          response = await handler(request);
        } catch (error) {
          logError('unhandled error', error);
          response = errorResponse(error);
        }
      }
      // A client that left while the handler ran is simply not answered.
      if (res.destroyed) return;
      res.writeHead(response.status, response.headers);
      res.end(response.body);
    },
  );
  answerClientErrors(server, ({ code, message }) => JSON.stringify({ errorCode: code, errorDetails: message }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    server,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Keep-alive clients (browsers, SDK agents) would otherwise hold the close open for seconds.
        server.closeAllConnections();
      }),
  };
}
