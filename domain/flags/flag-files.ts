import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlagValidationError, checkFlagDocument, compileFlagSet, mergeFlagDocuments } from './evaluator';
import type { CompiledFlagSet, FlagDocument } from './evaluator';

/**
 * A folder of flagd flag files (`*.json`), merged into one flag set: what the deploy writes to the
 * flag table and what `monoenv flags serve` serves. A flag key or evaluator name may appear in one
 * file only.
 */
export interface FlagDirIssue {
  readonly file: string;
  readonly flag?: string;
  readonly field: string;
  readonly message: string;
}

export class FlagDirError extends Error {
  constructor(
    readonly dir: string,
    readonly issues: readonly FlagDirIssue[],
  ) {
    super(
      `flag files in ${dir} are invalid (${issues.length} issue${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  ${i.file}${i.flag ? ` [flag ${i.flag}]` : ''} ${i.field}: ${i.message}`).join('\n'),
    );
    this.name = 'FlagDirError';
  }
}

export interface FlagDir {
  readonly document: FlagDocument;
  readonly set: CompiledFlagSet;
  /** Which file each flag came from. */
  readonly fileOfFlag: ReadonlyMap<string, string>;
}

/** Reads, merges and compiles every `*.json` in `dir`; throws FlagDirError listing every issue. */
export function loadFlagDir(dir: string): FlagDir {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort();
  const issues: FlagDirIssue[] = [];
  if (files.length === 0) issues.push({ file: dir, field: '(folder)', message: 'has no *.json flag files' });

  const documents: FlagDocument[] = [];
  const documentFiles: string[] = [];
  const fileOfFlag = new Map<string, string>();
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (error) {
      issues.push({ file, field: '(file)', message: `not valid JSON: ${(error as Error).message}` });
      continue;
    }
    // Structure per file; references between files ($ref to another file's evaluator) are checked after merging.
    const { document, fatal } = checkFlagDocument(parsed);
    if (!document) {
      issues.push(...fatal.map((issue) => ({ file, ...issue })));
      continue;
    }
    for (const flag of Object.keys(document.flags)) if (!fileOfFlag.has(flag)) fileOfFlag.set(flag, file);
    documents.push(document);
    documentFiles.push(file);
  }
  if (issues.length > 0) throw new FlagDirError(dir, issues);

  try {
    const document = mergeFlagDocuments(documents);
    return { document, set: compileFlagSet(document), fileOfFlag };
  } catch (error) {
    if (!(error instanceof FlagValidationError)) throw error;
    // The merge names documents by index ("documents #0 and #2"); name the files instead.
    const named = (message: string) =>
      message.replace(/documents #(\d+) and #(\d+)/, (_, a, b) => `${documentFiles[Number(a)]} and ${documentFiles[Number(b)]}`);
    throw new FlagDirError(
      dir,
      error.issues.map((issue) => ({
        file: (issue.flag && fileOfFlag.get(issue.flag)) || documentFiles.join(', '),
        ...issue,
        message: named(issue.message),
      })),
    );
  }
}

/** For the deploy (synth) and CI: throws an Error listing every issue with file, flag and field. */
export function validateFlagDir(dir: string): CompiledFlagSet {
  return loadFlagDir(dir).set;
}
