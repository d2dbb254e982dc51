import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DEFAULT_TIMEOUT_MS } from '../../../client/ofrep-provider';
import { EXPOSURE_BUDGET_MS, kinesisExposureSink } from '../../../lambdas/flag-evaluation/kinesis-exposures';
import type { EventRecord } from '../../../domain/events/event-record';

const exposure: EventRecord = {
  messageId: 'exposure-1',
  type: 'exposure',
  event: '$exposure',
  userKey: 'user-1',
  timestamp: '2026-01-01T00:00:00.000Z',
  receivedAt: '2026-01-01T00:00:00.000Z',
  properties: {},
  featureFlags: [],
  context: {},
};

describe('kinesisExposureSink: a stalled stream does not hold up the flag answer', () => {
  let server: Server;
  let client: KinesisClient;
  beforeAll(async () => {
    // Accepts requests and never answers: a stream that stalls.
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new KinesisClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 3,
      // HTTP/1.1 as the flag Lambda sends, with a request timeout far above the budget: only the budget can stop it.
      requestHandler: new NodeHttpHandler({ requestTimeout: 10_000 }),
    });
  });
  afterAll(async () => {
    client.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up after its budget, retries included, so the caller counts a failed exposure and answers', async () => {
    const sink = kinesisExposureSink('events', () => client, { budgetMs: 200 });
    const outcome = await Promise.race([
      sink.record([exposure]).then(
        () => 'stored',
        (error: Error) => `failed: ${error.message}`,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5000).unref()),
    ]);
    expect(outcome).toMatch(/^failed: .*abort/i);
  });

  it('the budget is below the 2 s a client waits by default (MonoenvOfrepProvider)', () => {
    expect(EXPOSURE_BUDGET_MS).toBeLessThan(DEFAULT_TIMEOUT_MS);
  });
});
