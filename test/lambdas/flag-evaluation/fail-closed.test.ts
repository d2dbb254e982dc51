import { createFlagHandler } from '../../../lambdas/flag-evaluation/handler';
import { createOfrepHandler, type OfrepHandlerOptions } from '../../../lambdas/flag-evaluation/ofrep';
import type { HttpRequest } from '../../../lambdas/shared/http';
import { swappableSource } from '../../support/flag-fixtures';

const post = (path: string, headers: Record<string, string> = {}): HttpRequest => ({
  method: 'POST',
  path,
  headers: { 'content-type': 'application/json', ...headers },
  query: {},
  body: '{"context": {}}',
});

/** Without key configuration nothing serves: a deployed function refuses to start; only an explicit 'none' serves keyless. */
describe('flag API: authentication fails closed', () => {
  const flags = swappableSource();

  it('createOfrepHandler needs an explicit key source', () => {
    expect(() => createOfrepHandler({ flags: flags.source } as unknown as OfrepHandlerOptions)).toThrow(/apiKeys is required.*'none'/);
  });

  it("serves without a key only with apiKeys: 'none'", async () => {
    const handler = createOfrepHandler({ flags: flags.source, apiKeys: 'none' });
    expect((await handler(post('/ofrep/v1/evaluate/flags/bool-flag'))).status).toBe(200);
  });

  it('the flag Lambda refuses to be built without API_KEYS_SECRET_ARN or API_KEYS_JSON', () => {
    expect(() => createFlagHandler({ FLAGS_TABLE: 'monoenv-flags' })).toThrow(/no API keys configured/);
  });

  it('fails the function init in Lambda (AWS_LAMBDA_FUNCTION_NAME set), not the first request', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { AWS_LAMBDA_FUNCTION_NAME: 'monoenv-flags-evaluate', FLAGS_TABLE: 'monoenv-flags' });
      delete process.env.API_KEYS_JSON;
      delete process.env.API_KEYS_SECRET_ARN;
      jest.isolateModules(() => {
        expect(() => require('../../../lambdas/flag-evaluation/handler')).toThrow(/no API keys configured/);
      });
      process.env.API_KEYS_JSON = '{"server": ["k"]}';
      jest.isolateModules(() => {
        expect(typeof require('../../../lambdas/flag-evaluation/handler').handler).toBe('function');
      });
    } finally {
      process.env = saved;
    }
  });
});
