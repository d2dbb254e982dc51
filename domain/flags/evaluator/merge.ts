/** Several flag files -> one flag set. Every flag key must be unique across the files. */
import { FlagValidationError, type FlagDocument, type FlagIssue, type Metadata } from './types';
import { canonicalJson } from './revision';
import { nameRecord } from './names';

export function mergeFlagDocuments(docs: FlagDocument[]): FlagDocument {
  const issues: FlagIssue[] = [];
  const merged: FlagDocument = { flags: nameRecord() };
  const flagSource = new Map<string, number>();
  const evaluatorSource = new Map<string, number>();
  const metadataSource = new Map<string, number>();
  const evaluators = nameRecord<unknown>();
  const metadata: Metadata = nameRecord();

  docs.forEach((doc, index) => {
    for (const [key, flag] of Object.entries(doc.flags)) {
      const first = flagSource.get(key);
      if (first !== undefined) {
        issues.push({ flag: key, field: `flags.${key}`, message: `flag "${key}" is defined in documents #${first} and #${index}` });
        continue;
      }
      flagSource.set(key, index);
      merged.flags[key] = flag;
    }
    for (const [name, rule] of Object.entries(doc.$evaluators ?? {})) {
      const first = evaluatorSource.get(name);
      if (first !== undefined && canonicalJson(evaluators[name]) !== canonicalJson(rule)) {
        issues.push({ field: `$evaluators.${name}`, message: `evaluator "${name}" differs between documents #${first} and #${index}` });
        continue;
      }
      evaluatorSource.set(name, first ?? index);
      evaluators[name] = rule;
    }
    for (const [name, value] of Object.entries(doc.metadata ?? {})) {
      const first = metadataSource.get(name);
      if (first !== undefined && metadata[name] !== value) {
        issues.push({
          field: `metadata.${name}`,
          message: `flag-set metadata "${name}" differs between documents #${first} and #${index}`,
        });
        continue;
      }
      metadataSource.set(name, first ?? index);
      metadata[name] = value;
    }
  });

  if (issues.length > 0) throw new FlagValidationError(issues);
  if (evaluatorSource.size > 0) merged.$evaluators = evaluators;
  if (metadataSource.size > 0) merged.metadata = metadata;
  return merged;
}
