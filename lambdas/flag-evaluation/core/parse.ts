/** Validation of flag documents: zod for the structure, then the semantic checks; all issues are collected. */
import { flagDocumentSchema, toFlagIssues } from './schema';
import { checkFlagSemantics } from './validate-flags';
import { FlagValidationError, type FlagDocument, type FlagIssue } from './types';

export interface DocumentCheck {
  /** Set when the structure is valid (semantic issues may remain). */
  document?: FlagDocument;
  fatal: FlagIssue[];
  tolerable: FlagIssue[];
}

export function checkFlagDocument(doc: unknown): DocumentCheck {
  const parsed = flagDocumentSchema.safeParse(doc);
  if (!parsed.success) return { fatal: toFlagIssues(parsed.error.issues), tolerable: [] };
  const document = parsed.data as FlagDocument;
  return { document, ...checkFlagSemantics(document) };
}

/** Validates a flag document strictly; throws FlagValidationError listing every issue. */
export function parseFlagDocument(doc: unknown): FlagDocument {
  const { document, fatal, tolerable } = checkFlagDocument(doc);
  const issues = [...fatal, ...tolerable];
  if (!document || issues.length > 0) throw new FlagValidationError(issues);
  return document;
}
