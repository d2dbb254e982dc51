import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpHandler, HttpRequest } from './http';
import { errorResponse, jsonResponse } from './http';

export interface ServeOptions {
  /** @default 0 - a free port */
  readonly port?: number;
  /** @default '127.0.0.1' - loopback only */
  readonly host?: string;
  /** Bodies above this are refused with 413 before they are buffered. @default 1 MiB */
  readonly maxBodyBytes?: number;
  /** Where unexpected handler errors are reported. @default console.error */
  readonly logError?: (message: string, error?: unknown) => void;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Serves an HttpHandler over real HTTP, the same handler the Lambda runs. */
export async function serveHttp(handler: HttpHandler, options: ServeOptions = {}): Promise<RunningServer> {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const server = createServer(async (req, res) => {
    let response;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const request: HttpRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        headers,
        query: Object.fromEntries(url.searchParams),
        body: await readBody(req, maxBodyBytes),
        sourceIp: req.socket.remoteAddress,
      };
      response = await handler(request);
    } catch (error) {
      response =
        error instanceof BodyTooLarge
          ? jsonResponse(413, { errorCode: 'PARSE_ERROR', errorDetails: `request body exceeds ${maxBodyBytes} bytes` })
          : errorResponse(error);
      if (!(error instanceof BodyTooLarge)) (options.logError ?? ((message, cause) => console.error(message, cause)))('unhandled error', error);
    }
    res.writeHead(response.status, response.headers);
    res.end(response.body);
  });
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
