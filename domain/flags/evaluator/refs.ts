/** Inlines shared rules: `{"$ref": "name"}` is replaced by `$evaluators.name` (which may use refs itself). */

export interface RefProblem {
  /** Path of the `$ref` node, e.g. `flags.a.targeting.if[0]` or `$evaluators.shared.and[1]`. */
  field: string;
  message: string;
}

export interface ResolvedLogic {
  logic: unknown;
  problems: RefProblem[];
}

/** The ref name when `node` is exactly `{"$ref": "<name>"}`. */
export function refName(node: unknown): string | undefined {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const keys = Object.keys(node);
  const target = (node as Record<string, unknown>).$ref;
  return keys.length === 1 && keys[0] === '$ref' && typeof target === 'string' ? target : undefined;
}

/**
 * Returns a copy of `logic` with refs inlined. Unknown or cyclic refs are left in place (so compiling
 * them fails, which flagd reports as PARSE_ERROR) and reported as problems.
 */
export function resolveRefs(logic: unknown, evaluators: Record<string, unknown>, path: string): ResolvedLogic {
  const problems: RefProblem[] = [];

  const visit = (node: unknown, at: string, active: readonly string[]): unknown => {
    const name = refName(node);
    if (name !== undefined) {
      if (!Object.prototype.hasOwnProperty.call(evaluators, name)) {
        problems.push({ field: `${at}.$ref`, message: `unresolvable $ref "${name}": no such entry in $evaluators` });
        return node;
      }
      if (active.includes(name)) {
        problems.push({ field: `${at}.$ref`, message: `cyclic $ref: ${[...active, name].join(' -> ')}` });
        return node;
      }
      return visit(evaluators[name], `$evaluators.${name}`, [...active, name]);
    }
    if (Array.isArray(node)) return node.map((item, i) => visit(item, `${at}[${i}]`, active));
    // fromEntries defines properties: a `__proto__` key in a rule stays a key (and fails as an unknown operator).
    if (node && typeof node === 'object')
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, visit(value, `${at}.${key}`, active)]));
    return node;
  };

  return { logic: visit(logic, path, []), problems };
}
