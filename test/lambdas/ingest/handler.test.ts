import { createIngestLambda } from '../../../lambdas/ingest/handler';
import { emfDocument, emfMetrics } from '../../../lambdas/ingest/metrics';

describe('EMF metrics', () => {
  it('declares the three counts (and duplicates) with no dimensions', () => {
    const doc = emfDocument('Monoenv/Ingest', { accepted: 3, rejected: 1, failed: 2, duplicates: 4 }, 1000);
    expect(doc).toEqual({
      _aws: {
        Timestamp: 1000,
        CloudWatchMetrics: [
          {
            Namespace: 'Monoenv/Ingest',
            Dimensions: [[]],
            Metrics: ['EventsAccepted', 'EventsRejected', 'EventsFailed', 'EventsDuplicate'].map((Name) => ({ Name, Unit: 'Count' })),
          },
        ],
      },
      EventsAccepted: 3,
      EventsRejected: 1,
      EventsFailed: 2,
      EventsDuplicate: 4,
    });
  });

  it('prints one JSON line per request', () => {
    const lines: string[] = [];
    emfMetrics(
      'Custom/Ns',
      () => 5,
      (line: string) => lines.push(line),
    )({ accepted: 1, rejected: 0, failed: 0, duplicates: 0 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])._aws.CloudWatchMetrics[0].Namespace).toBe('Custom/Ns');
  });
});

describe('Lambda entry point (handler.ts)', () => {
  const metricLines: string[] = [];
  const load = (env: Record<string, string>) => ({
    handler: createIngestLambda(env, { writeLine: (line) => metricLines.push(line), now: () => 1_000 }),
  });
  const urlEvent = (method: string, headers: Record<string, string>, body = '') => ({
    rawPath: '/v1/events',
    headers,
    body,
    requestContext: { http: { method } },
  });

  it('wires write keys and CORS from the environment, answering without touching Kinesis', async () => {
    const { handler } = load({
      API_KEYS_JSON: '{"write": ["k1"]}',
      CORS_ALLOW_ORIGINS: 'https://a.example, https://b.example',
      EVENT_STREAM_NAME: 's',
    });
    const denied = await handler(urlEvent('POST', { 'content-type': 'application/json', origin: 'https://b.example' }, '{}'));
    expect(denied.statusCode).toBe(401);
    expect(denied.headers['access-control-allow-origin']).toBe('https://b.example');
    const preflight = await handler(urlEvent('OPTIONS', { origin: 'https://a.example' }));
    expect(preflight.statusCode).toBe(204);
    const invalid = await handler(
      urlEvent('POST', { 'x-api-key': 'k1', 'content-type': 'application/json' }, '{"batch": [{"event": "x"}]}'),
    );
    expect(invalid.statusCode).toBe(400);
    expect(JSON.parse(invalid.body).rejected[0].reason).toMatch(/messageId/);
    // Only the request that reached validation is counted; its EMF line carries the injected clock.
    expect(metricLines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ EventsRejected: 1, EventsAccepted: 0, _aws: expect.objectContaining({ Timestamp: 1_000 }) }),
    ]);
  });

  it('refuses to start without its stream', () => {
    expect(() => createIngestLambda({}, {})).toThrow('environment variable EVENT_STREAM_NAME is required');
  });

  it('refuses to start without write keys (API_KEYS_SECRET_ARN or API_KEYS_JSON): it never accepts events unauthenticated', () => {
    expect(() => createIngestLambda({ EVENT_STREAM_NAME: 's' }, {})).toThrow(/no API keys configured/);
  });
});
