import { OFREPApi, OFREPApiTooManyRequestsError, OFREPApiUnauthorizedError, OFREPForbiddenError } from '@openfeature/ofrep-core';
import { staticApiKeys } from '../../../lambdas/shared/api-keys';
import { tokenBucketLimiter } from '../../../lambdas/flag-evaluation/rate-limiter';
import { fixtureDocument, fixtureSet, postJson, swappableSource, useOfrepServer, withClientVisible } from '../../support/flag-fixtures';

describe('OFREP API through @openfeature/ofrep-core', () => {
  const flags = swappableSource();
  const server = useOfrepServer(() => ({
    flags: flags.source,
    apiKeys: staticApiKeys({ server: ['server-key'], client: ['browser-key'] }),
  }));
  const api = (key = 'server-key') => new OFREPApi({ baseUrl: server().url, headers: [['Authorization', `Bearer ${key}`]] });

  afterEach(() => flags.swap(fixtureSet()));

  it('evaluates one flag with targeting', async () => {
    const result = await api().postEvaluateFlag('string-flag', { context: { targetingKey: 'u1', lang: 'en-GB' } });
    expect(result.httpStatus).toBe(200);
    expect(result.value).toEqual({
      key: 'string-flag',
      value: 'goodbye',
      variant: 'bye',
      reason: 'TARGETING_MATCH',
      metadata: { flagSetId: 'fixture' },
    });
  });

  it('answers a disabled flag with reason DISABLED and no value, so the caller default applies', async () => {
    const result = await api().postEvaluateFlag('disabled-flag', { context: {} });
    expect(result.httpStatus).toBe(200);
    expect(result.value).toEqual({ key: 'disabled-flag', reason: 'DISABLED', metadata: { flagSetId: 'fixture' } });
  });

  it('answers an unknown flag with 404 FLAG_NOT_FOUND and the key', async () => {
    const result = await api().postEvaluateFlag('no-such-flag', { context: {} });
    expect(result.httpStatus).toBe(404);
    expect(result.value).toMatchObject({ key: 'no-such-flag', errorCode: 'FLAG_NOT_FOUND' });
  });

  it('evaluates every flag in bulk, disabled ones with reason DISABLED, with the set metadata', async () => {
    const result = await api().postBulkEvaluateFlags({ context: { targetingKey: 'u1' } });
    expect(result.httpStatus).toBe(200);
    const body = result.value as { flags: Array<Record<string, unknown>>; metadata: unknown };
    expect(body.flags.map((f) => f.key).sort()).toEqual(Object.keys(fixtureDocument().flags).sort());
    expect(body.flags.find((f) => f.key === 'disabled-flag')).toEqual({
      key: 'disabled-flag',
      reason: 'DISABLED',
      metadata: { flagSetId: 'fixture' },
    });
    expect(body.flags.find((f) => f.key === 'object-flag')).toMatchObject({ value: { color: 'red' }, variant: 'a' });
    expect(body.metadata).toEqual({ flagSetId: 'fixture' });
  });

  it('answers 304 to If-None-Match with the current ETag, and a new ETag when the context or the flags change', async () => {
    const first = await api().postBulkEvaluateFlags({ context: { targetingKey: 'u1' } });
    const etag = first.httpResponse?.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);

    const again = await api().postBulkEvaluateFlags({ context: { targetingKey: 'u1' } }, etag);
    expect(again.httpStatus).toBe(304);

    const otherUser = await api().postBulkEvaluateFlags({ context: { targetingKey: 'u2' } }, etag);
    expect(otherUser.httpStatus).toBe(200);
    expect(otherUser.httpResponse?.headers.get('etag')).not.toBe(etag);

    const doc = fixtureDocument();
    doc.flags['number-flag'].defaultVariant = 'small';
    flags.swap(fixtureSet(doc));
    const afterEdit = await api().postBulkEvaluateFlags({ context: { targetingKey: 'u1' } }, etag);
    expect(afterEdit.httpStatus).toBe(200);
    expect(afterEdit.httpResponse?.headers.get('etag')).not.toBe(etag);
  });

  it('gives the same ETag for the same context whatever its key order', async () => {
    const a = await api().postBulkEvaluateFlags({ context: { targetingKey: 'u1', lang: 'de', plan: 'pro' } });
    const b = await api().postBulkEvaluateFlags({ context: { plan: 'pro', lang: 'de', targetingKey: 'u1' } });
    expect(a.httpResponse?.headers.get('etag')).toBe(b.httpResponse?.headers.get('etag'));
  });

  it('refuses a missing key with 401 and a wrong key with 403', async () => {
    const anonymous = new OFREPApi({ baseUrl: server().url });
    await expect(anonymous.postEvaluateFlag('bool-flag', { context: {} })).rejects.toBeInstanceOf(OFREPApiUnauthorizedError);
    await expect(api('wrong-key').postBulkEvaluateFlags({ context: {} })).rejects.toBeInstanceOf(OFREPForbiddenError);
  });
});

