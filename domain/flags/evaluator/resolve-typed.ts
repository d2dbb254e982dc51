/**
 * Typed resolution as OpenFeature providers do it: the caller's default fills in when the evaluator
 * gives no value, and a value of another type than requested is TYPE_MISMATCH (with the default).
 */
import type { ErrorCode, EvaluationResult, FlagValue, Metadata, Reason } from './types';

/** 'integer' demands a whole number; 'float' and 'number' accept any number; 'object' accepts arrays too. */
export type FlagValueType = 'boolean' | 'string' | 'number' | 'integer' | 'float' | 'object';

export interface TypedResolution<T extends FlagValue> {
  key: string;
  value: T;
  variant?: string;
  reason: Reason;
  metadata: Metadata;
  errorCode?: ErrorCode;
  errorDetails?: string;
}

export function hasType(value: unknown, type: FlagValueType): boolean {
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'number':
    case 'float':
      return typeof value === 'number';
    case 'integer':
      return Number.isInteger(value);
    case 'object':
      return typeof value === 'object' && value !== null;
  }
}

export function resolveTyped<T extends FlagValue>(
  result: EvaluationResult,
  expectedType: FlagValueType,
  defaultValue: T,
): TypedResolution<T> {
  const metadata = result.metadata ?? {};
  if (result.value === undefined) {
    const { key, reason, errorCode, errorDetails } = result;
    return { key, value: defaultValue, reason, metadata, ...(errorCode && { errorCode }), ...(errorDetails && { errorDetails }) };
  }
  if (!hasType(result.value, expectedType)) {
    const actual = Array.isArray(result.value) ? 'array' : typeof result.value;
    return {
      key: result.key,
      value: defaultValue,
      reason: 'ERROR',
      metadata,
      errorCode: 'TYPE_MISMATCH',
      errorDetails: `flag "${result.key}" is ${actual}, ${expectedType} was requested`,
    };
  }
  return { key: result.key, value: result.value as T, variant: result.variant, reason: result.reason, metadata };
}
