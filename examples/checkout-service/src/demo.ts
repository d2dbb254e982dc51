/**
 * `npm run demo`: the walkthrough end to end against a running `npm start`. Starts the checkout service on a
 * free port with the local keys, sends a few hundred simulated shoppers through every step of the `checkout`
 * journey (`shoppers.ts`), waits until the journey processor has counted them, and prints the experiment report.
 *
 *   npm run demo                 # 300 shoppers
 *   npm run demo -- --users 500
 *   npm run demo -- --fail-one-page-payments 0.5   # half the one-page payments fail (a guarded rollout's drill)
 *
 * `--fail-one-page-payments` defaults to CHECKOUT_FAIL_ONE_PAGE_PAYMENTS, the service's own setting (config.ts).
 */
import { parseArgs } from 'node:util';
import { runExperimentCommand } from '../../../cli/experiment/command';
import { readLiveSummary, resolveLiveSource } from '../../../cli/experiment/live-source';
import { readLocalKeys } from '../../../cli/local/keys';
import { readLocalState } from '../../../cli/local/state-file';
import { FAIL_ONE_PAGE_PAYMENTS_VAR, parseFailureShare } from './config';
import { startCheckoutService } from './server';
import { runShoppers, type ShopperResult } from './shoppers';
import { CHECKOUT_FLAG } from './checkout-app';

/**
 * How long the demo's service waits for a flag answer and for each attempt to store an event. The local AWS (one
 * moto process) stalls for seconds while the journey processor's transactions copy its tables, more so as the
 * demo's data grows; a deployed service keeps the 2 s defaults. The flag API records the exposure before it
 * answers, so a service that gave up waiting would show the default to a user counted in another variant.
 */
export const LOCAL_TIMEOUT_MS = 10_000;

const JOURNEY = 'checkout';
const WAIT_SECONDS = 300;

/** Exposed users and checkout conversions counted so far (zero before the first exposure). */
async function counted(source: ReturnType<typeof resolveLiveSource>): Promise<{ users: number; conversions: number }> {
  try {
    const summary = (await readLiveSummary(source, CHECKOUT_FLAG)) as {
      variants: Array<{ users: number; metrics: Record<string, { sum: number }> }>;
    };
    return summary.variants.reduce(
      (total, v) => ({ users: total.users + v.users, conversions: total.conversions + (v.metrics[JOURNEY]?.sum ?? 0) }),
      { users: 0, conversions: 0 },
    );
  } catch (error) {
    if ((error as Error).name === 'ExperimentDataError') return { users: 0, conversions: 0 };
    throw error;
  }
}

export interface DemoOptions {
  /** @default 300 */
  readonly users?: number;
  /** The project folder of the running `npm start`. @default process.cwd() */
  readonly cwd?: string;
  /** @default stdout */
  readonly print?: (line: string) => void;
  /** Share (0..1) of one-page checkout payments the service fails (CHECKOUT_FAIL_ONE_PAGE_PAYMENTS). @default 0 */
  readonly failOnePagePayments?: number;
}

export interface DemoResult {
  /** 0: report printed; 1: the processor did not catch up; 2: no running local production. */
  readonly code: number;
  readonly shoppers?: ShopperResult;
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const users = options.users ?? 300;
  const cwd = options.cwd ?? process.cwd();
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const state = readLocalState(cwd);
  if (
    !state ||
    state.status !== 'running' ||
    !state.flagsUrl ||
    !state.eventsUrl ||
    !state.flagsApiKeysSecret ||
    !state.eventsWriteKeySecret
  ) {
    print('monoenv demo: no running local production here; start it first with `npm start` (in another terminal)');
    return { code: 2 };
  }
  const keys = await readLocalKeys(state.awsEndpoint, state.region, {
    flagsApiKeysSecret: state.flagsApiKeysSecret,
    eventsWriteKeySecret: state.eventsWriteKeySecret,
  });
  const source = resolveLiveSource({}, process.env, cwd);
  const before = await counted(source);

