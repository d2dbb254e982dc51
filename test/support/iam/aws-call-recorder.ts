import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { iamServicePrefix, mapCall } from './aws-actions';
import { parseAwsRequest } from './aws-request';
import { recordedCall, unmapped, type Mapping, type RecordedCall } from './recorded-call';

/**
 * An HTTP proxy in front of a local AWS (moto) that forwards every request unchanged and records,
 * per request, which principal called what and what IAM would authorize for it. moto checks no IAM;
 * the records let a test check the calls against the policies we synthesize (see iam-simulation.ts).
 */

export interface RecordingProxyOptions {
  /** The local AWS endpoint, e.g. moto's `http://127.0.0.1:5000`. Loopback only. */
  readonly target: string;
  /** The account resource ARNs are built in. @default '123456789012' (moto's) */
  readonly accountId?: string;
}

export interface RecordingProxy {
  /** Give this to the SDK clients as `endpoint`. */
  readonly url: string;
  readonly port: number;
  /** The calls recorded so far, in the order they were made. */
  calls(): RecordedCall[];
  close(): Promise<void>;
}

export const MOTO_ACCOUNT_ID = '123456789012';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const readAll = (stream: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });

/** The response as JSON, when it is JSON (possibly compressed); the client still gets the bytes as sent. */
function jsonOf(body: Buffer, encoding: string | undefined): Record<string, unknown> | undefined {
  try {
    const plain = encoding === 'gzip' ? gunzipSync(body) : encoding === 'deflate' ? inflateSync(body) : body;
    const value: unknown = JSON.parse(plain.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function startRecordingProxy(options: RecordingProxyOptions): Promise<RecordingProxy> {
  const target = new URL(options.target);
  if (target.protocol !== 'http:' || !LOOPBACK.has(target.hostname))
    throw new Error(`recording proxy target must be http on loopback, got ${options.target}`);
  const accountId = options.accountId ?? MOTO_ACCOUNT_ID;
  const kinesisTokens = new Map<string, string>();
  const recorded: { order: number; call: RecordedCall }[] = [];
  const agent = new Agent({ keepAlive: true });
  let requests = 0;

  const forward = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const order = requests++;
    const body = await readAll(req);
    const parsed = parseAwsRequest({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
    let done = false;
    const record = (status: number, output: Record<string, unknown> | undefined) => {
      if (done) return;
      done = true;
      const service = iamServicePrefix(parsed.signingName);
      const context = { accountId, region: parsed.region, kinesisTokens };
      let mapping: Mapping;
      try {
        mapping = mapCall(service, { operation: parsed.operation, input: parsed.input, output }, context);
      } catch (error) {
        mapping = unmapped(`mapping failed: ${(error as Error).message}`);
      }
      recorded.push({
        order,
        call: recordedCall({ principal: parsed.principal, service, operation: parsed.operation, region: parsed.region, status }, mapping),
      });
    };

    const upstream = httpRequest({
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
      agent,
    });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.pipe(res, { end: false });
      answer.on('end', () => {
        // Record before the client has the whole answer, so its next call (GetRecords with the
        // iterator just returned) already finds the iterator remembered.
        record(answer.statusCode ?? 502, jsonOf(Buffer.concat(chunks), answer.headers['content-encoding']));
        res.end();
      });
    });
    upstream.on('error', (error) => {
      record(502, undefined);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`recording proxy: ${target.host} did not answer: ${error.message}`);
    });
    upstream.end(body);
  };

  const server = createServer((req, res) => {
    forward(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`recording proxy: ${error.message}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls: () => [...recorded].sort((a, b) => a.order - b.order).map((r) => r.call),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
