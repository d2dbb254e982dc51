import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
import { OpenFeature } from '@openfeature/web-sdk';
import { staticApiKeys } from '../../lambdas/shared/api-keys';
import { fixtureDocument, fixtureSet, swappableSource, useOfrepServer, withClientVisible } from '../support/flag-fixtures';

/** The browser SDK and the official OFREP web provider (bulk evaluation over fetch) against the handler. */
describe('@openfeature/web-sdk with @openfeature/ofrep-web-provider', () => {
  // A browser holds a client key: it gets the flags marked clientVisible; experiment-flag stays server-only.
  const flags = swappableSource(
    fixtureSet(withClientVisible(fixtureDocument(), ['string-flag', 'bool-flag', 'number-flag', 'object-flag', 'disabled-flag'])),
  );
  let bulkRequests = 0;
  const server = useOfrepServer(() => ({
    flags: async () => {
      bulkRequests += 1;
      return flags.source();
    },
    apiKeys: staticApiKeys({ client: ['browser-key'] }),
    cors: { allowOrigins: ['https://shop.example.com'] },
  }));

  afterAll(() => OpenFeature.close());

  it('loads every flag in bulk and resolves them synchronously, disabled flags to the default', async () => {
    await OpenFeature.setContext({ targetingKey: 'u1', lang: 'en-GB' });
    await OpenFeature.setProviderAndWait(
      new OFREPWebProvider({
        baseUrl: server().url,
        headers: [['X-API-Key', 'browser-key']],
        cacheMode: 'disabled',
        changeDetection: 'none',
      }),
    );
    const client = OpenFeature.getClient();
    expect(client.getStringDetails('string-flag', 'x')).toMatchObject({ value: 'goodbye', variant: 'bye', reason: 'TARGETING_MATCH' });
    expect(client.getBooleanValue('bool-flag', false)).toBe(true);
    expect(client.getNumberValue('number-flag', 0)).toBe(100);
    expect(client.getObjectValue('object-flag', {})).toEqual({ color: 'red' });
    expect(client.getBooleanDetails('disabled-flag', false)).toMatchObject({ value: false, reason: 'DISABLED' });
    expect(client.getStringDetails('no-such-flag', 'fallback')).toMatchObject({ value: 'fallback', errorCode: 'FLAG_NOT_FOUND' });
    expect(client.getBooleanDetails('experiment-flag', false)).toMatchObject({ value: false, errorCode: 'FLAG_NOT_FOUND' });
  });

  it('re-evaluates when the context changes', async () => {
    const before = bulkRequests;
    await OpenFeature.setContext({ targetingKey: 'u1', lang: 'de' });
    expect(bulkRequests).toBe(before + 1);
    expect(OpenFeature.getClient().getStringValue('string-flag', 'x')).toBe('hi');
  });

  it('answers a browser CORS preflight for an allowed origin', async () => {
    const res = await fetch(`${server().url}/ofrep/v1/evaluate/flags`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/x-api-key/);
  });
});
