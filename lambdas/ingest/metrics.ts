import { emfDocument as sharedEmfDocument } from '../shared/emf';

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

export const DEFAULT_METRICS_NAMESPACE = 'Monoenv/Ingest';

export function emfDocument(namespace: string, counts: IngestCounts, timestampMs: number): Record<string, unknown> {
  return sharedEmfDocument(namespace, {}, [
    { name: 'EventsAccepted', unit: 'Count', value: counts.accepted },
    { name: 'EventsRejected', unit: 'Count', value: counts.rejected },
    { name: 'EventsFailed', unit: 'Count', value: counts.failed },
    { name: 'EventsDuplicate', unit: 'Count', value: counts.duplicates },
  ], timestampMs);
}

/** Prints EMF to stdout, where Lambda ships it to CloudWatch Logs. */
export function emfMetrics(namespace = DEFAULT_METRICS_NAMESPACE, now: () => number = Date.now, print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): MetricsSink {
  return (counts) => print(JSON.stringify(emfDocument(namespace, counts, now())));
}
