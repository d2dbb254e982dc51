import type { ImageInUse } from './images-in-use';

/**
 * Enhanced scanning: Amazon Inspector re-scans continuously, but only images it covers. Every image
 * in use must have a coverage record with status ACTIVE; anything else is reported.
 */

/** One Inspector ListCoverage record for an ECR image. */
export interface CoverageRecord {
  /** e.g. `arn:aws:ecr:eu-west-1:123456789012:repository/web/sha256:abc...` */
  readonly resourceId: string;
  /** `ACTIVE` or `INACTIVE`. */
  readonly statusCode: string;
  /** Inspector's reason, e.g. `PENDING_INITIAL_SCAN`, `SCAN_ELIGIBILITY_EXPIRED`. */
  readonly reason?: string;
}

export interface UncoveredImage {
  readonly digest: string;
  readonly tags: readonly string[];
  /** `NOT_IN_COVERAGE` when Inspector has no record of it at all. */
  readonly reason: string;
}

export interface CoverageReport {
  readonly imagesInUse: number;
  readonly active: number;
  readonly uncovered: readonly UncoveredImage[];
}

const digestOf = (resourceId: string): string | undefined => /(sha256:[0-9a-f]{64})$/.exec(resourceId)?.[1];

export function evaluateCoverage(inUse: readonly ImageInUse[], records: readonly CoverageRecord[]): CoverageReport {
  const byDigest = new Map<string, CoverageRecord>();
  for (const record of records) {
    const digest = digestOf(record.resourceId);
    if (digest) byDigest.set(digest, record);
  }
  const uncovered: UncoveredImage[] = [];
  for (const image of inUse) {
    const record = byDigest.get(image.digest);
    if (!record) uncovered.push({ digest: image.digest, tags: image.tags, reason: 'NOT_IN_COVERAGE' });
    else if (record.statusCode !== 'ACTIVE')
      uncovered.push({ digest: image.digest, tags: image.tags, reason: record.reason ?? record.statusCode });
  }
  return { imagesInUse: inUse.length, active: inUse.length - uncovered.length, uncovered };
}
