/**
 * The three post-deploy checks: the service answers its health path, the flag API evaluates flags over
 * OFREP, and the ingestion API stores one event. Each is retried while the failure can pass on its own
 * (no answer, 5xx, 429: a fresh deploy still warming up), never for a refused key or a bad request.
 */
import { randomUUID } from 'node:crypto';
import { OFREP_BASE_PATH } from '../../lambdas/flag-evaluation/ofrep';
import { EVENTS_PATH } from '../../lambdas/ingest/ingest-api';
import type { KeyResult } from './keys';
import { joinUrl } from './outputs';

export interface CheckOutcome {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly attempts: number;
}

export interface SmokeTarget {
  readonly serviceUrl: string;
  /** @default '/health' */
  readonly healthPath?: string;
  readonly flagsUrl: string;
  readonly eventsUrl: string;
  readonly flagsKey: KeyResult;
  readonly writeKey: KeyResult;
}

export interface SmokeOptions {
  /** Tries per check. @default 10 */
  readonly attempts?: number;
  /** Wait between tries. @default 6000 */
  readonly retryDelayMs?: number;
  /** Per request. @default 10000 */
  readonly timeoutMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Called after each check finishes, e.g. to print progress. */
  readonly onOutcome?: (outcome: CheckOutcome) => void;
}

/** The smoke event's name, so analytics can filter it out. */
export const SMOKE_EVENT = 'monoenv_smoke_check';

interface Attempt {
  readonly ok: boolean;
  readonly detail: string;
  /** Worth trying again after a wait. */
  readonly retryable: boolean;
}

type Settings = Required<Pick<SmokeOptions, 'attempts' | 'retryDelayMs' | 'timeoutMs' | 'sleep' | 'fetch' | 'now'>>;

const BODY_SNIPPET = 200;
const snippet = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > BODY_SNIPPET ? `${flat.slice(0, BODY_SNIPPET)}...` : flat;
};

/** 5xx and 429 can pass as a deploy settles; other 4xx are answers that a retry will not change. */
const retryableStatus = (status: number): boolean => status >= 500 || status === 429;

async function request(url: string, init: RequestInit, settings: Settings): Promise<{ status: number; body: string } | { error: string }> {
  try {
    const response = await settings.fetch(url, { ...init, signal: AbortSignal.timeout(settings.timeoutMs) });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    return { error: `no answer from ${url} (${reason})` };
  }
}

function unexpected(url: string, status: number, body: string): Attempt {
  return { ok: false, detail: `${status} from ${url}${body ? `: ${snippet(body)}` : ''}`, retryable: retryableStatus(status) };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

async function withRetries(name: string, attempt: () => Promise<Attempt>, settings: Settings): Promise<CheckOutcome> {
  let tries = 0;
  for (;;) {
    tries += 1;
    const result = await attempt();
    if (result.ok || !result.retryable || tries >= settings.attempts) {
      const after = tries > 1 ? ` (after ${tries} tries)` : '';
      return { name, ok: result.ok, detail: `${result.detail}${after}`, attempts: tries };
    }
    await settings.sleep(settings.retryDelayMs);
  }
}

function checkHealth(target: SmokeTarget, settings: Settings): Promise<CheckOutcome> {
  const url = joinUrl(target.serviceUrl, target.healthPath ?? '/health');
  return withRetries(
    'service health',
    async () => {
      const answer = await request(url, { method: 'GET' }, settings);
      if ('error' in answer) return { ok: false, detail: answer.error, retryable: true };
      if (answer.status >= 200 && answer.status < 300) return { ok: true, detail: `${answer.status} from ${url}`, retryable: false };
      // An ALB answers 502/503 until a healthy target is registered; a 404 can be a target still starting.
      return { ...unexpected(url, answer.status, answer.body), retryable: retryableStatus(answer.status) || answer.status === 404 };
    },
    settings,
  );
}

const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

function checkFlags(target: SmokeTarget, settings: Settings): Promise<CheckOutcome> {
  const name = 'OFREP flags';
  const { flagsKey } = target;
  if ('problem' in flagsKey) return Promise.resolve({ name, ok: false, detail: flagsKey.problem, attempts: 0 });
  const url = joinUrl(target.flagsUrl, OFREP_BASE_PATH);
  const body = JSON.stringify({ context: { targetingKey: 'monoenv-smoke' } });
  return withRetries(
    name,
    async () => {
      const answer = await request(
        url,
        { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(flagsKey.key) }, body },
        settings,
      );
      if ('error' in answer) return { ok: false, detail: answer.error, retryable: true };
      if (answer.status !== 200) return unexpected(url, answer.status, answer.body);
      const flags = (parseJson(answer.body) as { flags?: unknown } | undefined)?.flags;
      if (!Array.isArray(flags))
        return { ok: false, detail: `200 from ${url} without a "flags" array: ${snippet(answer.body)}`, retryable: false };
      return { ok: true, detail: `200 from ${url}, ${flags.length} flag(s) evaluated`, retryable: false };
    },
    settings,
  );
}

