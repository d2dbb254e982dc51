import { ErrorCode, OpenFeature } from '@openfeature/server-sdk';
import { MonoenvOfrepProvider } from '../../client/ofrep-provider';
import { staticApiKeys } from '../../lambdas/shared/api-keys';
import { tokenBucketLimiter } from '../../lambdas/flag-evaluation/rate-limiter';
import { serveHttp } from '../../lambdas/shared/node-http';
import { swappableSource, useOfrepServer } from '../support/flag-fixtures';

describe('@openfeature/server-sdk with MonoenvOfrepProvider', () => {
  const flags = swappableSource();
  const server = useOfrepServer(() => ({ flags: flags.source, apiKeys: staticApiKeys({ server: ['server-key'] }) }));

  beforeAll(async () => {
    await OpenFeature.setProviderAndWait('good', new MonoenvOfrepProvider({ baseUrl: server().url, apiKey: 'server-key' }));
    await OpenFeature.setProviderAndWait('bad-key', new MonoenvOfrepProvider({ baseUrl: server().url, apiKey: 'nope' }));
  });
  afterAll(() => OpenFeature.close());

  const client = () => OpenFeature.getClient('good');

  it('resolves every value type with variant, reason and metadata', async () => {
    const ctx = { targetingKey: 'u1', lang: 'en-GB' };
    await expect(client().getBooleanDetails('bool-flag', false, ctx)).resolves.toMatchObject({
      value: true,
      variant: 'on',
      reason: 'STATIC',
      flagMetadata: { flagSetId: 'fixture' },
    });
    await expect(client().getStringDetails('string-flag', 'x', ctx)).resolves.toMatchObject({
      value: 'goodbye',
      variant: 'bye',
      reason: 'TARGETING_MATCH',
    });
    await expect(client().getNumberValue('number-flag', 0, ctx)).resolves.toBe(100);
    await expect(client().getObjectValue('object-flag', {}, ctx)).resolves.toEqual({ color: 'red' });
  });

  it('returns the default for a disabled flag, with reason DISABLED', async () => {
    await expect(client().getBooleanDetails('disabled-flag', false, {})).resolves.toMatchObject({ value: false, reason: 'DISABLED' });
  });

  it('returns the default with FLAG_NOT_FOUND for an unknown flag', async () => {
    await expect(client().getStringDetails('no-such-flag', 'fallback', {})).resolves.toMatchObject({
      value: 'fallback',
      errorCode: ErrorCode.FLAG_NOT_FOUND,
      reason: 'ERROR',
    });
  });

  it('returns the default with TYPE_MISMATCH when the flag has another type', async () => {
    await expect(client().getNumberDetails('string-flag', 7, {})).resolves.toMatchObject({ value: 7, errorCode: ErrorCode.TYPE_MISMATCH });
    await expect(client().getObjectDetails('bool-flag', { a: 1 }, {})).resolves.toMatchObject({
      value: { a: 1 },
      errorCode: ErrorCode.TYPE_MISMATCH,
    });
  });

  it('passes the server error code through (INVALID_CONTEXT)', async () => {
    await expect(client().getBooleanDetails('bool-flag', false, { targetingKey: 5 as unknown as string })).resolves.toMatchObject({
      value: false,
      errorCode: ErrorCode.INVALID_CONTEXT,
    });
  });

  it('returns the default with GENERAL when the API key is refused', async () => {
    const details = await OpenFeature.getClient('bad-key').getBooleanDetails('bool-flag', false, {});
    expect(details).toMatchObject({ value: false, errorCode: ErrorCode.GENERAL });
    expect(details.errorMessage).toMatch(/403/);
  });

  it('returns the default when the flag API is unreachable', async () => {
    const down = await serveHttp(async () => ({ status: 200, headers: {}, body: '' }));
    await down.close();
    await OpenFeature.setProviderAndWait('down', new MonoenvOfrepProvider({ baseUrl: down.url, timeoutMs: 500 }));
    await expect(OpenFeature.getClient('down').getStringDetails('string-flag', 'safe', {})).resolves.toMatchObject({
      value: 'safe',
      errorCode: ErrorCode.GENERAL,
    });
  });
});

describe('MonoenvOfrepProvider after a 429', () => {
  const flags = swappableSource();
  let requests = 0;
  const server = useOfrepServer(() => ({
    flags: async () => {
      requests += 1;
      return flags.source();
    },
    rateLimiter: tokenBucketLimiter({ ratePerSecond: 0.001, burst: 1 }),
  }));

  it('answers with the default without calling until Retry-After has passed', async () => {
    const provider = new MonoenvOfrepProvider({ baseUrl: server().url });
    expect((await provider.resolveBooleanEvaluation('bool-flag', false, {})).value).toBe(true);
    const limited = await provider.resolveBooleanEvaluation('bool-flag', false, {});
    expect(limited).toMatchObject({ value: false, errorCode: ErrorCode.GENERAL });
    const before = requests;
    const skipped = await provider.resolveBooleanEvaluation('bool-flag', false, {});
    expect(skipped).toMatchObject({ value: false, errorCode: ErrorCode.GENERAL });
    expect(skipped.errorMessage).toMatch(/Retry-After/);
    expect(requests).toBe(before);
  });
});
