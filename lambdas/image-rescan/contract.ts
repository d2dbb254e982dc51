/**
 * What the ImageScanning construct and the re-scan Lambda agree on: the environment and the metrics the construct
 * alarms on. Both import this file; it has no runtime dependencies, so constructs never load handler code.
 */

/** Daily CloudWatch metrics (embedded metric format), per `Repository`. */
export const RESCAN_METRICS = {
  namespace: 'Monoenv/ImageScanning',
  repositoryDimension: 'Repository',
  imagesInUse: 'ImagesInUse',
  /** Enhanced mode: in-use images Inspector does not actively scan. */
  imagesNotCovered: 'ImagesNotCovered',
  /** Basic mode: scans started, and scans that failed for a reason other than the daily quota. */
  rescansStarted: 'RescansStarted',
  rescansFailed: 'RescansFailed',
} as const;

export const RESCAN_ENV = {
  repositoryName: 'REPOSITORY_NAME',
  scanMode: 'SCAN_MODE',
  recentImageCount: 'RECENT_IMAGE_COUNT',
} as const;

export const RESCAN_DEFAULTS = { recentImageCount: 5 } as const;

export type ScanMode = 'basic' | 'enhanced';

export interface RescanSettings {
  readonly repositoryName: string;
  readonly scanMode: ScanMode;
  /** Basic mode: also re-scan this many of the newest images that no task runs. */
  readonly recentImageCount: number;
}

/** The construct's side: settings to the function's environment (the handler parses it in config.ts). */
export function rescanEnvironment(settings: RescanSettings): Record<string, string> {
  return {
    [RESCAN_ENV.repositoryName]: settings.repositoryName,
    [RESCAN_ENV.scanMode]: settings.scanMode,
    [RESCAN_ENV.recentImageCount]: String(settings.recentImageCount),
  };
}
