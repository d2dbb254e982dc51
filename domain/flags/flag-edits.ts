import type { FlagDefinition } from './evaluator';

/**
 * The runtime edits `monoenv flags` makes to one flag (pure: flag in, flag out). The result is then
 * validated with the whole flag set and written with `updateFlag`.
 */
export class FlagEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagEditError';
  }
}

export const enableFlag = (flag: FlagDefinition): FlagDefinition => ({ ...flag, state: 'ENABLED' });

export const disableFlag = (flag: FlagDefinition): FlagDefinition => ({ ...flag, state: 'DISABLED' });

export function setDefaultVariant(flag: FlagDefinition, variant: string): FlagDefinition {
  if (!Object.prototype.hasOwnProperty.call(flag.variants, variant)) {
    throw new FlagEditError(`variant '${variant}' is not one of the flag's variants: ${Object.keys(flag.variants).join(', ')}`);
  }
  return { ...flag, defaultVariant: variant };
}

/** Parses `name=weight` arguments; weights are non-negative integers, as flagd's fractional expects. */
export function parseWeights(args: readonly string[]): Array<[string, number]> {
  if (args.length === 0) throw new FlagEditError('give at least one <variant>=<weight>');
  const seen = new Set<string>();
  return args.map((arg) => {
    const match = /^([^=]+)=(\d+)$/.exec(arg);
    if (!match) throw new FlagEditError(`'${arg}' is not <variant>=<weight> with a whole, non-negative weight`);
    const [, variant, weight] = match;
    if (seen.has(variant)) throw new FlagEditError(`variant '${variant}' is given twice`);
    seen.add(variant);
    return [variant, Number(weight)];
  });
}

/** The first `{"fractional": [...]}` in a JSON Logic tree, depth first, as a mutable reference. */
function findFractional(node: unknown): { fractional: unknown[] } | undefined {
  if (Array.isArray(node)) {
    for (const child of node) {
      const found = findFractional(child);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof node !== 'object' || node === null) return undefined;
  const record = node as Record<string, unknown>;
  if (Array.isArray(record.fractional)) return record as { fractional: unknown[] };
  for (const child of Object.values(record)) {
    const found = findFractional(child);
    if (found) return found;
  }
  return undefined;
}

/** The weights of the flag's first fractional rule, for display. */
export function fractionalWeights(flag: FlagDefinition): Array<[string, number]> | undefined {
  const rule = findFractional(flag.targeting);
  if (!rule) return undefined;
  return rule.fractional
    .filter((arg): arg is unknown[] => Array.isArray(arg) && typeof arg[0] === 'string')
    .map((bucket) => [bucket[0] as string, typeof bucket[1] === 'number' ? bucket[1] : 1]);
}

/**
 * Replaces the buckets of the first fractional rule in the flag's targeting with the given weights,
 * keeping its bucketing expression (a leading non-array argument). The given variants become the
 * complete list of buckets.
 */
export function setFractionalWeights(flag: FlagDefinition, weights: ReadonlyArray<readonly [string, number]>): FlagDefinition {
  const copy = structuredClone(flag);
  const rule = findFractional(copy.targeting);
  if (!rule) throw new FlagEditError('the flag has no fractional rule in its targeting; edit its file to add one');
  const unknown = weights.map(([variant]) => variant).filter((v) => !Object.prototype.hasOwnProperty.call(flag.variants, v));
  if (unknown.length > 0) {
    throw new FlagEditError(`unknown variant(s) ${unknown.join(', ')}; the flag's variants are: ${Object.keys(flag.variants).join(', ')}`);
  }
  if (weights.every(([, weight]) => weight === 0)) throw new FlagEditError('at least one weight must be above 0');
  const bucketBy = rule.fractional.filter((arg) => !Array.isArray(arg));
  rule.fractional = [...bucketBy, ...weights.map(([variant, weight]) => [variant, weight])];
  return copy;
}
