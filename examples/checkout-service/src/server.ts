/**
 * The checkout service's process: OpenFeature with the monoenv OFREP provider, the event sender, and a
 * plain node:http server. `node server.js` in the container; `startCheckoutService` in tests.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenFeature } from '@openfeature/server-sdk';
import { MonoenvOfrepProvider } from '../../../client';
import { createCheckoutApp } from './checkout-app';
import { configFromEnv, type CheckoutServiceConfig } from './config';
import { createEventSender } from './event-sender';

const MAX_BODY_BYTES = 16 * 1024;

export interface RunningCheckoutService {
  readonly url: string;
  close(): Promise<void>;
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(Object.assign(new Error('body too large'), { status: 413, code: 'BODY_TOO_LARGE' }));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch {
        reject(Object.assign(new Error('the body is not valid JSON'), { status: 400, code: 'INVALID_JSON' }));
      }
    });
    req.on('error', reject);
  });
}

export async function startCheckoutService(config: CheckoutServiceConfig): Promise<RunningCheckoutService> {
  // A named domain, so the service's provider never replaces the default one of a host process (tests).
  const domain = `checkout-service-${process.pid}-${Date.now()}`;
  const provider = new MonoenvOfrepProvider({ baseUrl: config.flagsUrl, apiKey: config.flagsServerKey, timeoutMs: config.flagsTimeoutMs });
  await OpenFeature.setProviderAndWait(domain, provider);
  const handle = createCheckoutApp(
    OpenFeature.getClient(domain),
    createEventSender({ eventsUrl: config.eventsUrl, writeKey: config.eventsWriteKey, timeoutMs: config.eventsTimeoutMs }),
    { failOnePagePayments: config.failOnePagePayments },
  );

  const server = createServer(async (req, res) => {
    let status = 500;
    let body: unknown = { error: { code: 'INTERNAL', message: 'internal error' } };
    try {
      const url = new URL(req.url ?? '/', 'http://service');
      const payload = req.method === 'POST' ? await readJson(req) : undefined;
      ({ status, body } = await handle({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: payload,
      }));
    } catch (error) {
      const known = error as { status?: number; code?: string; message: string };
      if (known.status) ({ status, body } = { status: known.status, body: { error: { code: known.code, message: known.message } } });
      else console.error('checkout-service: unhandled error', error);
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await provider.onClose();
    },
  };
}

async function main(): Promise<void> {
  const config = configFromEnv(process.env);
  const service = await startCheckoutService(config);
  console.log(`checkout-service listening on ${service.url}`);
  const share = config.failOnePagePayments ?? 0;
  if (share > 0)
    console.log(`checkout-service: ${+(share * 100).toFixed(2)}% of one-page checkout payments fail (CHECKOUT_FAIL_ONE_PAGE_PAYMENTS)`);
  const stop = () => void service.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
