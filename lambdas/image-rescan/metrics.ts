import { emfLine as sharedEmfLine } from '../shared/emf';
import { RESCAN_METRICS } from './contract';

/**
 * The re-scan's CloudWatch metrics (names in contract.ts, where the construct finds them to alarm on), printed in
 * embedded metric format: one JSON log line that CloudWatch Logs turns into metrics, no PutMetricData call.
 */
export function emfLine(repositoryName: string, values: Readonly<Record<string, number>>, now: Date): string {
  const metrics = Object.entries(values).map(([name, value]) => ({ name, unit: 'Count' as const, value }));
  return sharedEmfLine(RESCAN_METRICS.namespace, { [RESCAN_METRICS.repositoryDimension]: repositoryName }, metrics, now.getTime());
}
