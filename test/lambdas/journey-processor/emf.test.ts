import { EmfBatch, factToPoints } from '../../../lambdas/journey-processor/emf';
import type { Fact } from '../../../lambdas/journey-processor/facts';

const parse = (lines: string[]) => lines.map((l) => JSON.parse(l));

describe('EMF lines', () => {
  it('sums counts per metric and dimensions over a batch', () => {
    const batch = new EmfBatch('Ns');
    batch.addFacts([
      { kind: 'FeatureUsed', feature: 'search' },
      { kind: 'FeatureUsed', feature: 'search' },
      { kind: 'FeatureUsed', feature: 'export' },
    ]);
    const lines = parse(batch.flush(1700000000000));
    expect(lines).toEqual([
      {
        _aws: {
          Timestamp: 1700000000000,
          CloudWatchMetrics: [{ Namespace: 'Ns', Dimensions: [['Feature']], Metrics: [{ Name: 'FeatureUsed', Unit: 'Count' }] }],
        },
        Feature: 'search',
        FeatureUsed: 2,
      },
      expect.objectContaining({ Feature: 'export', FeatureUsed: 1 }),
    ]);
    expect(batch.flush(0)).toEqual([]);
  });

  it('keeps every TimeToConvert value, at most 100 per line', () => {
    const batch = new EmfBatch();
    const completions: Fact[] = Array.from({ length: 150 }, (_, i) => ({
      kind: 'JourneyCompleted',
      journey: 'j',
      variant: 'none',
      secondsToConvert: i,
    }));
    batch.addFacts(completions);
    const lines = parse(batch.flush(0));
    const times = lines.filter((l) => 'TimeToConvert' in l);
    expect(times.map((l) => l.TimeToConvert.length)).toEqual([100, 50]);
    expect(times[0]._aws.CloudWatchMetrics[0].Namespace).toBe('Monoenv/Product');
    expect(lines.find((l) => 'JourneyCompleted' in l).JourneyCompleted).toBe(150);
  });

  it('maps each fact to its metric and documented dimensions', () => {
    const dims = (fact: Fact) => factToPoints(fact).map((p) => [p.name, Object.keys(p.dimensions)]);
    expect(dims({ kind: 'StepReached', journey: 'j', step: 's', variant: 'v' })).toEqual([['StepReached', ['Journey', 'Step', 'Variant']]]);
    expect(dims({ kind: 'JourneyCompleted', journey: 'j', variant: 'v', secondsToConvert: 1 })).toEqual([
      ['JourneyCompleted', ['Journey', 'Variant']],
      ['TimeToConvert', ['Journey', 'Variant']],
    ]);
    expect(dims({ kind: 'ExperimentExposure', flag: 'f', variant: 'v' })).toEqual([['ExperimentExposure', ['Flag', 'Variant']]]);
    expect(dims({ kind: 'ExperimentConversion', flag: 'f', variant: 'v', journey: 'j', secondsToConvert: 1 })).toEqual([
      ['ExperimentConversion', ['Flag', 'Variant', 'Journey']],
    ]);
  });
});

describe('EMF lines for names every object inherits', () => {
  it.each(['constructor', 'toString', 'valueOf', '__proto__'])(
    'sums %s as a journey, step, feature and flag like any other name',
    (name) => {
      const batch = new EmfBatch('Ns');
      const facts: Fact[] = [
        { kind: 'FeatureUsed', feature: name },
        { kind: 'StepReached', journey: name, step: name, variant: name },
        { kind: 'ExperimentExposure', flag: name, variant: name },
      ];
      batch.addFacts([...facts, ...facts]);
      const lines = parse(batch.flush(0));
      expect(
        lines.map((l) => [
          l._aws.CloudWatchMetrics[0].Metrics[0].Name,
          l._aws.CloudWatchMetrics[0].Dimensions[0],
          l[l._aws.CloudWatchMetrics[0].Metrics[0].Name],
        ]),
      ).toEqual([
        ['FeatureUsed', ['Feature'], 2],
        ['StepReached', ['Journey', 'Step', 'Variant'], 2],
        ['ExperimentExposure', ['Flag', 'Variant'], 2],
      ]);
      expect(lines.map((l) => [l.Feature ?? l.Journey ?? l.Flag, l.Step ?? l.Variant])).toEqual([
        [name, undefined],
        [name, name],
        [name, name],
      ]);
    },
  );
});
