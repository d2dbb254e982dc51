import type { EvaluationDetails } from '@openfeature/server-sdk';
import { createCheckoutApp, type FlagClient } from '../../../examples/checkout-service/src/checkout-app';
import { configFromEnv } from '../../../examples/checkout-service/src/config';
import type { EventSender } from '../../../examples/checkout-service/src/event-sender';

function flagsReturning(value: boolean, variant?: string): FlagClient & { contexts: unknown[] } {
  const contexts: unknown[] = [];
  return {
    contexts,
    async getBooleanDetails(flagKey, _default, context) {
      contexts.push(context);
      return { flagKey, value, variant, flagMetadata: {} } as EvaluationDetails<boolean>;
    },
  };
}

function recordingSender(stored = true): EventSender & { sent: unknown[][] } {
  const sent: unknown[][] = [];
  return {
    sent,
    track: async (...args) => {
      sent.push(args);
      return stored;
    },
  };
}

describe('example checkout service', () => {
  it('chooses the one-page checkout when new-checkout is on for the user, and reports the variant with checkout_started', async () => {
    const flags = flagsReturning(true, 'on');
    const events = recordingSender();
    const response = await createCheckoutApp(
      flags,
      events,
    )({ method: 'POST', path: '/checkout/start', query: {}, body: { userId: 'u-1' } });
    expect(response).toEqual({
      status: 200,
      body: { userId: 'u-1', layout: 'one-page', variant: 'on', event: 'checkout_started', stored: true },
    });
    expect(flags.contexts).toEqual([{ targetingKey: 'u-1' }]);
    expect(events.sent).toEqual([['checkout_started', 'u-1', { layout: 'one-page' }, [{ key: 'new-checkout', variant: 'on' }]]]);
  });

  it('falls back to the classic checkout when the flag answers false or its default', async () => {
    const app = createCheckoutApp(flagsReturning(false), recordingSender());
    expect(await app({ method: 'GET', path: '/checkout', query: { userId: 'u-2' }, body: undefined })).toEqual({
      status: 200,
      body: { userId: 'u-2', layout: 'classic', variant: 'off' },
    });
  });

  it('sends one journey event per step, with the amount on completion', async () => {
    const events = recordingSender();
    const app = createCheckoutApp(flagsReturning(false, 'off'), events);
    await app({ method: 'POST', path: '/cart/view', query: {}, body: { userId: 'u' } });
    await app({ method: 'POST', path: '/checkout/pay', query: {}, body: { userId: 'u' } });
    const done = await app({ method: 'POST', path: '/checkout/complete', query: {}, body: { userId: 'u', amount: 42 } });
    expect(events.sent.map((e) => e[0])).toEqual(['cart_viewed', 'payment_submitted', 'order_completed']);
    expect(events.sent[2][2]).toEqual({ amount: 42 });
    expect(done.body).toMatchObject({ event: 'order_completed', stored: true });
  });

  it('answers bad requests with a 4xx and a code naming the problem, sending nothing', async () => {
    const events = recordingSender();
    const app = createCheckoutApp(flagsReturning(true), events);
    expect(await app({ method: 'POST', path: '/checkout/start', query: {}, body: {} })).toEqual({
      status: 400,
      body: { error: { code: 'INVALID_REQUEST', message: 'userId must be a string' } },
    });
    expect((await app({ method: 'POST', path: '/checkout/complete', query: {}, body: { userId: 'u', amount: -1 } })).body).toEqual({
      error: { code: 'INVALID_REQUEST', message: 'amount must not be negative' },
    });
    expect((await app({ method: 'GET', path: '/checkout/pay', query: {}, body: undefined })).status).toBe(405);
    expect((await app({ method: 'GET', path: '/nope', query: {}, body: undefined })).status).toBe(404);
    expect(events.sent).toEqual([]);
  });

  it('reports a lost event in the answer instead of failing the checkout step', async () => {
    const response = await createCheckoutApp(
      flagsReturning(true),
      recordingSender(false),
    )({ method: 'POST', path: '/cart/view', query: {}, body: { userId: 'u' } });
    expect(response).toEqual({ status: 200, body: { userId: 'u', event: 'cart_viewed', stored: false } });
  });

  it('refuses a configuration without the flag and event URLs, naming the variables', () => {
    expect(() => configFromEnv({})).toThrow(/FLAGS_URL.*EVENTS_URL/);
    expect(configFromEnv({ FLAGS_URL: 'http://127.0.0.1:1', EVENTS_URL: 'http://127.0.0.1:2', PORT: '0' })).toMatchObject({
      port: 0,
      flagsUrl: 'http://127.0.0.1:1',
      flagsTimeoutMs: undefined,
      eventsTimeoutMs: undefined,
    });
    const urls = { FLAGS_URL: 'http://127.0.0.1:1', EVENTS_URL: 'http://127.0.0.1:2' };
    expect(configFromEnv({ ...urls, FLAGS_TIMEOUT_MS: '3000', EVENTS_TIMEOUT_MS: '5000' })).toMatchObject({
      flagsTimeoutMs: 3000,
      eventsTimeoutMs: 5000,
    });
    expect(() => configFromEnv({ ...urls, EVENTS_TIMEOUT_MS: 'soon' })).toThrow(/EVENTS_TIMEOUT_MS: EVENTS_TIMEOUT_MS must be a number/);
  });
});
