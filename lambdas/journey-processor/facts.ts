/**
 * What processing one event produced, named after the CloudWatch metric each becomes (emf.ts) and,
 * for experiments, the aggregate it adds to (progress-store.ts). Never carries a user id.
 */
export type Fact =
  | { readonly kind: 'FeatureUsed'; readonly feature: string }
  | { readonly kind: 'JourneyStarted'; readonly journey: string; readonly variant: string }
  | { readonly kind: 'StepReached'; readonly journey: string; readonly step: string; readonly variant: string }
  | { readonly kind: 'JourneyCompleted'; readonly journey: string; readonly variant: string; readonly secondsToConvert: number }
  | { readonly kind: 'ExperimentExposure'; readonly flag: string; readonly variant: string }
  | {
      readonly kind: 'ExperimentConversion';
      readonly flag: string;
      readonly variant: string;
      readonly journey: string;
      readonly secondsToConvert: number;
    }
  /** A user exposed to `flag` sent a step of `journey` (whether or not it advanced the journey): tells a report what was seen. */
  | { readonly kind: 'ExperimentStepSeen'; readonly flag: string; readonly journey: string; readonly step: string };

/** Variant dimension value for users outside any experiment. */
export const NO_VARIANT = 'none';
