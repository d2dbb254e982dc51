/** Public types of the flag evaluator. Names follow OpenFeature / flagd so results map 1:1 to OFREP. */

export type FlagValue = boolean | string | number | { [k: string]: unknown } | unknown[];

export interface EvaluationContext {
  targetingKey?: string;
  [key: string]: unknown;
}

export type Reason = 'STATIC' | 'TARGETING_MATCH' | 'DEFAULT' | 'DISABLED' | 'SPLIT' | 'ERROR';

export type ErrorCode = 'FLAG_NOT_FOUND' | 'PARSE_ERROR' | 'TYPE_MISMATCH' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'GENERAL';

export type MetadataValue = string | number | boolean;
export type Metadata = Record<string, MetadataValue>;

export interface EvaluationResult {
  key: string;
  /** Absent when the caller's default applies (DISABLED, errors, no default variant). */
  value?: FlagValue;
  variant?: string;
  reason: Reason;
  /** Flag-set metadata merged with flag metadata (the flag's entries win). */
  metadata?: Metadata;
  errorCode?: ErrorCode;
  errorDetails?: string;
}

/** One problem in a flag document; `field` is a dotted path such as `flags.my-flag.defaultVariant`. */
export interface FlagIssue {
  flag?: string;
  field: string;
  message: string;
}

export class FlagValidationError extends Error {
  readonly issues: FlagIssue[];

  constructor(issues: FlagIssue[]) {
    const shown = issues.slice(0, 10).map((issue) => `${issue.field}: ${issue.message}`);
    const more = issues.length > shown.length ? `\n  (+${issues.length - shown.length} more)` : '';
    super(`invalid flag document (${issues.length} issue${issues.length === 1 ? '' : 's'}):\n  ${shown.join('\n  ')}${more}`);
    this.name = 'FlagValidationError';
    this.issues = issues;
  }
}

export type FlagState = 'ENABLED' | 'DISABLED';

/** One flag as written in a flagd flag file. */
export interface FlagDefinition {
  state: FlagState;
  variants: Record<string, FlagValue>;
  defaultVariant?: string | null;
  targeting?: Record<string, unknown>;
  metadata?: Metadata;
}

/** A flagd flag file (https://flagd.dev/schema/v0/flags.json). */
export interface FlagDocument {
  $schema?: string;
  flags: Record<string, FlagDefinition>;
  /** Shared targeting rules, referenced from targeting with `{"$ref": "name"}`. */
  $evaluators?: Record<string, unknown>;
  metadata?: Metadata;
}

/** Compiled targeting: returns the variant name (or any value, stringified by the evaluator) or null. */
export type TargetingFunction = (context: EvaluationContext, nowSeconds: number) => unknown;

export interface CompiledFlag {
  key: string;
  state: FlagState;
  variants: Record<string, FlagValue>;
  defaultVariant?: string;
  /** Flag-set metadata merged with the flag's own. */
  metadata: Metadata;
  /** Its own metadata has `clientVisible: true`: client (browser) keys may evaluate it. Server keys see every flag. */
  clientVisible?: boolean;
  /** Absent when the flag has no targeting (reason STATIC). */
  targeting?: TargetingFunction;
  /**
   * Why the flag could not be compiled (lenient and trusted compiles only): evaluation reports
   * PARSE_ERROR with this text, and the other flags of the set are unaffected.
   */
  compileError?: string;
}

export interface CompiledFlagSet {
  readonly flags: ReadonlyMap<string, CompiledFlag>;
  readonly metadata: Metadata;
  /** Stable hash of the normalized document: equal content, equal revision (usable as an ETag). */
  readonly revision: string;
  /** Issues tolerated by a lenient compile, or the flags a trusted compile turned into errors (empty for a strict one). */
  readonly issues: readonly FlagIssue[];
}
