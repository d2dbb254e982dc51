import type { RescanConfig } from './config';
import { imagesInUse, type RepositoryImage, type RunningContainer } from './images-in-use';
import { planBasicRescan, scanErrorOutcome, summarizeRescan, type RescanSummary, type ScanOutcome } from './basic-rescan';
import { evaluateCoverage, type CoverageRecord, type CoverageReport } from './coverage';
import { RESCAN_METRICS } from './contract';
import { emfLine } from './metrics';

/** What the re-scan needs from AWS; the handler implements it with the SDK, tests with fakes. */
export interface RescanPorts {
  repositoryUri(): Promise<string>;
  listImages(): Promise<RepositoryImage[]>;
  listRunningContainers(): Promise<RunningContainer[]>;
  /** Resolves when the scan started; rejects with the SDK error (its `name` tells the cause). */
  startImageScan(digest: string): Promise<void>;
  listCoverage(): Promise<CoverageRecord[]>;
  log(line: string): void;
}

export type RescanResult =
  | { readonly mode: 'basic'; readonly imagesInUse: number; readonly summary: RescanSummary }
  | { readonly mode: 'enhanced'; readonly imagesInUse: number; readonly coverage: CoverageReport };

export async function runRescan(config: RescanConfig, ports: RescanPorts, now: Date): Promise<RescanResult> {
  const [repositoryUri, images, running] = await Promise.all([ports.repositoryUri(), ports.listImages(), ports.listRunningContainers()]);
  const inUse = imagesInUse(images, running, { repositoryUri, recentImageCount: config.recentImageCount });

  if (config.scanMode === 'enhanced') {
    const coverage = evaluateCoverage(inUse, await ports.listCoverage());
    for (const image of coverage.uncovered) {
      ports.log(
        JSON.stringify({
          level: 'warn',
          message: 'image in use is not actively scanned by Inspector',
          repository: config.repositoryName,
          ...image,
        }),
      );
    }
    ports.log(
      emfLine(
        config.repositoryName,
        { [RESCAN_METRICS.imagesInUse]: inUse.length, [RESCAN_METRICS.imagesNotCovered]: coverage.uncovered.length },
        now,
      ),
    );
    return { mode: 'enhanced', imagesInUse: inUse.length, coverage };
  }

  const plan = planBasicRescan(inUse, now);
  const outcomes = new Map<string, ScanOutcome>();
  // One at a time: a handful of images, and StartImageScan is rate limited per account.
  for (const image of plan.toScan) {
    try {
      await ports.startImageScan(image.digest);
      outcomes.set(image.digest, 'started');
    } catch (error) {
      const outcome = scanErrorOutcome((error as { name?: string }).name);
      outcomes.set(image.digest, outcome);
      if (outcome === 'failed') {
        ports.log(
          JSON.stringify({
            level: 'error',
            message: 'StartImageScan failed',
            repository: config.repositoryName,
            digest: image.digest,
            error: String((error as Error).message ?? error),
          }),
        );
      }
    }
  }
  const summary = summarizeRescan(plan, outcomes);
  ports.log(
    emfLine(
      config.repositoryName,
      {
        [RESCAN_METRICS.imagesInUse]: inUse.length,
        [RESCAN_METRICS.rescansStarted]: summary.started,
        [RESCAN_METRICS.rescansFailed]: summary.failed,
      },
      now,
    ),
  );
  return { mode: 'basic', imagesInUse: inUse.length, summary };
}
