import { apiKeysFromEnv } from '../../../lambdas/shared/api-keys';

describe('apiKeysFromEnv: fails closed', () => {
  it('refuses an environment with no key source, naming the variables to set', () => {
    expect(() => apiKeysFromEnv({})).toThrow(/no API keys configured.*API_KEYS_SECRET_ARN.*API_KEYS_JSON/);
    expect(() => apiKeysFromEnv({ API_KEYS_JSON: '', API_KEYS_SECRET_ARN: '' })).toThrow(/no API keys configured/);
  });

  it('reads keys from API_KEYS_JSON', async () => {
    expect(await apiKeysFromEnv({ API_KEYS_JSON: '{"server": ["s"], "client": "c"}' }).get()).toEqual({ server: ['s'], client: ['c'] });
  });

  it('refuses API_KEYS_JSON that is not an object of key lists', () => {
    expect(() => apiKeysFromEnv({ API_KEYS_JSON: '["s"]' })).toThrow(/API_KEYS_JSON must be a JSON object/);
  });
});
