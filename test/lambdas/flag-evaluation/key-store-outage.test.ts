import { createServer } from 'node:net';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createFlagHandler } from '../../../lambdas/flag-evaluation/handler';
import { createOfrepHandler } from '../../../lambdas/flag-evaluation/ofrep';
import { secretsManagerApiKeys, type ApiKeySource } from '../../../lambdas/shared/api-keys';
import type { HttpRequest } from '../../../lambdas/shared/http';
import { manualClock } from '../../support/clock';
import { swappableSource } from '../../support/flag-fixtures';

const post = (path: string, key = 'server-key'): HttpRequest => ({
  method: 'POST',
  path,
  headers: { 'content-type': 'application/json', 'x-api-key': key },
  query: {},
  body: '{"context": {}}',
});
const single = '/ofrep/v1/evaluate/flags/bool-flag';

/** A key store that cannot be read is a 503 with Retry-After and a code, logged once; never a 500. */
describe('flag API when the key store is unreachable', () => {
  const flags = swappableSource();

  it('answers 503 KEYS_UNAVAILABLE with Retry-After on both routes, logging the cause through logError, and recovers', async () => {
    const outage = new Error('connect ECONNREFUSED secretsmanager');
    let down = true;
    const apiKeys: ApiKeySource = {
      get: async () => {
        if (down) throw outage;
        return { server: ['server-key'] };
      },
    };
    const logged: Array<[string, unknown]> = [];
    const handler = createOfrepHandler({ flags: flags.source, apiKeys, logError: (message, error) => logged.push([message, error]) });

    for (const path of [single, '/ofrep/v1/evaluate/flags']) {
      const response = await handler(post(path));
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(JSON.parse(response.body)).toMatchObject({ errorCode: 'KEYS_UNAVAILABLE', errorDetails: expect.any(String) });
    }
    // The same failure is one log line, however many requests it refuses.
    expect(logged).toEqual([[expect.stringMatching(/api keys unavailable/), outage]]);

    down = false;
    expect((await handler(post(single))).status).toBe(200);
  });

  it('still answers 401 without a key: no key, nothing to check', async () => {
    const handler = createOfrepHandler({
      flags: flags.source,
      apiKeys: {
        get: async () => {
          throw new Error('down');
        },
      },
      logError: () => undefined,
    });
    expect((await handler({ ...post(single), headers: { 'content-type': 'application/json' } })).status).toBe(401);
  });

  it('reads Secrets Manager at most once a second while it fails, so a flood does not pile onto it', async () => {
    const clock = manualClock(1_700_000_000_000);
    let calls = 0;
    let failing = true;
    const client = {
      send: async () => {
        calls += 1;
        if (failing) throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { name: 'Error' });
        return { SecretString: '{"server": ["server-key"]}' };
      },
    } as unknown as SecretsManagerClient;
    const logged: string[] = [];
    const handler = createOfrepHandler({
      flags: flags.source,
      apiKeys: secretsManagerApiKeys('arn:aws:secretsmanager:us-east-1:123456789012:secret:monoenv/flags/api-keys', {
        client,
        now: clock.now,
      }),
      now: clock.now,
      logError: (message) => logged.push(message),
    });

    const answers = await Promise.all([1, 2, 3].map(() => handler(post(single))));
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503]);
    clock.advance(500);
    expect((await handler(post(single))).status).toBe(503);
    expect(calls).toBe(1);
    expect(logged).toHaveLength(1);

    failing = false;
    clock.advance(600);
    expect((await handler(post(single))).status).toBe(200);
    expect(calls).toBe(2);
  });

  it('the deployed handler answers 503 with Retry-After when Secrets Manager refuses connections', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const saved = { ...process.env };
    try {
      Object.assign(process.env, {
        AWS_ENDPOINT_URL: `http://127.0.0.1:${closedPort}`,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'monoenv-flags-evaluate',
        AWS_SECRET_ACCESS_KEY: 'local',
      });
      const logged: string[] = [];
      const handler = createFlagHandler(
        {
          FLAGS_TABLE: 'monoenv-flags',
          API_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:monoenv/flags/api-keys',
        },
        { logError: (message) => logged.push(message), writeLine: () => undefined },
      );
      const result = await handler({
        rawPath: single,
        headers: { 'content-type': 'application/json', authorization: 'Bearer some-key' },
        body: '{"context": {}}',
        requestContext: { http: { method: 'POST', sourceIp: '127.0.0.1' } },
      });
      expect(result.statusCode).toBe(503);
      expect(result.headers['retry-after']).toBe('5');
      expect(JSON.parse(result.body).errorCode).toBe('KEYS_UNAVAILABLE');
      expect(logged).toEqual([expect.stringMatching(/api keys unavailable/)]);
    } finally {
      process.env = saved;
    }
  });
});
