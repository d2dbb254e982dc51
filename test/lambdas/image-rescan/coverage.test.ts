import { evaluateCoverage } from '../../../lambdas/image-rescan/coverage';
import type { ImageInUse } from '../../../lambdas/image-rescan/images-in-use';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const arn = (d: string) => `arn:aws:ecr:eu-west-1:123456789012:repository/web/${d}`;
const inUse = (d: string, tags: string[] = []): ImageInUse => ({ digest: d, tags, reasons: ['running'] });

describe('evaluateCoverage', () => {
  it('reports in-use images that are INACTIVE or missing from Inspector coverage', () => {
    const report = evaluateCoverage(
      [inUse(digest('a'), ['v1']), inUse(digest('b'), ['v2']), inUse(digest('c'), ['v3'])],
      [
        { resourceId: arn(digest('a')), statusCode: 'ACTIVE' },
        { resourceId: arn(digest('b')), statusCode: 'INACTIVE', reason: 'SCAN_ELIGIBILITY_EXPIRED' },
        { resourceId: arn(digest('d')), statusCode: 'INACTIVE', reason: 'STALE' },
      ],
    );
    expect(report).toEqual({
      imagesInUse: 3,
      active: 1,
      uncovered: [
        { digest: digest('b'), tags: ['v2'], reason: 'SCAN_ELIGIBILITY_EXPIRED' },
        { digest: digest('c'), tags: ['v3'], reason: 'NOT_IN_COVERAGE' },
      ],
    });
  });

  it('is clean when every image in use is ACTIVE', () => {
    expect(evaluateCoverage([inUse(digest('a'))], [{ resourceId: arn(digest('a')), statusCode: 'ACTIVE' }]).uncovered).toEqual([]);
  });

  it('falls back to the status code when Inspector gives no reason', () => {
    expect(evaluateCoverage([inUse(digest('a'))], [{ resourceId: arn(digest('a')), statusCode: 'INACTIVE' }]).uncovered[0].reason).toBe(
      'INACTIVE',
    );
  });
});
