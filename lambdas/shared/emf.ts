/**
 * CloudWatch Embedded Metric Format: one JSON log line that CloudWatch Logs turns into metrics, with no
 * PutMetricData call on the hot path. Written by hand: EMF is one documented JSON shape, and the
 * aws-embedded-metrics library would add an async flush and a bundle dependency for a console.log.
 */
export type EmfUnit = 'Count' | 'Seconds' | 'Milliseconds' | 'None';

export interface EmfMetric {
  readonly name: string;
  readonly unit: EmfUnit;
  /** One value, or up to 100 values of the same metric. */
  readonly value: number | readonly number[];
}

/**
 * One EMF document. Every dimension is declared as one dimension set; pass only low-cardinality values
 * (a route, a journey, a variant), never a user id.
 */
export function emfDocument(
  namespace: string,
  dimensions: Readonly<Record<string, string>>,
  metrics: readonly EmfMetric[],
  timestampMs: number,
): Record<string, unknown> {
  const document: Record<string, unknown> = {
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [
        { Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: metrics.map((m) => ({ Name: m.name, Unit: m.unit })) },
      ],
    },
    ...dimensions,
  };
  for (const metric of metrics) document[metric.name] = metric.value;
  return document;
}

export const emfLine = (
  namespace: string,
  dimensions: Readonly<Record<string, string>>,
  metrics: readonly EmfMetric[],
  timestampMs: number,
): string => JSON.stringify(emfDocument(namespace, dimensions, metrics, timestampMs));
