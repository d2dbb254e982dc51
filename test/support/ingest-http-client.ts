import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

/**
 * A client for hostile requests over real HTTP: any method, path and headers, bodies that stall part-way, raw
 * bytes that are not HTTP at all. It never throws for what the server does (an answer, a closed connection, a
 * reset); it reports it, with the time it took, so a test can assert "4xx within a bound" or "closed".
 * Transport-neutral: nothing here knows the ingestion API (the OFREP corpus can use it as is).
 */
export interface HostileRequest {
  /** @default POST */
  readonly method?: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Send the headers (content-length of the whole body) and this many body bytes, then nothing more. */
  readonly stallAfterBytes?: number;
  /** Write these bytes to the socket instead of a request built from the fields above (malformed HTTP, stalled headers). */
  readonly raw?: string | Buffer;
  /** Close the connection this long after sending what was sent (a client that gives up). */
  readonly abortAfterMs?: number;
}

export interface HostileAnswer {
  /** undefined: the connection ended without an HTTP answer. */
  readonly status?: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The body as JSON, when it is JSON. */
  readonly json?: any;
  /** From the first byte sent to the answer (or the end of the connection). */
  readonly elapsedMs: number;
  /** Set when the connection ended without an answer: 'closed', 'reset', 'aborted by the client', 'gave up'. */
  readonly ended?: string;
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** Sends one request and waits at most `giveUpMs` for the answer. */
export function exchange(baseUrl: string, request: HostileRequest, giveUpMs = 15_000): Promise<HostileAnswer> {
  return request.raw !== undefined ? rawExchange(baseUrl, request, giveUpMs) : httpExchange(baseUrl, request, giveUpMs);
}

function httpExchange(baseUrl: string, request: HostileRequest, giveUpMs: number): Promise<HostileAnswer> {
  const { hostname, port } = new URL(baseUrl);
  const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const settle = (answer: Omit<HostileAnswer, 'elapsedMs'>) => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      req.destroy();
      resolve({ ...answer, elapsedMs: Date.now() - started });
    };
    const req = httpRequest({
      host: hostname,
      port,
      method: request.method ?? 'POST',
      path: request.path,
      // No keep-alive: each case on a connection of its own, so a closed connection is this case's.
      agent: false,
      headers: { connection: 'close', ...(body ? { 'content-length': String(body.length) } : {}), ...request.headers },
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      const done = () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
        settle({ status: res.statusCode, headers, body: text, json: parseJson(text) });
      };
      res.on('end', done);
      res.on('error', done);
      res.on('aborted', done);
    });
    req.on(
      'error',
      (error: NodeJS.ErrnoException) =>
        !answered &&
        settle({ headers: {}, body: '', ended: error.code === 'ECONNRESET' ? 'reset' : `error ${error.code ?? error.message}` }),
    );
    req.on('close', () => !answered && settle({ headers: {}, body: '', ended: 'closed' }));
    timers.push(setTimeout(() => settle({ headers: {}, body: '', ended: 'gave up' }), giveUpMs));
    if (request.abortAfterMs !== undefined)
      timers.push(setTimeout(() => settle({ headers: {}, body: '', ended: 'aborted by the client' }), request.abortAfterMs));
    if (body && request.stallAfterBytes !== undefined) {
      req.write(body.subarray(0, request.stallAfterBytes));
      req.flushHeaders();
    } else {
      req.end(body);
    }
  });
}

/** Raw bytes over TCP; the answer is read with a small HTTP/1.1 response parser (content-length or chunked). */
function rawExchange(baseUrl: string, request: HostileRequest, giveUpMs: number): Promise<HostileAnswer> {
  const { hostname, port } = new URL(baseUrl);
  const started = Date.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const socket = connect(Number(port), hostname, () => socket.write(request.raw!));
    const settle = (ended?: string) => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      socket.destroy();
      const parsed = parseResponse(Buffer.concat(chunks));
      resolve({
        ...(parsed ?? { headers: {}, body: '' }),
        ...(parsed ? {} : { ended: ended ?? 'closed' }),
        elapsedMs: Date.now() - started,
      });
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (parseResponse(Buffer.concat(chunks))) settle();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => settle(error.code === 'ECONNRESET' ? 'reset' : `error ${error.code}`));
    socket.on('close', () => settle('closed'));
    timers.push(setTimeout(() => settle('gave up'), giveUpMs));
    if (request.abortAfterMs !== undefined) timers.push(setTimeout(() => settle('aborted by the client'), request.abortAfterMs));
  });
}

/** A complete HTTP/1.1 response in `bytes`, or undefined while it is not complete. */
function parseResponse(bytes: Buffer): Omit<HostileAnswer, 'elapsedMs'> | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let rest = bytes.subarray(end + 4);
  let body: Buffer;
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      if (lineEnd < 0) return undefined;
      const size = parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      if (size === 0) break;
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      rest = rest.subarray(lineEnd + 2 + size + 2);
    }
    body = Buffer.concat(parts);
  } else {
    const length = Number(headers['content-length'] ?? 0);
    if (rest.length < length) return undefined;
    body = rest.subarray(0, length);
  }
  const text = body.toString('utf8');
  return { status, headers, body: text, json: parseJson(text) };
}
