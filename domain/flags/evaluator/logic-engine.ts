/**
 * The JSON Logic engine with flagd's custom operators. json-logic-engine compiles each rule to a JS
 * function (flagd-core uses the same engine, so built-in operator semantics match flagd exactly); the
 * compile hooks below specialise the custom operators on literal arguments, which is where most of
 * the speed over flagd-core comes from.
 */
import { LogicEngine } from 'json-logic-engine';
import { defaultBucketKey, fractional, literalBucketList, pickBucket } from './operators/fractional';
import { semVer, semVerAgainstLiteral } from './operators/sem-ver';
import { endsWith, startsWith } from './operators/string-ops';

/** Internal operator inserted by the compiler for a fractional without bucket key; not allowed in documents. */
export const DEFAULT_BUCKET_KEY_OPERATOR = 'flagd.defaultBucketKey';

const SYNC = Symbol.for('json_logic_sync');

interface BuildState {
  compile: (strings: TemplateStringsArray, ...items: unknown[]) => unknown;
}

/** Marks a closure as synchronous so the engine can inline it into compiled code. */
function inlineable<F extends (...args: never[]) => unknown>(fn: F): F {
  return Object.assign(fn, { [SYNC]: true });
}

function createEngine(): LogicEngine {
  const engine = new LogicEngine();
  engine.addMethod('starts_with', { method: (args: unknown) => startsWith(args), deterministic: true });
  engine.addMethod('ends_with', { method: (args: unknown) => endsWith(args), deterministic: true });
  engine.addMethod('sem_ver', {
    method: (args: unknown) => semVer(args),
    deterministic: true,
    compile: (args: unknown, build: BuildState) => {
      if (!Array.isArray(args)) return false;
      const againstLiteral = semVerAgainstLiteral(args);
      return againstLiteral ? build.compile`${inlineable(againstLiteral)}(${args[0]})` : false;
    },
  } as never);
  engine.addMethod('fractional', {
    method: (args: unknown) => fractional(args),
    compile: (args: unknown, build: BuildState) => {
      if (!Array.isArray(args)) return false;
      const list = literalBucketList(args.slice(1));
      if (list === undefined) return false;
      if (list === null) return build.compile`null`;
      const pick = inlineable((key: unknown) => (typeof key === 'string' ? pickBucket(list, key) : null));
      return build.compile`${pick}(${args[0]})`;
    },
  } as never);
  engine.addMethod(DEFAULT_BUCKET_KEY_OPERATOR, {
    method: (args: unknown, context: unknown) => defaultBucketKey(String((args as unknown[])[0]), context),
    compile: (args: unknown, build: BuildState) => {
      const flagKey = String((args as unknown[])[0]);
      return build.compile`${inlineable((context: unknown) => defaultBucketKey(flagKey, context))}(context)`;
    },
  } as never);
  return engine;
}

export const engine = createEngine();

/** Operators a flag document may use: the engine's built-ins plus flagd's, not our internal ones. */
export function isKnownOperator(name: string): boolean {
  return name !== DEFAULT_BUCKET_KEY_OPERATOR && Object.prototype.hasOwnProperty.call(engine.methods, name);
}

/**
 * The engine looks operators up in a plain object, so `constructor`, `toString` or `__proto__` would pass for
 * operators and fail only when evaluated; name them as unknown at compile time. Iterative: rules can be deep.
 */
function inheritedOperator(logic: unknown): string | undefined {
  const stack = [logic];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    const keys = Array.isArray(node) ? [] : Object.keys(node);
    if (keys.length === 1 && !Object.prototype.hasOwnProperty.call(engine.methods, keys[0]) && keys[0] in engine.methods) return keys[0];
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push(child);
  }
  return undefined;
}

/** Compiles a (ref-resolved, rewritten) rule; throws with a readable message on unknown operators. */
export function buildLogic(logic: unknown): (context: unknown) => unknown {
  const inherited = inheritedOperator(logic);
  if (inherited !== undefined) throw new Error(`unknown operator "${inherited}"`);
  try {
    return engine.build(logic) as (context: unknown) => unknown;
  } catch (error) {
    const detail = error as { type?: string; key?: string; message?: string };
    if (detail && detail.type === 'Unknown Operator') throw new Error(`unknown operator "${detail.key}"`, { cause: error });
    throw new Error(detail?.message ?? String(error), { cause: error });
  }
}
