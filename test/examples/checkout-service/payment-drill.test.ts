import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EvaluationDetails } from '@openfeature/server-sdk';
import { createCheckoutApp, paymentDraw, type AppRequest, type FlagClient } from '../../../examples/checkout-service/src/checkout-app';
import { configFromEnv, parseFailureShare } from '../../../examples/checkout-service/src/config';
import { parseDemoArgs } from '../../../examples/checkout-service/src/demo';
import type { EventSender } from '../../../examples/checkout-service/src/event-sender';
import { runShoppers } from '../../../examples/checkout-service/src/shoppers';

/** `new-checkout` on (one-page) for users whose id starts with `one-`, off (classic) for the others. */
function splitFlags(): FlagClient & { evaluations: string[] } {
  const evaluations: string[] = [];
  return {
    evaluations,
    async getBooleanDetails(flagKey, _default, context) {
      const userId = String(context?.targetingKey);
      evaluations.push(userId);
      const value = userId.startsWith('one-');
      return { flagKey, value, variant: value ? 'on' : 'off', flagMetadata: {} } as EvaluationDetails<boolean>;
    },
  };
}

function recordingSender(): EventSender & { sent: Array<[string, string]> } {
  const sent: Array<[string, string]> = [];
  return {
    sent,
    track: async (event, userId) => {
      sent.push([event, userId]);
      return true;
    },
  };
}

const post = (path: string, body: unknown): AppRequest => ({ method: 'POST', path, query: {}, body });

/** One shopper through the whole journey, as shoppers.ts walks it: the status of each step. */
async function checkout(app: ReturnType<typeof createCheckoutApp>, userId: string): Promise<number[]> {
  const statuses: number[] = [];
  for (const path of ['/cart/view', '/checkout/start', '/checkout/pay']) statuses.push((await app(post(path, { userId }))).status);
  statuses.push((await app(post('/checkout/complete', { userId, amount: 40 }))).status);
  return statuses;
}

const urls = { FLAGS_URL: 'http://127.0.0.1:1', EVENTS_URL: 'http://127.0.0.1:2' };

