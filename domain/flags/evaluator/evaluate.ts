/**
 * Evaluation with flagd's semantics: DISABLED -> no value (caller's default); no targeting -> STATIC;
 * targeting null/undefined -> DEFAULT; otherwise the returned value, stringified (true -> "true"), names
 * the variant -> TARGETING_MATCH (flagd reports fractional splits this way too). A missing default
 * variant leaves the value to the caller (reason DEFAULT); an unknown variant is ERROR/GENERAL.
 */
import type { CompiledFlag, CompiledFlagSet, EvaluationContext, EvaluationResult } from './types';

const hasOwn = Object.prototype.hasOwnProperty;

function isContext(context: unknown): context is EvaluationContext {
  return typeof context === 'object' && context !== null && !Array.isArray(context);
}

function evaluateCompiled(flag: CompiledFlag, context: EvaluationContext, nowSeconds: number | undefined): EvaluationResult {
  const { key, metadata } = flag;
  if (flag.state === 'DISABLED') return { key, reason: 'DISABLED', metadata };
  if (flag.compileError !== undefined) {
    return { key, reason: 'ERROR', errorCode: 'PARSE_ERROR', errorDetails: flag.compileError, metadata };
  }

  let variant: string | undefined;
  let reason: EvaluationResult['reason'];
  if (flag.targeting === undefined) {
    variant = flag.defaultVariant;
    reason = 'STATIC';
  } else {
    let outcome: unknown;
    try {
      outcome = flag.targeting(context, nowSeconds ?? Math.floor(Date.now() / 1000));
    } catch (error) {
      return {
        key,
        reason: 'ERROR',
        errorCode: 'GENERAL',
        errorDetails: `targeting failed: ${(error as Error)?.message ?? String(error)}`,
        metadata,
      };
    }
    if (outcome === null || outcome === undefined) {
      variant = flag.defaultVariant;
      reason = 'DEFAULT';
    } else {
      variant = String(outcome);
      reason = 'TARGETING_MATCH';
    }
  }

  if (variant === undefined) return { key, reason: 'DEFAULT', metadata };
  if (!hasOwn.call(flag.variants, variant)) {
    return {
      key,
      reason: 'ERROR',
      errorCode: 'GENERAL',
      errorDetails: `targeting returned "${variant}", which is not a variant of flag "${key}"`,
      metadata,
    };
  }
  return { key, value: flag.variants[variant], variant, reason, metadata };
}

/** Evaluates one flag. `nowSeconds` (for `$flagd.timestamp`) defaults to the current time. */
export function evaluateFlag(set: CompiledFlagSet, key: string, context: EvaluationContext, nowSeconds?: number): EvaluationResult {
  const flag = set.flags.get(key);
  if (flag === undefined) {
    return { key, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND', errorDetails: `flag "${key}" not found`, metadata: set.metadata };
  }
  if (!isContext(context)) {
    return {
      key,
      reason: 'ERROR',
      errorCode: 'INVALID_CONTEXT',
      errorDetails: 'the evaluation context must be an object',
      metadata: flag.metadata,
    };
  }
  return evaluateCompiled(flag, context, nowSeconds);
}

/** Evaluates every flag of the set, in document order, DISABLED and failed ones included (callers filter). */
export function evaluateAll(set: CompiledFlagSet, context: EvaluationContext, nowSeconds?: number): EvaluationResult[] {
  const results: EvaluationResult[] = [];
  if (!isContext(context)) {
    for (const flag of set.flags.values()) {
      results.push({
        key: flag.key,
        reason: 'ERROR',
        errorCode: 'INVALID_CONTEXT',
        errorDetails: 'the evaluation context must be an object',
        metadata: flag.metadata,
      });
    }
    return results;
  }
  const now = nowSeconds ?? Math.floor(Date.now() / 1000);
  for (const flag of set.flags.values()) results.push(evaluateCompiled(flag, context, now));
  return results;
}
