/** One flag definition -> its compiled form; shared by the strict compile and the trusted one. */
import { compileTargeting } from './compile-targeting';
import type { CompiledFlag, FlagDefinition, Metadata } from './types';
import { CLIENT_VISIBLE } from './visibility';

/** A targeting rule that cannot be built does not throw: it is kept in `compileError` (PARSE_ERROR when evaluated). */
export function compileFlag(
  key: string,
  definition: FlagDefinition,
  setMetadata: Metadata,
  evaluators: Record<string, unknown>,
): CompiledFlag {
  const flag: CompiledFlag = {
    key,
    state: definition.state,
    variants: Object.assign(Object.create(null) as Record<string, never>, definition.variants),
    defaultVariant: definition.defaultVariant || undefined,
    metadata: Object.freeze({ ...setMetadata, ...definition.metadata }),
    // The flag's own marker only: set metadata is inherited by every flag.
    clientVisible: definition.metadata?.[CLIENT_VISIBLE] === true,
  };
  if (definition.targeting && Object.keys(definition.targeting).length > 0) {
    try {
      flag.targeting = compileTargeting(definition.targeting, key, evaluators);
    } catch (error) {
      flag.compileError = `invalid targeting: ${(error as Error).message}`;
    }
  }
  return flag;
}
