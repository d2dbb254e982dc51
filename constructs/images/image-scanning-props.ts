/**
 * What ImageScanning accepts, as one zod schema: the construct parses its props with it, and the config's
 * `imageScanning` section is checked with the same field rules (config/schema.ts), so a config that passes
 * never fails in the construct.
 */
import { z } from 'zod';
import { RESCAN_DEFAULTS } from '../../lambdas/image-rescan/contract';
import { kmsKeyArnSchema, tokenOr } from '../core/props';

/** Inspector's and ECR's finding severities, highest first. */
export const FINDING_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/** ECR's repository names: lower-case components separated by '.', '_' or '-', optionally under '/' namespaces. */
const REPOSITORY_NAME_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** EventBridge Scheduler expressions. */
const SCHEDULE_PATTERN = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\)|at\(.+\))$/;

const wholeNumber = (min: number) => z.number().int(`must be a whole number >= ${min}`).min(min, `must be a whole number >= ${min}`);

/** The rules of each setting; the config picks the ones it exposes. */
export const imageScanningFields = {
  repositoryName: z
    .string()
    .refine(
      (name) => name.length >= 2 && name.length <= 256 && REPOSITORY_NAME_PATTERN.test(name),
      'must be 2-256 lowercase letters, digits and . _ - / (ECR naming rules)',
    ),
  scanMode: z.enum(['enhanced', 'basic'], { error: "must be 'enhanced' or 'basic'" }),
  keepLastImages: wholeNumber(1),
  alertSeverity: z.enum(FINDING_SEVERITIES, { error: `must be one of ${FINDING_SEVERITIES.join(', ')}` }),
  rescanScheduleExpression: z
    .string()
    .regex(SCHEDULE_PATTERN, 'must be rate(<n> minutes|hours|days), cron(...) or at(...) (an EventBridge Scheduler expression)'),
  rescanRecentImages: wholeNumber(0),
  kmsKeyArn: tokenOr(kmsKeyArnSchema),
  /** ECR's scanning filters: a repository name in which '*' matches anything. */
  scannedRepositoryFilters: z
    .array(z.string().regex(/^[a-z0-9*][a-z0-9._/*-]{0,255}$/, "must be a repository name, '*' matching anything"))
    .min(1, 'must list at least one repository filter'),
};

/** The construct's scalar props with their defaults. */
export const imageScanningSettingsSchema = z
  .object({
    repositoryName: imageScanningFields.repositoryName,
    keepLastImages: imageScanningFields.keepLastImages.default(30),
    scanMode: imageScanningFields.scanMode.default('enhanced'),
    manageRegistryScanning: z.boolean().default(true),
    scannedRepositoryFilters: imageScanningFields.scannedRepositoryFilters.optional(),
    enableInspector: z.boolean().default(true),
    rescanScheduleExpression: imageScanningFields.rescanScheduleExpression.default('rate(1 day)'),
    rescanRecentImages: imageScanningFields.rescanRecentImages.default(RESCAN_DEFAULTS.recentImageCount),
    alertSeverity: imageScanningFields.alertSeverity.default('HIGH'),
    kmsKeyArn: imageScanningFields.kmsKeyArn.optional(),
    forceDelete: z.boolean().default(false),
  })
  .transform((value) => ({ ...value, scannedRepositoryFilters: value.scannedRepositoryFilters ?? [value.repositoryName] }));

export type ImageScanningSettings = z.output<typeof imageScanningSettingsSchema>;
