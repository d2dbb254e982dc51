import { createOfrepHandler } from '../../lambdas/flag-evaluation/ofrep';
import { tokenBucketLimiter } from '../../lambdas/flag-evaluation/rate-limiter';
import { staticApiKeys } from '../../lambdas/shared/api-keys';
import type { EventRecord } from '../../domain/events/event-record';
import { serveHttp, type RunningServer } from '../../lambdas/shared/node-http';
import { fixtureDocument, fixtureSet, withClientVisible } from '../support/flag-fixtures';
import { ALLOWED_ORIGIN, BULK, KEYS, OFREP_CORPUS, SINGLE, type HttpCase, type OfrepCase } from './ofrep-corpus';
import { requestBytes, sendRaw, type RawAnswer } from '../support/ofrep-raw-http';

/**
 * The hostile corpus against the real OFREP handler, served over real HTTP by node-http.ts (what `monoenv flags
 * serve` runs; the Lambda runs the same handler). Every case gets its expected status and OFREP error code; none
 * gets a 5xx, nothing reaches the "unexpected error" path, Object.prototype stays as it was, and the server answers
 * a good request after every slow or broken transport.
 */
const DEFAULT_BODY = '{"context": {"targetingKey": "user-1"}}';
const isHttpCase = (c: OfrepCase): c is HttpCase => !('raw' in c);
/** Refused by Node's HTTP parser (no JSON error body from the handler). */
const isNodeRefusal = (c: OfrepCase): boolean =>
  !('notServerError' in c.expect) && c.expect.errorCode === null && [400, 431].includes(c.expect.status);

/** A plain bulk evaluation: what must still work after any hostile case. */
const PLAIN: HttpCase = { name: 'plain bulk evaluation', path: BULK, expect: { status: 200, errorCode: null } };

function bytesOf(c: HttpCase, extra: Record<string, string> = {}): Buffer {
  const headers: Record<string, string | null> = {
    'content-type': 'application/json',
    authorization: 'Bearer server-key',
    ...c.headers,
    ...extra,
  };
  const list = Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== null);
  const body = c.body === undefined ? DEFAULT_BODY : c.body;
  return requestBytes({
    method: c.method ?? 'POST',
    path: c.path ?? SINGLE,
    headers: [...list, ...(c.extraHeaders ?? [])],
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  });
}

function pieces(bytes: Buffer, size: number, count?: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length && (count === undefined || out.length < count); at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

describe('OFREP API: hostile corpus over HTTP', () => {
  let server: RunningServer;
  const problems: string[] = [];
  const exposures: EventRecord[] = [];
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
  const corpusSet = fixtureSet(withClientVisible(fixtureDocument(), ['bool-flag']));

  beforeAll(async () => {
    const handler = createOfrepHandler({
      flags: async () => ({ set: corpusSet, stale: false, ageSeconds: 0 }),
      apiKeys: staticApiKeys(KEYS),
      exposures: {
        record: async (records) => {
          exposures.push(...records);
        },
      },
      rateLimiter: tokenBucketLimiter({ ratePerSecond: 10_000 }),
      cors: { allowOrigins: [ALLOWED_ORIGIN] },
      metrics: () => undefined,
      now: () => Date.parse('2026-01-02T03:04:05Z'),
      logError: (message) => problems.push(`handler: ${message}`),
    });
    server = await serveHttp(handler, { logError: (message) => problems.push(`server: ${message}`) });
  });
  afterAll(async () => {
    await server?.close();
  });

  const send = async (c: OfrepCase): Promise<RawAnswer> => {
    if (!isHttpCase(c)) return sendRaw(server.port, c.raw);
    let extra: Record<string, string> = {};
    if (c.ifNoneMatchCurrent) {
      const first = await sendRaw(server.port, bytesOf(c));
      expect(first.headers.etag).toMatch(/^".+"$/);
      extra = { 'if-none-match': c.ifNoneMatchCurrent === 'weak' ? `W/${first.headers.etag}` : first.headers.etag };
    }
    const bytes = bytesOf(c, extra);
    if (!c.slow) return sendRaw(server.port, bytes);
    return sendRaw(server.port, bytes, {
      pieces: pieces(bytes, c.slow.pieceBytes, c.slow.abortAfterPieces),
      delayMs: c.slow.delayMs,
      abort: c.slow.abortAfterPieces !== undefined,
      halfClose: c.slow.halfClose,
      timeoutMs: 3000,
    });
  };

  it('holds at least 100 cases, each with a unique name', () => {
    expect(OFREP_CORPUS.length).toBeGreaterThanOrEqual(100);
    expect(new Set(OFREP_CORPUS.map((c) => c.name)).size).toBe(OFREP_CORPUS.length);
  });

  it.each(OFREP_CORPUS.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    problems.length = 0;
    const answer = await send(c);
    if ('notServerError' in c.expect) {
      expect(answer.status === 'closed' || answer.status < 500).toBe(true);
      const next = await sendRaw(server.port, bytesOf(PLAIN));
      expect(next.status).toBe(200);
    } else {
      const json = /json/.test(answer.headers['content-type'] ?? '') && answer.body ? JSON.parse(answer.body) : undefined;
      expect({ status: answer.status, errorCode: json?.errorCode ?? null }).toEqual(c.expect);
      if (c.expect.errorCode !== null) expect(typeof json.errorDetails).toBe('string');
      if (answer.status === 200) expect(json.flags ?? json.value).toBeDefined();
    }
    // The handler never meets an error it did not expect. Broken transports (a body cut off or malformed below
    // HTTP) are node-http's to answer: only that they are not answered with a 5xx is asserted here.
    const brokenTransport = 'notServerError' in c.expect || isNodeRefusal(c);
    expect(problems.filter((p) => !brokenTransport || p.startsWith('handler:'))).toEqual([]);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
  });

  it('recorded exposures for hostile but valid users as ordinary records', () => {
    const users = exposures.map((e) => e.userKey);
    expect(users).toEqual(expect.arrayContaining(['\ud800user', '__proto__', 'user-🙂']));
    for (const exposure of exposures) expect(Object.getPrototypeOf(exposure)).toBe(Object.prototype);
  });

  it('still answers a plain request after the whole corpus', async () => {
    expect((await sendRaw(server.port, bytesOf(PLAIN))).status).toBe(200);
  });
});