describe('the example service: failing one-page payments on purpose (CHECKOUT_FAIL_ONE_PAGE_PAYMENTS)', () => {
  it('at 1, no one-page shopper completes: the payment and the completion answer 502 PAYMENT_FAILED, and no order_completed is sent', async () => {
    const events = recordingSender();
    const app = createCheckoutApp(splitFlags(), events, { failOnePagePayments: 1 });
    for (let i = 0; i < 20; i++) expect(await checkout(app, `one-${i}`)).toEqual([200, 200, 502, 502]);
    const failed = await app(post('/checkout/pay', { userId: 'one-0' }));
    expect(failed.body).toEqual({ error: { code: 'PAYMENT_FAILED', message: expect.stringMatching(/did not go through/) } });
    expect(events.sent.filter(([event]) => event === 'order_completed')).toEqual([]);
    // They did submit: the journey shows where they dropped out.
    expect(events.sent.filter(([event]) => event === 'payment_submitted')).toHaveLength(21);
  });

  it('at 1, classic shoppers are not affected', async () => {
    const events = recordingSender();
    const app = createCheckoutApp(splitFlags(), events, { failOnePagePayments: 1 });
    expect(await checkout(app, 'classic-1')).toEqual([200, 200, 200, 200]);
    expect(events.sent.map(([event]) => event)).toEqual(['cart_viewed', 'checkout_started', 'payment_submitted', 'order_completed']);
  });

  it('at 0 (and unset) nothing changes, and the flag is read only at checkout_started as before', async () => {
    for (const options of [{ failOnePagePayments: 0 }, {}]) {
      const flags = splitFlags();
      const events = recordingSender();
      const app = createCheckoutApp(flags, events, options);
      expect(await checkout(app, 'one-1')).toEqual([200, 200, 200, 200]);
      expect(await app(post('/checkout/complete', { userId: 'one-1', amount: 40 }))).toEqual({
        status: 200,
        body: { userId: 'one-1', event: 'order_completed', stored: true },
      });
      expect(events.sent.map(([event]) => event)).toEqual([
        'cart_viewed',
        'checkout_started',
        'payment_submitted',
        'order_completed',
        'order_completed',
      ]);
      expect(flags.evaluations).toEqual(['one-1']);
    }
  });

  it('fails a fixed share of shoppers, the same ones every time, and never reads the flag for cart_viewed', async () => {
    const users = Array.from({ length: 1000 }, (_, i) => `one-${i}`);
    const failing = users.filter((userId) => paymentDraw(userId) < 0.5);
    expect(failing.length).toBeGreaterThan(420);
    expect(failing.length).toBeLessThan(580);
    expect(users.filter((userId) => paymentDraw(userId) < 0.5)).toEqual(failing);

    const flags = splitFlags();
    const app = createCheckoutApp(flags, recordingSender(), { failOnePagePayments: 0.5 });
    await app(post('/cart/view', { userId: 'one-1' }));
    expect(flags.evaluations).toEqual([]);
    for (const userId of users.slice(0, 40)) {
      const paid = (await app(post('/checkout/pay', { userId }))).status;
      const completed = (await app(post('/checkout/complete', { userId }))).status;
      const expected = failing.includes(userId) ? 502 : 200;
      expect({ userId, paid, completed }).toEqual({ userId, paid: expected, completed: expected });
    }
  });

  it('takes an injected draw instead of the hash', async () => {
    const app = createCheckoutApp(splitFlags(), recordingSender(), {
      failOnePagePayments: 0.3,
      draw: (userId) => (userId === 'one-low' ? 0.1 : 0.9),
    });
    expect((await app(post('/checkout/pay', { userId: 'one-low' }))).status).toBe(502);
    expect((await app(post('/checkout/pay', { userId: 'one-high' }))).status).toBe(200);
    expect(() => createCheckoutApp(splitFlags(), recordingSender(), { failOnePagePayments: 2 })).toThrow(/from 0 to 1/);
  });

  it('reads the share from the environment, and refuses one outside 0..1 naming the variable', () => {
    expect(configFromEnv(urls).failOnePagePayments).toBe(0);
    expect(configFromEnv({ ...urls, CHECKOUT_FAIL_ONE_PAGE_PAYMENTS: '0.5' }).failOnePagePayments).toBe(0.5);
    expect(configFromEnv({ ...urls, CHECKOUT_FAIL_ONE_PAGE_PAYMENTS: '1' }).failOnePagePayments).toBe(1);
    expect(configFromEnv({ ...urls, CHECKOUT_FAIL_ONE_PAGE_PAYMENTS: '0' }).failOnePagePayments).toBe(0);
    for (const bad of ['1.5', '-0.1', 'half', 'Infinity']) {
      expect(() => configFromEnv({ ...urls, CHECKOUT_FAIL_ONE_PAGE_PAYMENTS: bad })).toThrow(
        /CHECKOUT_FAIL_ONE_PAGE_PAYMENTS: CHECKOUT_FAIL_ONE_PAGE_PAYMENTS must be a share from 0 to 1/,
      );
    }
    expect(() => parseFailureShare('2', '--fail-one-page-payments')).toThrow(
      "--fail-one-page-payments must be a share from 0 to 1 (0.5: half of the one-page payments fail), got '2'",
    );
  });

  it('npm run demo takes the share as --fail-one-page-payments, defaulting to the variable', () => {
    expect(parseDemoArgs([], {})).toEqual({ users: 300, failOnePagePayments: 0 });
    expect(parseDemoArgs(['--users', '40'], { CHECKOUT_FAIL_ONE_PAGE_PAYMENTS: '0.25' })).toEqual({ users: 40, failOnePagePayments: 0.25 });
    expect(parseDemoArgs(['--fail-one-page-payments', '1'], { CHECKOUT_FAIL_ONE_PAGE_PAYMENTS: '0.25' }).failOnePagePayments).toBe(1);
    expect(() => parseDemoArgs(['--fail-one-page-payments', '5'], {})).toThrow(/--fail-one-page-payments must be a share from 0 to 1/);
    expect(() => parseDemoArgs([], { CHECKOUT_FAIL_ONE_PAGE_PAYMENTS: 'x' })).toThrow(/CHECKOUT_FAIL_ONE_PAGE_PAYMENTS must be a share/);
    expect(() => parseDemoArgs(['--users', '3'], {})).toThrow(/--users must be a whole number of at least 20/);
  });

  describe('the simulated shoppers against a service failing every one-page payment', () => {
    let server: Server;
    let url: string;
    const events = recordingSender();
    beforeAll(async () => {
      const app = createCheckoutApp(splitFlags(), events, { failOnePagePayments: 1 });
      server = createServer((req, res) => {
        let text = '';
        req.on('data', (chunk) => (text += chunk));
        req.on('end', async () => {
          const { status, body } = await app(post(new URL(req.url ?? '/', 'http://x').pathname, JSON.parse(text || '{}')));
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('count the failed payments, give up on those checkouts, and complete only classic ones', async () => {
      const userIds = [...Array.from({ length: 20 }, (_, i) => `one-${i}`), ...Array.from({ length: 20 }, (_, i) => `classic-${i}`)];
      const result = await runShoppers({ serviceUrl: url, userIds, conversion: { 'one-page': 1, classic: 0.5 } });
      expect(result.completed).toEqual({ classic: 10 });
      expect(result.failedPayments).toEqual({ 'one-page': 20 });
      expect(events.sent.filter(([event, userId]) => event === 'order_completed' && userId.startsWith('one-'))).toEqual([]);
    });
  });
});
