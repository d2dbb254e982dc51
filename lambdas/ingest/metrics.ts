import { emfDocument as sharedEmfDocument } from '../shared/emf';
import { INGEST_DEFAULTS, INGEST_METRICS } from './contract';

/**
 * Ingestion counts as CloudWatch Embedded Metric Format: one JSON log line per request.
 * No dimensions, so no user id can ever become one.
 */
export interface IngestCounts {
  readonly accepted: number;
  readonly rejected: number;
  readonly failed: number;
  readonly duplicates: number;
}

export type MetricsSink = (counts: IngestCounts) => void;

export function emfDocument(namespace: string, counts: IngestCounts, timestampMs: number): Record<string, unknown> {
  return sharedEmfDocument(
    namespace,
    {},
    [
      { name: INGEST_METRICS.accepted, unit: 'Count', value: counts.accepted },
      { name: INGEST_METRICS.rejected, unit: 'Count', value: counts.rejected },
      { name: INGEST_METRICS.failed, unit: 'Count', value: counts.failed },
      { name: INGEST_METRICS.duplicates, unit: 'Count', value: counts.duplicates },
    ],
    timestampMs,
  );
}

/** Prints EMF to stdout, where Lambda ships it to CloudWatch Logs. */
export function emfMetrics(
  namespace: string = INGEST_DEFAULTS.metricsNamespace,
  now: () => number = Date.now,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): MetricsSink {
  return (counts) => print(JSON.stringify(emfDocument(namespace, counts, now())));
}