  const service = await startCheckoutService({
    port: 0,
    flagsUrl: state.flagsUrl,
    flagsServerKey: keys.flagsServer,
    eventsUrl: state.eventsUrl,
    eventsWriteKey: keys.write,
    flagsTimeoutMs: LOCAL_TIMEOUT_MS,
    eventsTimeoutMs: LOCAL_TIMEOUT_MS,
    failOnePagePayments: options.failOnePagePayments,
  });
  let completed: number;
  let shoppers: ShopperResult;
  try {
    print(
      `checkout service on ${service.url}; ${users} shoppers through ${JOURNEY}: cart_viewed -> checkout_started -> payment_submitted -> order_completed`,
    );
    if (options.failOnePagePayments) {
      print(`  ${+(options.failOnePagePayments * 100).toFixed(2)}% of one-page checkout payments fail (--fail-one-page-payments)`);
    }
    // A fresh prefix per run: the processor counts each user once, so a second demo adds new shoppers.
    const prefix = `demo-${Date.now().toString(36)}`;
    const result = (shoppers = await runShoppers({
      serviceUrl: service.url,
      userIds: Array.from({ length: users }, (_, i) => `${prefix}-${i}`),
      onUser: (done) => {
        if (done % 50 === 0 || done === users) print(`  ${done}/${users} shoppers`);
      },
    }));
    completed = Object.values(result.completed).reduce((a, b) => a + b, 0);
    const shown = [...result.layouts.values()];
    const failed = Object.values(result.failedPayments).reduce((a, b) => a + b, 0);
    print(
      `  layouts: one-page ${shown.filter((l) => l === 'one-page').length}, classic ${shown.filter((l) => l === 'classic').length}; ${completed} completed checkouts` +
        (failed > 0 ? `, ${failed} failed payments` : ''),
    );
  } finally {
    await service.close();
  }

  print('waiting for the journey processor to count them...');
  const deadline = Date.now() + WAIT_SECONDS * 1000;
  for (;;) {
    const now = await counted(source);
    if (now.users - before.users >= users && now.conversions - before.conversions >= completed) break;
    if (Date.now() > deadline) {
      print(
        `monoenv demo: after ${WAIT_SECONDS} s the processor has counted ${now.users - before.users}/${users} shoppers and ${now.conversions - before.conversions}/${completed} conversions; is \`npm start\` still running?`,
      );
      return { code: 1, shoppers };
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  print('');
  const code = await runExperimentCommand(['report', CHECKOUT_FLAG, '--metric', JOURNEY], {
    out: print,
    err: print,
    env: process.env,
    cwd,
    readLive: readLiveSummary,
  });
  return { code, shoppers };
}

/** The demo's command line (and CHECKOUT_FAIL_ONE_PAGE_PAYMENTS as the default of its flag); throws naming the bad option. */
export function parseDemoArgs(args: string[], env: NodeJS.ProcessEnv): { users: number; failOnePagePayments: number } {
  const { values } = parseArgs({
    args,
    options: { users: { type: 'string', default: '300' }, 'fail-one-page-payments': { type: 'string' } },
  });
  const users = Number(values.users);
  if (!Number.isInteger(users) || users < 20) throw new Error(`--users must be a whole number of at least 20, got '${values.users}'`);
  const flag = values['fail-one-page-payments'];
  const failOnePagePayments =
    flag === undefined
      ? parseFailureShare(env[FAIL_ONE_PAGE_PAYMENTS_VAR], FAIL_ONE_PAGE_PAYMENTS_VAR)
      : parseFailureShare(flag, '--fail-one-page-payments');
  return { users, failOnePagePayments };
}

if (require.main === module) {
  // As in the CLI (bin/monoenv.js): Node 20 is the pinned tool runtime; the SDK's upgrade notice is not the demo's.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let args: ReturnType<typeof parseDemoArgs>;
  try {
    args = parseDemoArgs(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`monoenv demo: ${(error as Error).message}\n`);
    process.exit(2);
  }
  runDemo(args).then(
    ({ code }) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`monoenv demo: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
