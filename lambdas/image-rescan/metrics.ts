import { emfLine as sharedEmfLine } from '../shared/emf';

/**
 * The re-scan's CloudWatch metrics, printed in embedded metric format (one JSON log line that CloudWatch
 * Logs turns into metrics, no PutMetricData call). The construct alarms on these names.
 */
export const RESCAN_METRICS_NAMESPACE = 'Monoenv/ImageScanning';
export const METRIC_IMAGES_IN_USE = 'ImagesInUse';
/** Enhanced mode: in-use images Inspector does not actively scan. */
export const METRIC_IMAGES_NOT_COVERED = 'ImagesNotCovered';
/** Basic mode: scans started, and scans that failed for a reason other than the daily quota. */
export const METRIC_RESCANS_STARTED = 'RescansStarted';
export const METRIC_RESCANS_FAILED = 'RescansFailed';

export function emfLine(repositoryName: string, values: Readonly<Record<string, number>>, now: Date): string {
  const metrics = Object.entries(values).map(([name, value]) => ({ name, unit: 'Count' as const, value }));
  return sharedEmfLine(RESCAN_METRICS_NAMESPACE, { Repository: repositoryName }, metrics, now.getTime());
}