describe('OFREP API: client keys see only the flags marked clientVisible', () => {
  const flags = swappableSource(fixtureSet(withClientVisible(fixtureDocument(), ['number-flag', 'string-flag'])));
  const server = useOfrepServer(() => ({
    flags: flags.source,
    apiKeys: staticApiKeys({ server: ['server-key', 'both-key'], client: ['browser-key', 'both-key'] }),
  }));
  const api = (key: string) => new OFREPApi({ baseUrl: server().url, headers: [['X-API-Key', key]] });
  const evaluate = (key: string, flag: string) =>
    postJson(`${server().url}/ofrep/v1/evaluate/flags/${flag}`, { context: {} }, { 'x-api-key': key });

  it('evaluates a client-visible flag with a client key', async () => {
    const result = await api('browser-key').postEvaluateFlag('number-flag', { context: {} });
    expect(result.value).toMatchObject({ value: 100, variant: 'big', reason: 'STATIC', metadata: { clientVisible: true } });
  });

  it('bulk-evaluates only the client-visible flags for a client key, every flag for a server key', async () => {
    const forBrowser = await api('browser-key').postBulkEvaluateFlags({ context: { targetingKey: 'u1' } });
    expect((forBrowser.value as { flags: Array<{ key: string }> }).flags.map((f) => f.key).sort()).toEqual(['number-flag', 'string-flag']);
    const forServer = await api('server-key').postBulkEvaluateFlags({ context: { targetingKey: 'u1' } });
    expect((forServer.value as { flags: unknown[] }).flags).toHaveLength(Object.keys(fixtureDocument().flags).length);
    expect(forBrowser.httpResponse?.headers.get('etag')).not.toBe(forServer.httpResponse?.headers.get('etag'));
  });

  it('answers a server-only flag to a client key exactly as a flag that does not exist (404 FLAG_NOT_FOUND)', async () => {
    const hidden = await evaluate('browser-key', 'experiment-flag');
    const missing = await evaluate('browser-key', 'no-such-flag');
    expect(hidden.status).toBe(404);
    expect(hidden.json).toMatchObject({ key: 'experiment-flag', errorCode: 'FLAG_NOT_FOUND' });
    expect(JSON.stringify(hidden.json).replace(/experiment-flag/g, 'no-such-flag')).toBe(JSON.stringify(missing.json));
    expect((await evaluate('server-key', 'experiment-flag')).status).toBe(200);
  });

  it('treats a key listed as both server and client as a server key', async () => {
    expect((await evaluate('both-key', 'experiment-flag')).status).toBe(200);
  });
});

describe('OFREP API rate limit', () => {
  const flags = swappableSource();
  const server = useOfrepServer(() => ({
    flags: flags.source,
    rateLimiter: tokenBucketLimiter({ ratePerSecond: 1, burst: 2 }),
    now: () => 1_700_000_000_000,
  })); // frozen clock: no refill

  it('answers 429 with Retry-After once a caller has used its burst, without affecting other callers', async () => {
    const api = (key: string) => new OFREPApi({ baseUrl: server().url, headers: [['X-API-Key', key]] });
    await api('a').postEvaluateFlag('bool-flag', { context: {} });
    await api('a').postEvaluateFlag('bool-flag', { context: {} });
    const error = await api('a')
      .postEvaluateFlag('bool-flag', { context: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OFREPApiTooManyRequestsError);
    expect((error as OFREPApiTooManyRequestsError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((await api('b').postEvaluateFlag('bool-flag', { context: {} })).httpStatus).toBe(200);
  });
});
