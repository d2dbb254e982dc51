/** Where the flagd testbed lives (../shared/conformance next to the repo), and typed-value helpers. */
import * as fs from 'fs';
import * as path from 'path';
import type { FlagValue, FlagValueType } from '../../domain/flags/evaluator';
import { REPO_ROOT } from './paths';

export const TESTBED_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'conformance', 'flagd-testbed-3.9.0');

export function testbedMissingReason(): string | undefined {
  return fs.existsSync(TESTBED_DIR) ? undefined : `flagd testbed not found at ${TESTBED_DIR}`;
}

export function readTestbedJson(relative: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(TESTBED_DIR, relative), 'utf8'));
}

/** Table cells escape `"` as `\"` (README); `\uXXXX` stays literal. */
export function unescapeCell(text: string): string {
  return text.replace(/\\"/g, '"');
}

export type GherkinType = 'Boolean' | 'String' | 'Integer' | 'Float' | 'Object';

export const VALUE_TYPES: Record<GherkinType, FlagValueType> = {
  Boolean: 'boolean',
  String: 'string',
  Integer: 'integer',
  Float: 'float',
  Object: 'object',
};

/** Converts a table cell to the Gherkin type named in the scenario. */
export function typedValue(type: GherkinType, raw: string): FlagValue {
  const text = unescapeCell(raw);
  switch (type) {
    case 'Boolean':
      return text === 'true';
    case 'String':
      return text;
    case 'Integer':
      return Number.parseInt(text, 10);
    case 'Float':
      return Number.parseFloat(text);
    case 'Object':
      return JSON.parse(text) as FlagValue;
  }
}
