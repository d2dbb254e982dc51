import type { Fact } from './facts';
import { emfLine } from '../shared/emf';
import { JOURNEY_PROCESSOR_DEFAULTS, PRODUCT_METRICS as M } from './contract';

/**
 * CloudWatch embedded metric format: JSON lines on stdout that CloudWatch Logs turns into metrics.
 * Points are summed per (metric, dimensions) over a batch so a batch prints a few lines, not one per
 * event; TimeToConvert keeps every value (EMF value arrays, at most 100 per line) for percentiles.
 * Dimensions come only from the fixed sets below, never from user ids (one metric per user would be
 * costly and a privacy leak).
 */
const MAX_VALUES_PER_LINE = 100;

export interface MetricPoint {
  readonly name: string;
  readonly unit: 'Count' | 'Seconds';
  readonly dimensions: Readonly<Record<string, string>>;
  readonly value: number;
}

const count = (name: string, dimensions: Record<string, string>): MetricPoint => ({ name, unit: 'Count', dimensions, value: 1 });

export function factToPoints(fact: Fact): MetricPoint[] {
  switch (fact.kind) {
    case 'FeatureUsed':
      return [count(M.featureUsed.name, { Feature: fact.feature })];
    case 'JourneyStarted':
      return [count(M.journeyStarted.name, { Journey: fact.journey, Variant: fact.variant })];
    case 'StepReached':
      return [count(M.stepReached.name, { Journey: fact.journey, Step: fact.step, Variant: fact.variant })];
    case 'JourneyCompleted':
      return [
        count(M.journeyCompleted.name, { Journey: fact.journey, Variant: fact.variant }),
        {
          name: M.timeToConvert.name,
          unit: 'Seconds',
          dimensions: { Journey: fact.journey, Variant: fact.variant },
          value: fact.secondsToConvert,
        },
      ];
    case 'ExperimentExposure':
      return [count(M.experimentExposure.name, { Flag: fact.flag, Variant: fact.variant })];
    case 'ExperimentStepSeen':
      return []; // a diagnostic for reports (progress-store.ts), not a metric
    case 'ExperimentConversion':
      return [count(M.experimentConversion.name, { Flag: fact.flag, Variant: fact.variant, Journey: fact.journey })];
  }
}

/** Collects points over a batch; `flush` returns the EMF lines and empties it. */
export class EmfBatch {
  private readonly series = new Map<string, { point: MetricPoint; values: number[] }>();

  constructor(private readonly namespace: string = JOURNEY_PROCESSOR_DEFAULTS.metricsNamespace) {}

  add(points: readonly MetricPoint[]): void {
    for (const point of points) {
      const key = JSON.stringify([point.name, point.unit, point.dimensions]);
      const series = this.series.get(key);
      if (!series) this.series.set(key, { point, values: [point.value] });
      else if (point.unit === 'Count') series.values[0] += point.value;
      else series.values.push(point.value);
    }
  }

  addFacts(facts: readonly Fact[]): void {
    for (const fact of facts) this.add(factToPoints(fact));
  }

  flush(nowMs: number): string[] {
    const lines: string[] = [];
    for (const { point, values } of this.series.values()) {
      for (let i = 0; i < values.length; i += MAX_VALUES_PER_LINE) {
        const chunk = values.slice(i, i + MAX_VALUES_PER_LINE);
        lines.push(
          emfLine(
            this.namespace,
            point.dimensions,
            [{ name: point.name, unit: point.unit, value: chunk.length === 1 ? chunk[0] : chunk }],
            nowMs,
          ),
        );
      }
    }
    this.series.clear();
    return lines;
  }
}
