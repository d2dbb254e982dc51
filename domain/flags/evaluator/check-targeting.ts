/**
 * Static checks of a flag's targeting rule (with its $refs followed): unknown operators, unresolvable
 * refs, malformed flagd operators, and literal variant names that the rule can return but the flag lacks.
 * flagd tolerates all of these at evaluation time (null result or PARSE_ERROR), so they are "tolerable"
 * issues: fatal for a strict compile (synth, loading), reported for a lenient one (conformance).
 */
import { isKnownOperator } from './logic-engine';
import { refName } from './refs';
import { isSemVerOperator, parseVersion, SEM_VER_OPERATORS } from './operators/sem-ver';

const MAX_TOTAL_WEIGHT = 2147483647;

export interface TargetingScope {
  variants: ReadonlySet<string>;
  evaluators: Record<string, unknown>;
}

type Report = (field: string, message: string) => void;

const isLiteral = (value: unknown): value is string | number | boolean | null =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value);

export function checkTargeting(targeting: unknown, at: string, scope: TargetingScope, report: Report): void {
  const checkResult = (value: unknown, field: string) => {
    if (value === null || !isLiteral(value)) return;
    const variant = String(value);
    if (!scope.variants.has(variant))
      report(field, `targeting can return "${variant}", which is not a variant (${[...scope.variants].join(', ')})`);
  };

  const walk = (node: unknown, field: string, isResult: boolean, refs: readonly string[]): void => {
    const name = refName(node);
    if (name !== undefined) {
      if (!Object.prototype.hasOwnProperty.call(scope.evaluators, name))
        report(`${field}.$ref`, `unresolvable $ref "${name}": no such entry in $evaluators`);
      else if (refs.includes(name)) report(`${field}.$ref`, `cyclic $ref: ${[...refs, name].join(' -> ')}`);
      else walk(scope.evaluators[name], `$evaluators.${name}`, isResult, [...refs, name]);
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${field}[${i}]`, false, refs));
      return;
    }
    if (!node || typeof node !== 'object') {
      if (isResult) checkResult(node, field);
      return;
    }
    const keys = Object.keys(node);
    if (keys.length === 0) return;
    if (keys.length > 1) {
      report(field, `a JSON Logic operation has exactly one operator, found ${keys.join(', ')}`);
      return;
    }
    const operator = keys[0];
    const opField = `${field}.${operator}`;
    if (!isKnownOperator(operator)) {
      report(opField, `unknown operator "${operator}"`);
      return;
    }
    const raw = (node as Record<string, unknown>)[operator];
    const args = Array.isArray(raw) ? raw : [raw];
    const argField = (i: number) => (Array.isArray(raw) ? `${opField}[${i}]` : opField);

    if (operator === 'if' || operator === '?:') {
      // [cond, then, cond, then, ..., else]: odd positions and a trailing else are results
      args.forEach((arg, i) => {
        const branch = i % 2 === 1 || (i === args.length - 1 && args.length > 1);
        walk(arg, argField(i), isResult && branch, refs);
      });
      return;
    }
    if (operator === 'fractional') {
      checkFractional(
        args,
        opField,
        isResult,
        report,
        checkResult,
        (entry, f) => walk(entry, f, false, refs),
        (v, f) => walk(v, f, isResult, refs),
      );
      return;
    }
    if (operator === 'sem_ver') checkSemVer(args, opField, report);
    if ((operator === 'starts_with' || operator === 'ends_with') && args.length !== 2) {
      report(opField, `${operator} takes 2 arguments [value, ${operator === 'starts_with' ? 'prefix' : 'suffix'}], got ${args.length}`);
    }
    args.forEach((arg, i) => walk(arg, argField(i), false, refs));
  };

  walk(targeting, at, true, []);
}

function checkFractional(
  args: unknown[],
  at: string,
  isResult: boolean,
  report: Report,
  checkResult: (value: unknown, field: string) => void,
  walkExpression: (node: unknown, field: string) => void,
  walkVariant: (node: unknown, field: string) => void,
): void {
  const hasBucketKey = args.length > 0 && !Array.isArray(args[0]);
  if (hasBucketKey) {
    if (isLiteral(args[0]) && typeof args[0] !== 'string') report(`${at}[0]`, 'the bucket key must be a string or an expression');
    else walkExpression(args[0], `${at}[0]`);
  }
  const first = hasBucketKey ? 1 : 0;
  if (args.length <= first) {
    report(at, 'fractional needs at least one bucket [variant, weight]');
    return;
  }
  let literalTotal: number | undefined = 0;
  for (let i = first; i < args.length; i++) {
    const entry = args[i];
    const field = `${at}[${i}]`;
    if (!Array.isArray(entry) || entry.length === 0 || entry.length > 2) {
      report(field, 'a bucket is [variant] or [variant, weight]');
      literalTotal = undefined;
      continue;
    }
    const [variant, weight] = entry as unknown[];
    if (isResult && isLiteral(variant)) checkResult(variant, `${field}[0]`);
    else walkVariant(variant, `${field}[0]`);
    if (entry.length === 1) {
      if (literalTotal !== undefined) literalTotal += 1;
    } else if (typeof weight === 'number') {
      if (!Number.isInteger(weight)) report(`${field}[1]`, `weight must be an integer (got ${weight}); use e.g. [a, 1], [b, 999] for 0.1%`);
      else if (weight < 0) report(`${field}[1]`, `weight must not be negative (got ${weight})`);
      if (literalTotal !== undefined) literalTotal += Math.max(0, weight);
    } else if (isLiteral(weight)) {
      report(`${field}[1]`, 'weight must be an integer');
      literalTotal = undefined;
    } else {
      walkExpression(weight, `${field}[1]`);
      literalTotal = undefined;
    }
  }
  if (literalTotal === 0) report(at, 'all bucket weights are 0: every evaluation falls back to the default variant');
  if (literalTotal !== undefined && literalTotal > MAX_TOTAL_WEIGHT) report(at, `the weights sum to more than ${MAX_TOTAL_WEIGHT}`);
}

function checkSemVer(args: unknown[], at: string, report: Report): void {
  if (args.length !== 3) {
    report(at, `sem_ver takes 3 arguments [version, operator, version], got ${args.length}`);
    return;
  }
  const [left, operator, right] = args;
  if (isLiteral(operator) && !isSemVerOperator(operator)) {
    report(`${at}[1]`, `unknown sem_ver operator ${JSON.stringify(operator)}; use one of ${SEM_VER_OPERATORS.join(' ')}`);
  }
  [left, right].forEach((version, i) => {
    if (isLiteral(version) && parseVersion(version) === null)
      report(`${at}[${i * 2}]`, `${JSON.stringify(version)} is not a semantic version`);
  });
}
