import type { FlagDefinition } from '../flags/evaluator';
import { disableFlag, enableFlag, setDefaultVariant, setFractionalWeights } from '../flags/flag-edits';
import type { FlagChange } from './rollout-plan';

/** A scheduled change made to a flag, with the same edits `monoenv flags` makes (pure; throws FlagEditError). */
export function applyChange(flag: FlagDefinition, change: FlagChange): FlagDefinition {
  switch (change.change) {
    case 'enable':
      return enableFlag(flag);
    case 'disable':
      return disableFlag(flag);
    case 'set-default':
      return setDefaultVariant(flag, change.variant);
    case 'set-weights':
      return setFractionalWeights(flag, Object.entries(change.weights));
  }
}

/** A change in words, for the audit trail, alerts and `status`. */
export function describeChange(change: FlagChange): string {
  switch (change.change) {
    case 'set-default':
      return `set-default ${change.variant}`;
    case 'set-weights':
      return `set-weights ${Object.entries(change.weights)
        .map(([variant, weight]) => `${variant}=${weight}`)
        .join(' ')}`;
    default:
      return change.change;
  }
}
