import { loadRescanConfig } from '../../../lambdas/image-rescan/config';

describe('loadRescanConfig', () => {
  it('reads the environment with a default recent image count', () => {
    expect(loadRescanConfig({ REPOSITORY_NAME: 'web', SCAN_MODE: 'basic' })).toEqual({
      repositoryName: 'web',
      scanMode: 'basic',
      recentImageCount: 5,
    });
    expect(loadRescanConfig({ REPOSITORY_NAME: 'web', SCAN_MODE: 'enhanced', RECENT_IMAGE_COUNT: '2' }).recentImageCount).toBe(2);
  });

  it('names each bad field and carries a machine-readable code', () => {
    expect(() => loadRescanConfig({ SCAN_MODE: 'full', RECENT_IMAGE_COUNT: '-1' })).toThrow(
      expect.objectContaining({
        code: 'INVALID_RESCAN_CONFIG',
        message: expect.stringMatching(
          /REPOSITORY_NAME must name the ECR repository.*SCAN_MODE must be 'basic' or 'enhanced'.*RECENT_IMAGE_COUNT must be >= 0/,
        ),
      }),
    );
  });
});
