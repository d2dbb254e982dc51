/**
 * The example product: a checkout whose layout is chosen by the `new-checkout` flag, and which reports
 * each step of the `checkout` journey (journeys/checkout.json) as an event.
 *
 *   GET  /health
 *   GET  /checkout?userId=u        -> { userId, layout, variant }   (reads the flag, sends nothing)
 *   POST /cart/view        {userId} -> cart_viewed
 *   POST /checkout/start   {userId} -> checkout_started (with the flag variant seen) + { layout }
 *   POST /checkout/pay     {userId} -> payment_submitted
 *   POST /checkout/complete {userId, amount?} -> order_completed
 *
 * Bad requests get a 4xx with a machine-readable `error.code`.
 *
 * A drill for guarded rollouts (`failOnePagePayments`, CHECKOUT_FAIL_ONE_PAGE_PAYMENTS): that share of the shoppers
 * on the one-page checkout have their payment fail. Their `POST /checkout/pay` still sends `payment_submitted` (they
 * did submit) but answers 502 `PAYMENT_FAILED`, and their `POST /checkout/complete` answers the same without sending
 * `order_completed`, so the `checkout` journey's conversion of variant `on` drops. Which shoppers fail is fixed per
 * shopper (a hash of the user id), so every step agrees and a test or demo run always gives the same result.
 */
import { createHash } from 'node:crypto';
import type { EvaluationDetails, EvaluationContext } from '@openfeature/server-sdk';
import * as z from 'zod';
import type { EventSender } from './event-sender';

export const CHECKOUT_FLAG = 'new-checkout';

export interface FlagClient {
  getBooleanDetails(flagKey: string, defaultValue: boolean, context?: EvaluationContext): Promise<EvaluationDetails<boolean>>;
}

export interface AppRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body: unknown;
}

export interface AppResponse {
  readonly status: number;
  readonly body: unknown;
}

export type Layout = 'one-page' | 'classic';

const userSchema = z.object({
  userId: z
    .string({ error: 'userId must be a string' })
    .min(1, 'userId must not be empty')
    .max(256, 'userId must be at most 256 characters'),
});
const completeSchema = userSchema.extend({
  amount: z.number({ error: 'amount must be a number' }).nonnegative('amount must not be negative').optional(),
});

const STEP_EVENTS: Record<string, string> = {
  '/cart/view': 'cart_viewed',
  '/checkout/pay': 'payment_submitted',
  '/checkout/complete': 'order_completed',
};

const fail = (status: number, code: string, message: string): AppResponse => ({ status, body: { error: { code, message } } });

export interface CheckoutAppOptions {
  /** Share (0..1) of the one-page checkout's payments that fail (a drill; see above). @default 0 */
  readonly failOnePagePayments?: number;
  /** Where a shopper falls in [0, 1): their payment fails when this is below the share. @default paymentDraw */
  readonly draw?: (userId: string) => number;
}

/** A shopper's fixed place in [0, 1) for the payment drill: a hash of the user id, independent of the flag's own split. */
export function paymentDraw(userId: string): number {
  return createHash('sha256').update(`checkout-payment-drill:${userId}`).digest().readUIntBE(0, 6) / 2 ** 48;
}

export function createCheckoutApp(flags: FlagClient, events: EventSender, options: CheckoutAppOptions = {}) {
  const failShare = options.failOnePagePayments ?? 0;
  if (!(failShare >= 0 && failShare <= 1)) throw new RangeError(`failOnePagePayments must be a share from 0 to 1, got ${failShare}`);
  const draw = options.draw ?? paymentDraw;

  async function layoutFor(userId: string): Promise<{ layout: Layout; variant: string; newCheckout: boolean }> {
    const details = await flags.getBooleanDetails(CHECKOUT_FLAG, false, { targetingKey: userId });
    // The default (flag disabled, API unreachable) is the classic checkout: the safe one.
    return {
      layout: details.value ? 'one-page' : 'classic',
      variant: details.variant ?? (details.value ? 'on' : 'off'),
      newCheckout: details.value,
    };
  }

  /** Whether this shopper's payment fails in the drill: on the one-page checkout and drawn below the share. */
  async function paymentFails(userId: string): Promise<boolean> {
    if (failShare === 0 || draw(userId) >= failShare) return false;
    return (await layoutFor(userId)).layout === 'one-page';
  }
  const paymentFailed = () =>
    fail(
      502,
      'PAYMENT_FAILED',
      'the payment did not go through (one-page checkout payments fail on purpose: CHECKOUT_FAIL_ONE_PAGE_PAYMENTS)',
    );

  return async function handle(request: AppRequest): Promise<AppResponse> {
    if (request.path === '/health') return { status: 200, body: { status: 'ok' } };

    if (request.path === '/checkout' && request.method === 'GET') {
      const parsed = userSchema.safeParse(request.query);
      if (!parsed.success) return fail(400, 'INVALID_REQUEST', parsed.error.issues.map((i) => i.message).join('; '));
      const { layout, variant } = await layoutFor(parsed.data.userId);
      return { status: 200, body: { userId: parsed.data.userId, layout, variant } };
    }

    const isStart = request.path === '/checkout/start';
    const event = isStart ? 'checkout_started' : STEP_EVENTS[request.path];
    if (!event) return fail(404, 'NOT_FOUND', `no route ${request.method} ${request.path}`);
    if (request.method !== 'POST') return fail(405, 'METHOD_NOT_ALLOWED', `use POST ${request.path}`);
    const parsed = (request.path === '/checkout/complete' ? completeSchema : userSchema).safeParse(request.body);
    if (!parsed.success) return fail(400, 'INVALID_REQUEST', parsed.error.issues.map((i) => i.message).join('; '));
    const { userId } = parsed.data;
    const amount = 'amount' in parsed.data ? parsed.data.amount : undefined;

    if (isStart) {
      const { layout, variant } = await layoutFor(userId);
      const stored = await events.track(event, userId, { layout }, [{ key: CHECKOUT_FLAG, variant }]);
      return { status: 200, body: { userId, layout, variant, event, stored } };
    }
    // Only the payment and completion steps ask (the flag is read at checkout_started, never earlier).
    const failing = event !== 'cart_viewed' && (await paymentFails(userId));
    // A failed payment was still submitted; it never completes an order.
    if (failing && event === 'order_completed') return paymentFailed();
    const stored = await events.track(event, userId, amount === undefined ? {} : { amount });
    if (failing && event === 'payment_submitted') return paymentFailed();
    return { status: 200, body: { userId, event, stored } };
  };
}
