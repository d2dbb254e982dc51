import { createHash } from 'node:crypto';
import type { EventRecord } from '../../domain/events/event-record';
import { EXPOSURE_EVENT } from '../../domain/events/event-record';

/**
 * Experiment exposures: when a flag that belongs to an experiment is evaluated for a user, the flag
 * API records which variant that user got, so the journey processor can attribute conversions.
 *
 * A flag is part of an experiment when its metadata (flag-level, as returned with the evaluation) has
 * `"experiment": true` or `"experiment": "<experiment name>"`. Only evaluations that produced a variant
 * for a known user (a `targetingKey`) are exposures; disabled flags and errors are not.
 */
export interface ExposureSink {
  record(exposures: EventRecord[]): Promise<void>;
}

export const PROVIDER_NAME = 'monoenv';

export interface EvaluatedFlag {
  readonly key: string;
  readonly variant?: string;
  readonly reason: string;
  readonly errorCode?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export function isExperimentFlag(metadata: Readonly<Record<string, unknown>> | undefined): boolean {
  const marker = metadata?.experiment;
  return marker === true || (typeof marker === 'string' && marker.length > 0);
}

/** Same flag, variant, user and flag-set revision -> same id, so repeated evaluations dedupe downstream. */
export function exposureMessageId(flagKey: string, variant: string, targetingKey: string, revision: string): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([flagKey, variant, targetingKey, revision]))
    .digest('hex');
  return `exposure-${hash.slice(0, 32)}`;
}

export function exposuresFor(results: readonly EvaluatedFlag[], targetingKey: unknown, revision: string, at: Date): EventRecord[] {
  if (typeof targetingKey !== 'string' || targetingKey === '') return [];
  const timestamp = at.toISOString();
  return results
    .filter((r) => r.errorCode === undefined && r.reason !== 'DISABLED' && typeof r.variant === 'string' && isExperimentFlag(r.metadata))
    .map((r) => {
      const variant = r.variant as string;
      const experiment = typeof r.metadata?.experiment === 'string' ? r.metadata.experiment : r.key;
      return {
        messageId: exposureMessageId(r.key, variant, targetingKey, revision),
        type: 'exposure',
        event: EXPOSURE_EVENT,
        userKey: targetingKey,
        timestamp,
        receivedAt: timestamp,
        properties: { experiment, reason: r.reason, flagSetRevision: revision },
        featureFlags: [{ 'feature_flag.key': r.key, 'feature_flag.result.variant': variant, 'feature_flag.provider.name': PROVIDER_NAME }],
        context: {},
      } satisfies EventRecord;
    });
}
