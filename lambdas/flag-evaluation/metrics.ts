/**
 * Per-request metrics as CloudWatch Embedded Metric Format lines (one JSON line on stdout; Lambda ships
 * it to CloudWatch Logs and CloudWatch extracts the metrics, no API call on the hot path).
 * Deliberately no dimensions carrying user data: only the API route.
 */
export interface RequestMetrics {
  /** `single` or `bulk`. */
  readonly route: string;
  readonly evaluations: number;
  readonly evaluationErrors: number;
  /** 1 when the last refresh from the flag store failed and an older flag set is being served. */
  readonly flagStoreStale: boolean;
  readonly flagSetAgeSeconds: number;
  readonly exposureFailures: number;
}

export type MetricsRecorder = (metrics: RequestMetrics) => void;

export const DEFAULT_METRICS_NAMESPACE = 'Monoenv/Flags';

export function emfLine(metrics: RequestMetrics, namespace: string, nowMs: number): string {
  return JSON.stringify({
    _aws: {
      Timestamp: nowMs,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [['Route']],
          Metrics: [
            { Name: 'Evaluations', Unit: 'Count' },
            { Name: 'EvaluationErrors', Unit: 'Count' },
            { Name: 'FlagStoreStale', Unit: 'Count' },
            { Name: 'FlagSetAgeSeconds', Unit: 'Seconds' },
            { Name: 'ExposureFailures', Unit: 'Count' },
          ],
        },
      ],
    },
    Route: metrics.route,
    Evaluations: metrics.evaluations,
    EvaluationErrors: metrics.evaluationErrors,
    FlagStoreStale: metrics.flagStoreStale ? 1 : 0,
    FlagSetAgeSeconds: Math.round(metrics.flagSetAgeSeconds * 10) / 10,
    ExposureFailures: metrics.exposureFailures,
  });
}

export function emfRecorder(
  namespace = DEFAULT_METRICS_NAMESPACE,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  now: () => number = Date.now,
): MetricsRecorder {
  return (metrics) => write(emfLine(metrics, namespace, now()));
}
