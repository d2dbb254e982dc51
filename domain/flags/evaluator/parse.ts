/** Validation of flag documents: the structure, then the semantic checks; all issues are collected. */
import { asFlagDocument, checkStructure } from './schema';
import { checkFlagSemantics } from './validate-flags';
import { FlagValidationError, type FlagDocument, type FlagIssue } from './types';

export interface DocumentCheck {
  /** Set when the structure is valid (semantic issues may remain). */
  document?: FlagDocument;
  fatal: FlagIssue[];
  tolerable: FlagIssue[];
}

export function checkFlagDocument(doc: unknown): DocumentCheck {
  const structural = checkStructure(doc);
  if (structural.length > 0) return { fatal: structural, tolerable: [] };
  const document = asFlagDocument(doc);
  return { document, ...checkFlagSemantics(document) };
}

/** Validates a flag document strictly; throws FlagValidationError listing every issue. */
export function parseFlagDocument(doc: unknown): FlagDocument {
  const { document, fatal, tolerable } = checkFlagDocument(doc);
  const issues = [...fatal, ...tolerable];
  if (!document || issues.length > 0) throw new FlagValidationError(issues);
  return document;
}
