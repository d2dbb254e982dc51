import { runRescan, type RescanPorts } from '../../../lambdas/image-rescan/rescan';
import type { RepositoryImage, RunningContainer } from '../../../lambdas/image-rescan/images-in-use';
import type { CoverageRecord } from '../../../lambdas/image-rescan/coverage';

const uri = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web';
const now = new Date('2026-03-10T12:00:00Z');
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const sdkError = (name: string) => Object.assign(new Error(`${name}: nope`), { name });

function fakePorts(parts: {
  images: RepositoryImage[];
  running?: RunningContainer[];
  coverage?: CoverageRecord[];
  scanErrors?: Record<string, Error>;
}) {
  const scanned: string[] = [];
  const lines: string[] = [];
  const ports: RescanPorts = {
    repositoryUri: async () => uri,
    listImages: async () => parts.images,
    listRunningContainers: async () => parts.running ?? [],
    startImageScan: async (d) => {
      scanned.push(d);
      const error = parts.scanErrors?.[d];
      if (error) throw error;
    },
    listCoverage: async () => parts.coverage ?? [],
    log: (line) => lines.push(line),
  };
  const emf = () => lines.map((l) => JSON.parse(l)).find((l) => l._aws);
  return { ports, scanned, lines, emf };
}

const images: RepositoryImage[] = [
  { digest: digest('a'), tags: ['v1'], pushedAt: new Date('2026-01-01') },
  { digest: digest('b'), tags: ['v2'], pushedAt: new Date('2026-02-01'), lastScanCompletedAt: new Date('2026-03-10T01:00:00Z') },
  { digest: digest('c'), tags: ['v3'], pushedAt: new Date('2026-03-01') },
  { digest: digest('d'), tags: ['v4'], pushedAt: new Date('2026-03-02') },
];

describe('runRescan in basic mode', () => {
  it('scans in-use images not scanned today, treats the quota error as expected and counts real failures', async () => {
    const fake = fakePorts({
      images,
      running: [{ image: `${uri}:v1` }, { image: `${uri}:v2` }],
      scanErrors: { [digest('c')]: sdkError('LimitExceededException'), [digest('d')]: sdkError('AccessDeniedException') },
    });
    const result = await runRescan({ repositoryName: 'web', scanMode: 'basic', recentImageCount: 2 }, fake.ports, now);
    expect(fake.scanned.sort()).toEqual([digest('a'), digest('c'), digest('d')]);
    expect(result).toMatchObject({
      mode: 'basic',
      imagesInUse: 4,
      summary: { started: 1, skippedRecentlyScanned: 1, quotaExceeded: 1, failed: 1, failedDigests: [digest('d')] },
    });
    expect(fake.emf()).toMatchObject({
      Repository: 'web',
      ImagesInUse: 4,
      RescansStarted: 1,
      RescansFailed: 1,
      _aws: { CloudWatchMetrics: [{ Namespace: 'Monoenv/ImageScanning', Dimensions: [['Repository']] }] },
    });
    expect(fake.lines.some((l) => l.includes('StartImageScan failed') && l.includes(digest('d')))).toBe(true);
  });
});

describe('runRescan in enhanced mode', () => {
  it('starts no scans and reports in-use images without ACTIVE coverage as a metric and a log line', async () => {
    const fake = fakePorts({
      images,
      running: [{ image: `${uri}:v1` }],
      coverage: [{ resourceId: `arn:aws:ecr:eu-west-1:123456789012:repository/web/${digest('d')}`, statusCode: 'ACTIVE' }],
    });
    const result = await runRescan({ repositoryName: 'web', scanMode: 'enhanced', recentImageCount: 1 }, fake.ports, now);
    expect(fake.scanned).toEqual([]);
    expect(result).toMatchObject({
      mode: 'enhanced',
      imagesInUse: 2,
      coverage: { active: 1, uncovered: [{ digest: digest('a'), reason: 'NOT_IN_COVERAGE' }] },
    });
    expect(fake.emf()).toMatchObject({ ImagesInUse: 2, ImagesNotCovered: 1 });
    expect(fake.lines.some((l) => l.includes('not actively scanned') && l.includes(digest('a')))).toBe(true);
  });
});
