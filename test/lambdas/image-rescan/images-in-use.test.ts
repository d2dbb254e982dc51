import { digestOfContainer, imagesInUse, type RepositoryImage } from '../../../lambdas/image-rescan/images-in-use';

const uri = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web';
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const image = (n: number, tags: string[], pushedDay: number): RepositoryImage => ({
  digest: digest(n),
  tags,
  pushedAt: new Date(Date.UTC(2026, 0, pushedDay)),
});

const images = [image(1, ['v1'], 1), image(2, ['v2'], 2), image(3, ['v3'], 3), image(4, ['v4', 'latest'], 4)];

describe('digestOfContainer', () => {
  const byTag = new Map([
    ['v1', digest(1)],
    ['latest', digest(4)],
  ]);
  it('prefers the digest ECS resolved', () => {
    expect(digestOfContainer({ image: `${uri}:v1`, imageDigest: digest(2) }, uri, byTag)).toBe(digest(2));
  });
  it('resolves a tag, a bare reference (latest) and a digest reference', () => {
    expect(digestOfContainer({ image: `${uri}:v1` }, uri, byTag)).toBe(digest(1));
    expect(digestOfContainer({ image: uri }, uri, byTag)).toBe(digest(4));
    expect(digestOfContainer({ image: `${uri}@${digest(3)}` }, uri, byTag)).toBe(digest(3));
  });
  it('ignores other repositories, including one whose name starts with ours', () => {
    expect(digestOfContainer({ image: `${uri}-admin:v1`, imageDigest: digest(1) }, uri, byTag)).toBeUndefined();
    expect(digestOfContainer({ image: 'nginx:1.27', imageDigest: digest(1) }, uri, byTag)).toBeUndefined();
  });
});

describe('imagesInUse', () => {
  it('counts running images and the N most recently pushed, each once with all its reasons', () => {
    const running = [{ image: `${uri}:v1` }, { image: `${uri}:v4` }, { image: 'nginx:latest', imageDigest: digest(2) }];
    const result = imagesInUse(images, running, { repositoryUri: uri, recentImageCount: 2 });
    expect(result).toEqual(
      expect.arrayContaining([
        { digest: digest(1), tags: ['v1'], reasons: ['running'] },
        { digest: digest(4), tags: ['v4', 'latest'], reasons: ['recent', 'running'] },
        { digest: digest(3), tags: ['v3'], reasons: ['recent'] },
      ]),
    );
    expect(result).toHaveLength(3);
  });

  it('skips a running digest that is no longer in the repository', () => {
    expect(imagesInUse(images, [{ image: `${uri}:gone`, imageDigest: digest(9) }], { repositoryUri: uri, recentImageCount: 0 })).toEqual(
      [],
    );
  });

  it('carries the last scan time through', () => {
    const scanned = [{ ...image(1, ['v1'], 1), lastScanCompletedAt: new Date('2026-01-02T00:00:00Z') }];
    expect(imagesInUse(scanned, [], { repositoryUri: uri, recentImageCount: 1 })[0].lastScanCompletedAt).toEqual(
      new Date('2026-01-02T00:00:00Z'),
    );
  });

  it('rejects a negative recent count', () => {
    expect(() => imagesInUse(images, [], { repositoryUri: uri, recentImageCount: -1 })).toThrow(
      /recentImageCount must be a whole number >= 0/,
    );
  });
});
