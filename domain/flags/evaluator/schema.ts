/**
 * Structural check of a flagd flag file (https://flagd.dev/schema/v0/flags.json); the semantic checks
 * (variants, targeting) live in validate-flags.ts. Every issue is collected, each naming flag and field.
 *
 * Hand-written instead of zod (the house default): the flag Lambda must stay under 60 KB minified,
 * json-logic-engine alone is 38 KB and even zod/mini adds 23 KB; this schema is small and flat.
 */
import type { FlagDocument, FlagIssue } from './types';
import { CLIENT_VISIBLE } from './visibility';

const DOCUMENT_FIELDS = ['$schema', 'flags', '$evaluators', 'metadata'];
const FLAG_FIELDS = ['state', 'variants', 'defaultVariant', 'targeting', 'metadata'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const hasOwn = (value: object, key: string): boolean => Object.prototype.hasOwnProperty.call(value, key);

export function checkStructure(doc: unknown): FlagIssue[] {
  const issues: FlagIssue[] = [];
  const report = (field: string, message: string, flag?: string) =>
    issues.push(flag === undefined ? { field, message } : { flag, field, message });
  const unknownFields = (value: Record<string, unknown>, allowed: string[], field: string, flag?: string) => {
    const extra = Object.keys(value).filter((key) => !allowed.includes(key));
    if (extra.length > 0) report(field, `unknown field(s): ${extra.join(', ')}`, flag);
  };
  const checkMetadata = (metadata: unknown, field: string, flag?: string) => {
    if (metadata === undefined) return;
    if (!isObject(metadata)) {
      report(field, 'must be an object of string, number or boolean values', flag);
      return;
    }
    for (const [key, value] of Object.entries(metadata)) {
      if (!['string', 'number', 'boolean'].includes(typeof value))
        report(`${field}.${key}`, 'metadata values must be a string, number or boolean', flag);
    }
  };

  if (!isObject(doc)) {
    report('(document)', 'a flag document must be an object with "flags"');
    return issues;
  }
  unknownFields(doc, DOCUMENT_FIELDS, '(document)');
  if (doc.$schema !== undefined && typeof doc.$schema !== 'string') report('$schema', 'must be a string');
  if (doc.$evaluators !== undefined && !isObject(doc.$evaluators)) report('$evaluators', 'must be an object of name to JSON Logic');
  checkMetadata(doc.metadata, 'metadata');
  if (isObject(doc.metadata) && hasOwn(doc.metadata, CLIENT_VISIBLE)) {
    report(
      `metadata.${CLIENT_VISIBLE}`,
      `put ${CLIENT_VISIBLE} on each flag a browser needs: set metadata is inherited by every flag, and would show every flag to client keys`,
    );
  }
  if (!isObject(doc.flags)) {
    report('flags', 'must be an object of flag key to flag');
    return issues;
  }

  for (const [key, flag] of Object.entries(doc.flags)) {
    const at = `flags.${key}`;
    if (key === '') report(at, 'flag keys must not be empty');
    if (!isObject(flag)) {
      report(at, 'must be an object with state, variants, defaultVariant, targeting and metadata', key);
      continue;
    }
    unknownFields(flag, FLAG_FIELDS, at, key);
    if (flag.state !== 'ENABLED' && flag.state !== 'DISABLED') report(`${at}.state`, 'must be "ENABLED" or "DISABLED"', key);
    if (!isObject(flag.variants)) report(`${at}.variants`, 'must be an object of variant name to value', key);
    else {
      if (Object.keys(flag.variants).length === 0) report(`${at}.variants`, 'needs at least one variant', key);
      for (const [name, value] of Object.entries(flag.variants)) {
        if (name === '') report(`${at}.variants`, 'variant names must not be empty', key);
        const valid =
          ['boolean', 'string'].includes(typeof value) || Number.isFinite(value) || (typeof value === 'object' && value !== null);
        if (!valid) report(`${at}.variants.${name}`, 'a variant value must be a boolean, string, number, object or array (not null)', key);
      }
    }
    if (flag.defaultVariant !== undefined && flag.defaultVariant !== null && typeof flag.defaultVariant !== 'string') {
      report(`${at}.defaultVariant`, 'must be a variant name (string) or null', key);
    }
    if (flag.targeting !== undefined && !isObject(flag.targeting)) report(`${at}.targeting`, 'must be a JSON Logic object', key);
    checkMetadata(flag.metadata, `${at}.metadata`, key);
    if (isObject(flag.metadata) && hasOwn(flag.metadata, CLIENT_VISIBLE) && typeof flag.metadata[CLIENT_VISIBLE] !== 'boolean') {
      report(
        `${at}.metadata.${CLIENT_VISIBLE}`,
        'must be true or false (true: client keys, such as browsers, may evaluate this flag)',
        key,
      );
    }
  }
  return issues;
}

/** The document typed, when checkStructure found nothing. */
export function asFlagDocument(doc: unknown): FlagDocument {
  return doc as FlagDocument;
}
