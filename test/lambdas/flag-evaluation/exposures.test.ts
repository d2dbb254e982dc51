import type { EventRecord } from '../../../domain/events/event-record';
import { exposureMessageId } from '../../../lambdas/flag-evaluation/exposures';
import type { RequestMetrics } from '../../../lambdas/flag-evaluation/metrics';
import { emfLine } from '../../../lambdas/flag-evaluation/metrics';
import { postJson, swappableSource, useOfrepServer } from '../../support/flag-fixtures';

describe('exposures and metrics recorded by the OFREP handler', () => {
  const flags = swappableSource();
  const recorded: EventRecord[][] = [];
  const metrics: RequestMetrics[] = [];
  let sinkFails = false;
  const server = useOfrepServer(() => ({
    flags: flags.source,
    exposures: {
      record: async (exposures) => {
        if (sinkFails) throw new Error('stream unavailable');
        recorded.push(exposures);
      },
    },
    metrics: (m) => metrics.push(m),
    now: () => Date.parse('2026-01-02T03:04:05Z'),
  }));
  const single = (key: string, context: unknown) => postJson(`${server().url}/ofrep/v1/evaluate/flags/${key}`, { context });

  beforeEach(() => {
    recorded.length = 0;
    metrics.length = 0;
    sinkFails = false;
  });

  it('records an exposure for an experiment flag with the variant the user got', async () => {
    const res = await single('experiment-flag', { targetingKey: 'user-7' });
    expect(recorded).toHaveLength(1);
    const [exposure] = recorded[0];
    expect(exposure).toMatchObject({
      type: 'exposure',
      event: '$exposure',
      userKey: 'user-7',
      timestamp: '2026-01-02T03:04:05.000Z',
      featureFlags: [{ 'feature_flag.key': 'experiment-flag', 'feature_flag.result.variant': res.json.variant }],
    });
  });

  it('gives repeated exposures the same message id, so they dedupe downstream', async () => {
    await single('experiment-flag', { targetingKey: 'user-7' });
    await single('experiment-flag', { targetingKey: 'user-7' });
    await single('experiment-flag', { targetingKey: 'user-8' });
    const ids = recorded.map((batch) => batch[0].messageId);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(exposureMessageId('f', 'a', 'u', 'r1')).not.toBe(exposureMessageId('f', 'a', 'u', 'r2'));
  });

  it('records nothing for flags outside experiments, anonymous callers or disabled flags', async () => {
    await single('bool-flag', { targetingKey: 'user-7' });
    await single('experiment-flag', {});
    await single('disabled-flag', { targetingKey: 'user-7' });
    expect(recorded).toHaveLength(0);
  });

  it('records exposures for the experiment flags of a bulk evaluation', async () => {
    await postJson(`${server().url}/ofrep/v1/evaluate/flags`, { context: { targetingKey: 'user-9' } });
    expect(recorded.flat().map((e) => e.featureFlags[0]['feature_flag.key'])).toEqual(['experiment-flag']);
  });

  it('still answers the evaluation when the exposure sink fails, and counts the failure', async () => {
    sinkFails = true;
    const res = await single('experiment-flag', { targetingKey: 'user-7' });
    expect(res.status).toBe(200);
    expect(typeof res.json.value).toBe('boolean');
    expect(metrics.at(-1)).toMatchObject({ route: 'single', exposureFailures: 1 });
  });

  it('counts evaluations and evaluation errors per request', async () => {
    await single('no-such-flag', {});
    await postJson(`${server().url}/ofrep/v1/evaluate/flags`, { context: {} });
    expect(metrics).toEqual([
      expect.objectContaining({ route: 'single', evaluations: 1, evaluationErrors: 1, flagStoreStale: false }),
      expect.objectContaining({ route: 'bulk', evaluations: 6, evaluationErrors: 0 }),
    ]);
  });

  it('writes metrics as a CloudWatch EMF line without user data', () => {
    const line = JSON.parse(
      emfLine(
        { route: 'bulk', evaluations: 6, evaluationErrors: 1, flagStoreStale: true, flagSetAgeSeconds: 12.34, exposureFailures: 0 },
        'Monoenv/Flags',
        1000,
      ),
    );
    expect(line._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Monoenv/Flags', Dimensions: [['Route']] });
    expect(line._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name)).toEqual(
      expect.arrayContaining(['Evaluations', 'EvaluationErrors', 'FlagStoreStale', 'FlagSetAgeSeconds']),
    );
    expect(line).toMatchObject({ Evaluations: 6, EvaluationErrors: 1, FlagStoreStale: 1, FlagSetAgeSeconds: 12.3 });
  });
});
