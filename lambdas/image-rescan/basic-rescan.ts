import type { ImageInUse } from './images-in-use';

/**
 * Basic scanning allows one scan per image per 24 hours (StartImageScan fails with
 * LimitExceededException otherwise), so images scanned within that window are skipped up front and a
 * quota error that still happens is an expected outcome, not a failure.
 */
export const BASIC_SCAN_QUOTA_HOURS = 24;

export interface RescanPlan {
  readonly toScan: readonly ImageInUse[];
  readonly scannedRecently: readonly ImageInUse[];
}

export function planBasicRescan(inUse: readonly ImageInUse[], now: Date): RescanPlan {
  const windowStart = now.getTime() - BASIC_SCAN_QUOTA_HOURS * 3600_000;
  const scannedRecently = inUse.filter((image) => image.lastScanCompletedAt && image.lastScanCompletedAt.getTime() > windowStart);
  return { toScan: inUse.filter((image) => !scannedRecently.includes(image)), scannedRecently };
}

export type ScanOutcome = 'started' | 'quota-exceeded' | 'unsupported' | 'image-gone' | 'failed';

/** Maps a StartImageScan error (by its SDK exception name) to an outcome. */
export function scanErrorOutcome(errorName: string | undefined): ScanOutcome {
  switch (errorName) {
    case 'LimitExceededException':
      return 'quota-exceeded';
    case 'UnsupportedImageTypeException':
      return 'unsupported';
    case 'ImageNotFoundException':
      return 'image-gone';
    default:
      return 'failed';
  }
}

export interface RescanSummary {
  readonly started: number;
  readonly skippedRecentlyScanned: number;
  readonly quotaExceeded: number;
  readonly unsupported: number;
  readonly imageGone: number;
  readonly failed: number;
  readonly failedDigests: readonly string[];
}

export function summarizeRescan(plan: RescanPlan, outcomes: ReadonlyMap<string, ScanOutcome>): RescanSummary {
  const countOf = (outcome: ScanOutcome) => [...outcomes.values()].filter((o) => o === outcome).length;
  return {
    started: countOf('started'),
    skippedRecentlyScanned: plan.scannedRecently.length,
    quotaExceeded: countOf('quota-exceeded'),
    unsupported: countOf('unsupported'),
    imageGone: countOf('image-gone'),
    failed: countOf('failed'),
    failedDigests: [...outcomes.entries()].filter(([, o]) => o === 'failed').map(([digest]) => digest),
  };
}
