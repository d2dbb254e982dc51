/** Validates and compiles a flag document into a set ready for evaluation. */
import { compileFlag } from './compile-flag';
import { checkFlagDocument } from './parse';
import { contentRevision } from './revision';
import { FlagValidationError, type CompiledFlag, type CompiledFlagSet, type FlagDocument, type FlagIssue } from './types';

export interface CompileOptions {
  /**
   * true (default): any issue throws; use where flags are written (synth, CLI edits). The flag Lambda
   * loads the stored, already validated flags with compileTrustedFlagSet instead.
   * false: only what flagd itself rejects throws; targeting problems flagd tolerates (unknown $ref or
   * operator -> PARSE_ERROR, bad operator arguments -> default variant) behave as in flagd and are
   * listed in `issues`. For running flagd's own conformance flags.
   */
  strict?: boolean;
}

export function compileFlagSet(doc: unknown | FlagDocument, options: CompileOptions = {}): CompiledFlagSet {
  const strict = options.strict ?? true;
  const { document, fatal, tolerable } = checkFlagDocument(doc);
  if (!document || fatal.length > 0 || (strict && tolerable.length > 0)) {
    throw new FlagValidationError([...fatal, ...(strict ? tolerable : [])]);
  }

  const setMetadata = Object.freeze({ ...document.metadata });
  const evaluators = document.$evaluators ?? {};
  const flags = new Map<string, CompiledFlag>();
  const compileIssues: FlagIssue[] = [];

  for (const [key, definition] of Object.entries(document.flags)) {
    const flag = compileFlag(key, definition, setMetadata, evaluators);
    if (flag.compileError !== undefined) compileIssues.push({ flag: key, field: `flags.${key}.targeting`, message: flag.compileError });
    flags.set(key, flag);
  }
  if (strict && compileIssues.length > 0) throw new FlagValidationError(compileIssues);

  return {
    flags,
    metadata: setMetadata,
    revision: contentRevision(document),
    issues: Object.freeze([...tolerable, ...compileIssues.filter((issue) => !tolerable.some((t) => t.flag === issue.flag))]),
  };
}
