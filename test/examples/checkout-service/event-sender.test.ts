import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEventSender } from '../../../examples/checkout-service/src/event-sender';

/** An ingestion API on loopback that answers each request with the next scripted behaviour. */
async function scriptedApi(
  script: Array<(res: ServerResponse) => void>,
): Promise<{ url: string; messageIds: string[]; close: () => Promise<void> }> {
  const messageIds: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      messageIds.push((JSON.parse(text) as { batch: Array<{ messageId: string }> }).batch[0].messageId);
      (script.shift() ?? ((r) => r.writeHead(500).end()))(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    messageIds,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections(); // including the request left unanswered on purpose
        server.close(() => resolve());
      }),
  };
}

const stored = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":1}');
const silent = () => undefined; // never answers: the sender's timeout fires
const status = (code: number) => (res: ServerResponse) => res.writeHead(code, { 'content-type': 'application/json' }).end('{}');

describe("the example service's event sender", () => {
  it('sends an event again with the same messageId after a timeout or a 503, so it is stored and counted once', async () => {
    const api = await scriptedApi([silent, status(503), stored]);
    const log: string[] = [];
    try {
      const sender = createEventSender({ eventsUrl: api.url, timeoutMs: 200, log: (line) => log.push(line) });
      await expect(sender.track('cart_viewed', 'u1')).resolves.toBe(true);
      expect(api.messageIds).toHaveLength(3);
      expect(new Set(api.messageIds).size).toBe(1);
      expect(log).toEqual([]);
    } finally {
      await api.close();
    }
  });

  it('gives up after its attempts, and never repeats what the API refused (4xx)', async () => {
    const api = await scriptedApi([status(500), status(500), status(400)]);
    const log: string[] = [];
    try {
      const sender = createEventSender({ eventsUrl: api.url, timeoutMs: 200, attempts: 2, log: (line) => log.push(line) });
      await expect(sender.track('cart_viewed', 'u1')).resolves.toBe(false);
      expect(log).toEqual(['checkout-service: event cart_viewed not stored (HTTP 500)']);
      await expect(sender.track('checkout_started', 'u1')).resolves.toBe(false);
      expect(api.messageIds).toHaveLength(3);
      expect(log[1]).toBe('checkout-service: event checkout_started not stored (HTTP 400)');
    } finally {
      await api.close();
    }
  });
});
