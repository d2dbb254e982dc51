/**
 * Turns a flag's targeting rule into a function of (context, nowSeconds). flagd enriches the context
 * with `$flagd.flagKey` and `$flagd.timestamp`; copying the context per evaluation costs more than many
 * rules, so the flag key is inlined as a constant and the copy is made only for rules that read other
 * `$flagd` properties. A fractional without bucket key gets flagd's default (flag key + targeting key).
 */
import { buildLogic, DEFAULT_BUCKET_KEY_OPERATOR } from './logic-engine';
import { resolveRefs } from './refs';
import type { EvaluationContext, TargetingFunction } from './types';

interface Rewritten {
  logic: unknown;
  readsFlagdContext: boolean;
}

function varPath(args: unknown): unknown {
  return Array.isArray(args) ? args[0] : args;
}

function rewrite(logic: unknown, flagKey: string): Rewritten {
  let readsFlagdContext = false;
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!node || typeof node !== 'object') return node;
    const entries = Object.entries(node);
    if (entries.length === 1 && entries[0][0] === 'var') {
      const path = varPath(entries[0][1]);
      if (path === '$flagd.flagKey') return flagKey;
      if (typeof path !== 'string' || path === '' || path === '$flagd' || path.startsWith('$flagd.')) readsFlagdContext = true;
    }
    if (entries.length === 1 && entries[0][0] === 'fractional' && Array.isArray(entries[0][1])) {
      const args = entries[0][1] as unknown[];
      const withKey = args.length === 0 || Array.isArray(args[0]) ? [{ [DEFAULT_BUCKET_KEY_OPERATOR]: [flagKey] }, ...args] : args;
      return { fractional: withKey.map(visit) };
    }
    return Object.fromEntries(entries.map(([key, value]) => [key, visit(value)]));
  };
  return { logic: visit(logic), readsFlagdContext };
}

/** Compiles a targeting rule; throws (message names the problem) when it cannot be compiled. */
export function compileTargeting(
  targeting: Record<string, unknown>,
  flagKey: string,
  evaluators: Record<string, unknown>,
): TargetingFunction {
  const resolved = resolveRefs(targeting, evaluators, `flags.${flagKey}.targeting`);
  if (resolved.problems.length > 0) throw new Error(resolved.problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  const { logic, readsFlagdContext } = rewrite(resolved.logic, flagKey);
  const rule = buildLogic(logic);
  if (!readsFlagdContext) return (context: EvaluationContext) => rule(context);
  return (context: EvaluationContext, nowSeconds: number) => rule({ ...context, $flagd: { flagKey, timestamp: nowSeconds } });
}
