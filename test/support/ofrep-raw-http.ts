import { connect, type Socket } from 'node:net';

/**
 * A deliberately dumb HTTP/1.1 client over a raw socket: it sends exactly the bytes it is given (fetch and
 * node:http normalize paths, refuse odd methods and header bytes), and reports what came back, or that the
 * connection was closed without an answer.
 */
export interface RawAnswer {
  /** The status code, or 'closed' when the server closed the connection without a response. */
  readonly status: number | 'closed';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface RawRequest {
  readonly method: string;
  readonly path: string;
  /** Sent as given, in order; `Host`, `Connection: close` and `Content-Length` are added unless present. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

/** Request bytes for `request`: latin1 for the head (header bytes pass through as they are), the body as is. */
export function requestBytes(request: RawRequest): Buffer {
  const names = new Set(request.headers.map(([name]) => name.toLowerCase()));
  const headers = [...request.headers];
  if (!names.has('host')) headers.unshift(['Host', '127.0.0.1']);
  if (!names.has('connection')) headers.push(['Connection', 'close']);
  if (!names.has('content-length') && !names.has('transfer-encoding')) headers.push(['Content-Length', String(request.body.length)]);
  const head = `${request.method} ${request.path} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), request.body]);
}

function decodeChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export function parseAnswer(bytes: Buffer): RawAnswer {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd < 0) return { status: 'closed', headers: {}, body: '' };
  const [statusLine, ...headerLines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const raw = bytes.subarray(headEnd + 4);
  const body = headers['transfer-encoding'] === 'chunked' ? decodeChunked(raw) : raw;
  return { status, headers, body: body.toString('utf8') };
}

export interface SendOptions {
  /** Bytes written one piece at a time with `delayMs` between them (a slow client). @default - all at once */
  readonly pieces?: readonly Buffer[];
  readonly delayMs?: number;
  /** Destroy the socket after the pieces are written instead of waiting for an answer (a client that gives up). */
  readonly abort?: boolean;
  /** End the client's side after the pieces are written (a half-close), then wait for an answer. */
  readonly halfClose?: boolean;
  /** Give up waiting after this long and report what arrived. @default 10000 */
  readonly timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends bytes to `port` on loopback and collects the answer until the server closes the connection. */
export async function sendRaw(port: number, bytes: Buffer, options: SendOptions = {}): Promise<RawAnswer> {
  const socket: Socket = connect(port, '127.0.0.1');
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const closed = new Promise<void>((resolve) => {
    socket.on('close', () => resolve());
    socket.on('error', () => resolve()); // a reset is an answer too: whatever arrived before it counts
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()).once('error', () => resolve()));
  const timer = setTimeout(() => socket.destroy(), options.timeoutMs ?? 10_000);
  try {
    for (const piece of options.pieces ?? [bytes]) {
      if (socket.destroyed) break;
      socket.write(piece);
      if (options.delayMs) await sleep(options.delayMs);
    }
    if (options.abort) socket.destroy();
    else if (options.halfClose) socket.end();
    await closed;
  } finally {
    clearTimeout(timer);
  }
  return parseAnswer(Buffer.concat(received));
}
