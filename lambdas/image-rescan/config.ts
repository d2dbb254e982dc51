import { z } from 'zod';
import { RESCAN_DEFAULTS, RESCAN_ENV, type RescanSettings } from './contract';

const { repositoryName: REPOSITORY, scanMode: MODE, recentImageCount: RECENT } = RESCAN_ENV;

/** The re-scan Lambda's environment (contract.ts), set by the ImageScanning construct. */
const configSchema = z.object({
  [REPOSITORY]: z.string({ error: `${REPOSITORY} must name the ECR repository` }).min(1, `${REPOSITORY} must not be empty`),
  [MODE]: z.enum(['basic', 'enhanced'], { error: `${MODE} must be 'basic' or 'enhanced'` }),
  [RECENT]: z.coerce
    .number({ error: `${RECENT} must be a number` })
    .int(`${RECENT} must be a whole number`)
    .min(0, `${RECENT} must be >= 0`)
    .default(RESCAN_DEFAULTS.recentImageCount),
});

export type RescanConfig = RescanSettings;

export class RescanConfigError extends Error {
  readonly code = 'INVALID_RESCAN_CONFIG';
}

export function loadRescanConfig(env: Record<string, string | undefined>): RescanConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new RescanConfigError(`image re-scan configuration: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  return { repositoryName: parsed.data[REPOSITORY], scanMode: parsed.data[MODE], recentImageCount: parsed.data[RECENT] };
}