function checkIngest(target: SmokeTarget, settings: Settings): Promise<CheckOutcome> {
  const name = 'event ingestion';
  const { writeKey } = target;
  if ('problem' in writeKey) return Promise.resolve({ name, ok: false, detail: writeKey.problem, attempts: 0 });
  const url = joinUrl(target.eventsUrl, EVENTS_PATH);
  // One messageId for every try, so a retry after a lost answer is a duplicate downstream drops.
  const messageId = `smoke-${randomUUID()}`;
  return withRetries(
    name,
    async () => {
      const at = settings.now().toISOString();
      const body = JSON.stringify({
        sentAt: at,
        batch: [
          {
            messageId,
            type: 'track',
            event: SMOKE_EVENT,
            anonymousId: 'monoenv-smoke',
            timestamp: at,
            properties: { source: 'monoenv smoke' },
          },
        ],
      });
      const answer = await request(
        url,
        { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(writeKey.key) }, body },
        settings,
      );
      if ('error' in answer) return { ok: false, detail: answer.error, retryable: true };
      if (answer.status !== 200) return unexpected(url, answer.status, answer.body);
      const accepted = (parseJson(answer.body) as { accepted?: unknown } | undefined)?.accepted;
      if (accepted !== 1)
        return {
          ok: false,
          detail: `200 from ${url} but accepted is ${JSON.stringify(accepted)}, not 1: ${snippet(answer.body)}`,
          retryable: false,
        };
      return { ok: true, detail: `event ${messageId} accepted by ${url}`, retryable: false };
    },
    settings,
  );
}

/** Runs the checks one after another (the health retries usually cover the others' warm-up too). */
export async function runSmokeChecks(target: SmokeTarget, options: SmokeOptions = {}): Promise<CheckOutcome[]> {
  const settings: Settings = {
    attempts: Math.max(1, options.attempts ?? 10),
    retryDelayMs: options.retryDelayMs ?? 6000,
    timeoutMs: options.timeoutMs ?? 10000,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    fetch: options.fetch ?? globalThis.fetch,
    now: options.now ?? (() => new Date()),
  };
  const outcomes: CheckOutcome[] = [];
  for (const check of [checkHealth, checkFlags, checkIngest]) {
    const outcome = await check(target, settings);
    options.onOutcome?.(outcome);
    outcomes.push(outcome);
  }
  return outcomes;
}

export function formatOutcome(outcome: CheckOutcome): string {
  return `  ${outcome.ok ? 'ok  ' : 'FAIL'}  ${outcome.name.padEnd(16)}${outcome.detail}`;
}

export function formatSummary(outcomes: readonly CheckOutcome[]): string {
  const failed = outcomes.filter((outcome) => !outcome.ok).length;
  return failed ? `${failed} of ${outcomes.length} smoke check(s) failed: production is unhealthy.` : 'Production is healthy.';
}
