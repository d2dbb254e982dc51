/**
 * Which images of one ECR repository are "in use": run by an ECS task right now, or among the N most
 * recently pushed (the next deploy's candidates). Pure: the handler feeds it what ECR and ECS report.
 */

/** An image as ECR's DescribeImages reports it. */
export interface RepositoryImage {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt?: Date;
  /** When the last basic scan finished; absent if never scanned. */
  readonly lastScanCompletedAt?: Date;
}

/** A container of a running ECS task (DescribeTasks' `containers[]`). */
export interface RunningContainer {
  /** The image reference the task asked for: `<uri>:<tag>` or `<uri>@sha256:...`. */
  readonly image: string;
  /** The digest ECS resolved; absent while the task is still pulling. */
  readonly imageDigest?: string;
}

export type InUseReason = 'running' | 'recent';

export interface ImageInUse {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly reasons: readonly InUseReason[];
  readonly lastScanCompletedAt?: Date;
}

export interface InUseOptions {
  /** e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/web` */
  readonly repositoryUri: string;
  /** How many of the most recently pushed images count as in use. */
  readonly recentImageCount: number;
}

/** The digest a running container uses, if it belongs to the repository; tags resolve through `byTag`. */
export function digestOfContainer(
  container: RunningContainer,
  repositoryUri: string,
  byTag: ReadonlyMap<string, string>,
): string | undefined {
  const ref = container.image;
  if (!ref.startsWith(repositoryUri)) return undefined;
  const rest = ref.slice(repositoryUri.length);
  // Guards against a sibling repository whose name starts with ours (`web` vs `web-admin`).
  if (rest !== '' && !rest.startsWith(':') && !rest.startsWith('@')) return undefined;
  if (container.imageDigest) return container.imageDigest;
  if (rest.startsWith('@')) return rest.slice(1);
  return byTag.get(rest === '' ? 'latest' : rest.slice(1));
}

export function imagesInUse(images: readonly RepositoryImage[], running: readonly RunningContainer[], options: InUseOptions): ImageInUse[] {
  if (!Number.isInteger(options.recentImageCount) || options.recentImageCount < 0) {
    throw new Error(`recentImageCount must be a whole number >= 0, got ${options.recentImageCount}`);
  }
  const byDigest = new Map(images.map((image) => [image.digest, image]));
  const byTag = new Map(images.flatMap((image) => image.tags.map((tag) => [tag, image.digest] as const)));
  const reasons = new Map<string, Set<InUseReason>>();
  const mark = (digest: string, reason: InUseReason) => {
    const set = reasons.get(digest) ?? new Set<InUseReason>();
    set.add(reason);
    reasons.set(digest, set);
  };

  for (const container of running) {
    const digest = digestOfContainer(container, options.repositoryUri, byTag);
    // A running digest no longer in the repository cannot be scanned; it is not ours to report here.
    if (digest && byDigest.has(digest)) mark(digest, 'running');
  }
  const newestFirst = [...images].sort((a, b) => (b.pushedAt?.getTime() ?? 0) - (a.pushedAt?.getTime() ?? 0));
  for (const image of newestFirst.slice(0, options.recentImageCount)) mark(image.digest, 'recent');

  return [...reasons.entries()].map(([digest, why]) => {
    const image = byDigest.get(digest)!;
    return {
      digest,
      tags: image.tags,
      reasons: [...why].sort(),
      ...(image.lastScanCompletedAt ? { lastScanCompletedAt: image.lastScanCompletedAt } : {}),
    };
  });
}
