import { z } from 'zod';

/** The re-scan Lambda's environment, set by the ImageScanning construct. */
const configSchema = z.object({
  REPOSITORY_NAME: z.string({ error: 'REPOSITORY_NAME must name the ECR repository' }).min(1, 'REPOSITORY_NAME must not be empty'),
  SCAN_MODE: z.enum(['basic', 'enhanced'], { error: "SCAN_MODE must be 'basic' or 'enhanced'" }),
  RECENT_IMAGE_COUNT: z.coerce.number({ error: 'RECENT_IMAGE_COUNT must be a number' })
    .int('RECENT_IMAGE_COUNT must be a whole number').min(0, 'RECENT_IMAGE_COUNT must be >= 0').default(5),
});

export type RescanConfig = {
  readonly repositoryName: string;
  readonly scanMode: 'basic' | 'enhanced';
  readonly recentImageCount: number;
};

export class RescanConfigError extends Error {
  readonly code = 'INVALID_RESCAN_CONFIG';
}

export function loadRescanConfig(env: Record<string, string | undefined>): RescanConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new RescanConfigError(`image re-scan configuration: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  return { repositoryName: parsed.data.REPOSITORY_NAME, scanMode: parsed.data.SCAN_MODE, recentImageCount: parsed.data.RECENT_IMAGE_COUNT };
}
