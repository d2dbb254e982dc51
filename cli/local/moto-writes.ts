/**
 * A pass-through in front of moto that lets through one at a time the writes moto cannot take concurrently:
 * Kinesis PutRecord(s), whose concurrent calls lose records (moto 5.2 hands out the same sequence number twice and
 * the later record replaces the earlier one: 4,991 of 5,000 records stored with 8 writers, all reported stored), and
 * DynamoDB TransactWriteItems, which copies the table while other requests change it (HTTP 500s). AWS does
 * neither; without this, local production would lose what it accepted. Everything else is forwarded as it comes.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const ONE_AT_A_TIME = /^(Kinesis_20131202\.PutRecords?|DynamoDB_20120810\.TransactWriteItems)$/;

export interface MotoWrites {
  readonly url: string;
  close(): Promise<void>;
}

function forward(target: URL, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const upstream = request(
      { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', resolve);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `local AWS unreachable: ${error.message}` }));
      resolve();
    });
    upstream.end(body);
  });
}

export async function startMotoWrites(motoEndpoint: string): Promise<MotoWrites> {
  const target = new URL(motoEndpoint);
  // One queue per service: a put never waits for a transaction.
  const queues = new Map<string, Promise<void>>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const amzTarget = String(req.headers['x-amz-target'] ?? '');
      if (!ONE_AT_A_TIME.test(amzTarget)) {
        void forward(target, req, body, res);
        return;
      }
      const service = amzTarget.split('.')[0];
      queues.set(
        service,
        (queues.get(service) ?? Promise.resolve()).then(() => forward(target, req, body, res)),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
