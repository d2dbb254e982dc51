/**
 * Compiles flags that their writers already validated (synth and CLI edits, both via compileFlagSet):
 * how the flag Lambda loads the flag table. The validators are left out, keeping them out of the
 * Lambda bundle, and only what evaluation relies on is checked, flag by flag. A flag that fails (say,
 * hand-edited in the DynamoDB console) becomes an errored flag answering PARSE_ERROR while every other
 * flag keeps loading, so one broken flag cannot stop a kill switch on another (flagd does the same).
 */
import { compileFlag } from './compile-flag';
import { contentRevision } from './revision';
import type { CompiledFlag, CompiledFlagSet, FlagDefinition, FlagIssue, Metadata } from './types';

export interface StoredFlagDocument {
  /** Each a flag definition; any other value, or an Error met while reading it, gives an errored flag. */
  flags: Record<string, unknown>;
  /** Ignored unless an object: flags referring to it then report their $ref as unresolvable. */
  $evaluators?: unknown;
  /** Ignored unless an object. */
  metadata?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Why a stored flag cannot be evaluated, or undefined. Only what evaluation depends on. */
function unusable(flag: unknown): string | undefined {
  if (flag instanceof Error) return flag.message;
  if (!isObject(flag)) return 'the definition is not a JSON object';
  if (flag.state !== 'ENABLED' && flag.state !== 'DISABLED') return 'state must be "ENABLED" or "DISABLED"';
  if (!isObject(flag.variants)) return 'variants must be an object of variant name to value';
  const { defaultVariant } = flag;
  if (defaultVariant != null && !Object.prototype.hasOwnProperty.call(flag.variants, String(defaultVariant))) {
    return `defaultVariant ${JSON.stringify(defaultVariant)} is not one of the variants`;
  }
  if (flag.targeting !== undefined && !isObject(flag.targeting)) return 'targeting must be a JSON Logic object';
  if (flag.metadata !== undefined && !isObject(flag.metadata)) return 'metadata must be an object';
  return undefined;
}

/** Never throws for the set: a flag that cannot be compiled is listed in `issues` and answers PARSE_ERROR. */
export function compileTrustedFlagSet(doc: StoredFlagDocument): CompiledFlagSet {
  const setMetadata: Metadata = Object.freeze(isObject(doc.metadata) ? { ...(doc.metadata as Metadata) } : {});
  const evaluators = isObject(doc.$evaluators) ? doc.$evaluators : {};
  const flags = new Map<string, CompiledFlag>();
  const issues: FlagIssue[] = [];

  for (const [key, definition] of Object.entries(doc.flags)) {
    const problem = unusable(definition);
    const flag: CompiledFlag =
      problem === undefined
        ? compileFlag(key, definition as FlagDefinition, setMetadata, evaluators)
        : { key, state: 'ENABLED', variants: {}, metadata: setMetadata, compileError: `invalid flag definition: ${problem}` };
    if (flag.compileError !== undefined) issues.push({ flag: key, field: `flags.${key}`, message: flag.compileError });
    flags.set(key, flag);
  }
  return { flags, metadata: setMetadata, revision: contentRevision(doc), issues: Object.freeze(issues) };
}
