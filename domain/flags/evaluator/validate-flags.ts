/** Semantic checks of a structurally valid flag document (the zod schema has run already). */
import { checkTargeting } from './check-targeting';
import type { FlagDocument, FlagIssue, FlagValue } from './types';

export interface SemanticCheck {
  /** Problems flagd itself rejects (bad default variant, mixed variant types): never compiled. */
  fatal: FlagIssue[];
  /** Problems flagd tolerates at evaluation time (see check-targeting.ts). */
  tolerable: FlagIssue[];
}

function valueType(value: FlagValue): string {
  return Array.isArray(value) ? 'object' : typeof value;
}

export function checkFlagSemantics(doc: FlagDocument): SemanticCheck {
  const fatal: FlagIssue[] = [];
  const tolerable: FlagIssue[] = [];
  const evaluators = doc.$evaluators ?? {};

  for (const [flag, definition] of Object.entries(doc.flags)) {
    const at = `flags.${flag}`;
    const names = Object.keys(definition.variants);

    const byType = new Map<string, string[]>();
    for (const name of names) {
      const type = valueType(definition.variants[name]);
      byType.set(type, [...(byType.get(type) ?? []), name]);
    }
    if (byType.size > 1) {
      const detail = [...byType].map(([type, list]) => `${type}: ${list.join(', ')}`).join('; ');
      fatal.push({ flag, field: `${at}.variants`, message: `variants must all have one type, found ${detail}` });
    }

    const { defaultVariant } = definition;
    if (typeof defaultVariant === 'string' && !Object.prototype.hasOwnProperty.call(definition.variants, defaultVariant)) {
      fatal.push({ flag, field: `${at}.defaultVariant`, message: `"${defaultVariant}" is not one of the variants (${names.join(', ')})` });
    }

    if (definition.targeting && Object.keys(definition.targeting).length > 0) {
      const scope = { variants: new Set(names), evaluators };
      checkTargeting(definition.targeting, `${at}.targeting`, scope, (field, message) => tolerable.push({ flag, field, message }));
    }
  }
  return { fatal, tolerable };
}
