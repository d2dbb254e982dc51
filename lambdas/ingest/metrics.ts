/**
 * Ingestion counts as CloudWatch Embedded Metric Format: one JSON log line per request that
 * CloudWatch turns into metrics. No dimensions, so no user id can ever become one.
 * Written by hand: EMF is one documented JSON shape, and the aws-embedded-metrics library would add
 * an async flush and a bundle dependency for what is a single console.log.
 */
export interface IngestCounts {
  readonly accepted: number;
  readonly rejected: number;
  readonly failed: number;
  readonly duplicates: number;
}

export type MetricsSink = (counts: IngestCounts) => void;

export const DEFAULT_METRICS_NAMESPACE = 'Monoenv/Ingest';

export function emfDocument(namespace: string, counts: IngestCounts, timestampMs: number): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [[]],
          Metrics: [
            { Name: 'EventsAccepted', Unit: 'Count' },
            { Name: 'EventsRejected', Unit: 'Count' },
            { Name: 'EventsFailed', Unit: 'Count' },
            { Name: 'EventsDuplicate', Unit: 'Count' },
          ],
        },
      ],
    },
    EventsAccepted: counts.accepted,
    EventsRejected: counts.rejected,
    EventsFailed: counts.failed,
    EventsDuplicate: counts.duplicates,
  };
}

/** Prints EMF to stdout, where Lambda ships it to CloudWatch Logs. */
export function emfMetrics(namespace = DEFAULT_METRICS_NAMESPACE, now: () => number = Date.now, print = console.log): MetricsSink {
  return (counts) => print(JSON.stringify(emfDocument(namespace, counts, now())));
}
