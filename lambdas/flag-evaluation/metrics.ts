import { emfLine as sharedEmfLine } from '../shared/emf';
import { FLAG_EVALUATION_DEFAULTS, FLAG_METRICS } from './contract';

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

export function emfLine(metrics: RequestMetrics, namespace: string, nowMs: number): string {
  return sharedEmfLine(
    namespace,
    { [FLAG_METRICS.routeDimension]: metrics.route },
    [
      { name: FLAG_METRICS.evaluations, unit: 'Count', value: metrics.evaluations },
      { name: FLAG_METRICS.evaluationErrors, unit: 'Count', value: metrics.evaluationErrors },
      { name: FLAG_METRICS.flagStoreStale, unit: 'Count', value: metrics.flagStoreStale ? 1 : 0 },
      { name: FLAG_METRICS.flagSetAgeSeconds, unit: 'Seconds', value: Math.round(metrics.flagSetAgeSeconds * 10) / 10 },
      { name: FLAG_METRICS.exposureFailures, unit: 'Count', value: metrics.exposureFailures },
    ],
    nowMs,
  );
}

export function emfRecorder(
  namespace: string = FLAG_EVALUATION_DEFAULTS.metricsNamespace,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  now: () => number = Date.now,
): MetricsRecorder {
  return (metrics) => write(emfLine(metrics, namespace, now()));
}
