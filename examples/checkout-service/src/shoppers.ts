/**
 * Simulated shoppers for the checkout service: each views the cart and starts a checkout (which reads the
 * `new-checkout` flag), and a share of them pays and completes, higher on the one-page layout. The demo
 * (`npm run demo`) and the end-to-end test drive the service with this. A shopper whose payment the service
 * fails (502 `PAYMENT_FAILED`, CHECKOUT_FAIL_ONE_PAGE_PAYMENTS) gives up without completing.
 */
export interface ShopperOptions {
  /** The running checkout service. */
  readonly serviceUrl: string;
  readonly userIds: readonly string[];
  /** Share of users who complete, per layout. @default { 'one-page': 0.6, classic: 0.35 } */
  readonly conversion?: Readonly<Record<string, number>>;
  /** Users in flight at once. @default 8 */
  readonly concurrency?: number;
  /** Called after each user, e.g. for progress. */
  readonly onUser?: (done: number) => void;
}

export interface ShopperResult {
  /** The layout each user was shown. */
  readonly layouts: ReadonlyMap<string, string>;
  /** Completed checkouts per layout. */
  readonly completed: Readonly<Record<string, number>>;
  /** Payments the service failed, per layout (shoppers who then gave up). */
  readonly failedPayments: Readonly<Record<string, number>>;
}

/** A payment the service failed: the shopper's answer, not an error of the run. */
const PAYMENT_FAILED = 'PAYMENT_FAILED';

async function post(url: string, body: unknown, options: { paymentMayFail?: boolean } = {}): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await response.json()) as Record<string, unknown>;
  if (options.paymentMayFail && response.status === 502 && (json.error as { code?: string } | undefined)?.code === PAYMENT_FAILED) {
    return { paymentFailed: true };
  }
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status} ${JSON.stringify(json)}`);
  if (json.stored === false) throw new Error(`${url}: the service could not store its event: ${JSON.stringify(json)}`);
  return json;
}

/**
 * Deterministic: user i of every 20 converts when i is below the layout's share of 20, so a run always
 * shows the same lift for the same split.
 */
export async function runShoppers(options: ShopperOptions): Promise<ShopperResult> {
  const conversion = options.conversion ?? { 'one-page': 0.6, classic: 0.35 };
  const layouts = new Map<string, string>();
  const completed: Record<string, number> = {};
  const failedPayments: Record<string, number> = {};
  const queue = options.userIds.map((userId, index) => ({ userId, index }));
  let done = 0;
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const { userId, index } = next;
      await post(`${options.serviceUrl}/cart/view`, { userId });
      const layout = String((await post(`${options.serviceUrl}/checkout/start`, { userId })).layout);
      layouts.set(userId, layout);
      if (index % 20 < Math.round((conversion[layout] ?? 0) * 20)) {
        const payment = await post(`${options.serviceUrl}/checkout/pay`, { userId }, { paymentMayFail: true });
        if (payment.paymentFailed) {
          failedPayments[layout] = (failedPayments[layout] ?? 0) + 1;
        } else {
          await post(`${options.serviceUrl}/checkout/complete`, { userId, amount: 40 });
          completed[layout] = (completed[layout] ?? 0) + 1;
        }
      }
      options.onUser?.((done += 1));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return { layouts, completed, failedPayments };
}
