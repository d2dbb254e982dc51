import { planBasicRescan, scanErrorOutcome, summarizeRescan, type ScanOutcome } from '../../../lambdas/image-rescan/basic-rescan';
import type { ImageInUse } from '../../../lambdas/image-rescan/images-in-use';

const now = new Date('2026-03-10T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000);
const inUse = (digest: string, lastScanCompletedAt?: Date): ImageInUse => ({
  digest,
  tags: [],
  reasons: ['running'],
  ...(lastScanCompletedAt ? { lastScanCompletedAt } : {}),
});

describe('planBasicRescan', () => {
  it('skips images scanned within the last 24 hours and scans the rest', () => {
    const plan = planBasicRescan([inUse('never'), inUse('fresh', hoursAgo(23)), inUse('stale', hoursAgo(25))], now);
    expect(plan.toScan.map((i) => i.digest)).toEqual(['never', 'stale']);
    expect(plan.scannedRecently.map((i) => i.digest)).toEqual(['fresh']);
  });
});

describe('scanErrorOutcome', () => {
  it.each<[string | undefined, ScanOutcome]>([
    ['LimitExceededException', 'quota-exceeded'],
    ['UnsupportedImageTypeException', 'unsupported'],
    ['ImageNotFoundException', 'image-gone'],
    ['AccessDeniedException', 'failed'],
    [undefined, 'failed'],
  ])('%s -> %s', (name, outcome) => expect(scanErrorOutcome(name)).toBe(outcome));
});

describe('summarizeRescan', () => {
  it('counts each outcome and names the failed digests', () => {
    const plan = { toScan: [inUse('a'), inUse('b'), inUse('c'), inUse('d')], scannedRecently: [inUse('e', hoursAgo(1))] };
    const outcomes = new Map<string, ScanOutcome>([
      ['a', 'started'],
      ['b', 'quota-exceeded'],
      ['c', 'failed'],
      ['d', 'started'],
    ]);
    expect(summarizeRescan(plan, outcomes)).toEqual({
      started: 2,
      skippedRecentlyScanned: 1,
      quotaExceeded: 1,
      unsupported: 0,
      imageGone: 0,
      failed: 1,
      failedDigests: ['c'],
    });
  });
});
