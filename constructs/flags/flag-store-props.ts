/**
 * What FlagStore accepts, as one zod schema: the construct parses its props with it, and the config's `flags`
 * section is checked with the same field rules (config/schema.ts), so a config that passes never fails in the
 * construct.
 */
import { z } from 'zod';
import { FLAG_EVALUATION_DEFAULTS } from '../../lambdas/flag-evaluation/contract';
import { corsOriginSchema, kmsKeyArnSchema, logRetentionDaysSchema, namePrefixSchema, tokenOr } from '../core/props';

const atLeastOne = 'must be a whole number >= 1';

/** The rules of each setting; the config picks the ones it exposes. */
export const flagStoreFields = {
  namePrefix: namePrefixSchema,
  corsAllowOrigins: z.array(corsOriginSchema),
  /** A key ARN, or a key made in the same deploy (a token). */
  apiKeysKmsKeyArn: tokenOr(kmsKeyArnSchema),
  rateLimitPerSecond: z.number().positive('must be a positive number of requests per second'),
  /** At least 1 (0 would stop every evaluation). */
  reservedConcurrentExecutions: z.number().int(atLeastOne).min(1, atLeastOne),
  logRetentionDays: logRetentionDaysSchema,
  latencyAlarmMs: z.number().positive('must be a positive number of milliseconds'),
};

/** The construct's scalar props with their defaults. */
export const flagStoreSettingsSchema = z.object({
  namePrefix: flagStoreFields.namePrefix,
  corsAllowOrigins: flagStoreFields.corsAllowOrigins.default([]),
  apiKeysKmsKeyArn: flagStoreFields.apiKeysKmsKeyArn.optional(),
  rateLimitPerSecond: flagStoreFields.rateLimitPerSecond.default(FLAG_EVALUATION_DEFAULTS.rateLimitPerSecond),
  reservedConcurrentExecutions: flagStoreFields.reservedConcurrentExecutions.default(50),
  deletionProtection: z.boolean().default(true),
  logRetentionDays: flagStoreFields.logRetentionDays.default(30),
  latencyAlarmMs: flagStoreFields.latencyAlarmMs.default(250),
});

export type FlagStoreSettings = z.output<typeof flagStoreSettingsSchema>;
