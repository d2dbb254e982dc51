import { jsonDepthExceeds } from '../shared/json-depth';
import { INGEST_LIMITS } from './event-schema';

/**
 * Checks on a raw event that the schema cannot make, run before anything recursive touches it. Each is a way a
 * single event could otherwise crash the request (and lose its batch) or be stored as something it is not:
 * - TOO_DEEP: nesting that makes JSON.stringify throw RangeError (~4,000 levels on Node 20);
 * - FORBIDDEN_KEY: `__proto__` (JSON.parse keeps it as an own key, but copying the object sets the copy's
 *   prototype instead, so it would be dropped here and could pollute objects in consumers that merge events)
 *   and `constructor.prototype` (the other pollution path), refused as secure-json-parse and Fastify do;
 * - INVALID_EVENT: lone UTF-16 surrogates (not Unicode: no UTF-8 for them) and numbers JSON cannot keep
 *   (`1e999` parses as Infinity and would be stored as null).
 * Iterative: a good event costs one pass without paths; only a bad one is walked again to say where.
 */
export type ShapeProblem = { readonly errorCode: 'TOO_DEEP' | 'FORBIDDEN_KEY' | 'INVALID_EVENT'; readonly reason: string };

interface Node {
  readonly value: object;
  readonly path: string;
}

/** Keys are client text: long ones are cut so a reason stays short. */
const segment = (key: string): string => (key.length > 64 ? `${key.slice(0, 64)}…` : key);
const join = (path: string, key: string): string => (path === '' ? segment(key) : `${path}.${segment(key)}`);
const at = (path: string, message: string): string => (path === '' ? message : `${path}: ${message}`);
/** A high surrogate not followed by a low one, or a low one not preceded by a high one (String#isWellFormed is ES2024). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const hasLoneSurrogate = (text: string): boolean => LONE_SURROGATE.test(text);

/** One allocation-light pass that only says whether anything is wrong: the common case, a good event, stops here. */
function anyProblem(raw: object, maxDepth: number): boolean {
  const containers: object[] = [raw];
  const depths: number[] = [1];
  while (containers.length > 0) {
    const container = containers.pop()!;
    const depth = depths.pop()!;
    if (depth > maxDepth) return true;
    const isArray = Array.isArray(container);
    const keys = isArray ? undefined : Object.keys(container);
    const length = isArray ? (container as unknown[]).length : keys!.length;
    for (let i = 0; i < length; i += 1) {
      let child: unknown;
      if (isArray) {
        child = (container as unknown[])[i];
      } else {
        const key = keys![i];
        if (key === '__proto__' || hasLoneSurrogate(key)) return true;
        child = (container as Record<string, unknown>)[key];
        if (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype')) return true;
      }
      if (typeof child === 'string') {
        if (hasLoneSurrogate(child)) return true;
      } else if (typeof child === 'number') {
        if (!Number.isFinite(child)) return true;
      } else if (typeof child === 'object' && child !== null) {
        containers.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

export function eventShapeProblem(raw: object): ShapeProblem | undefined {
  const maxDepth = INGEST_LIMITS.maxEventDepth;
  if (!anyProblem(raw, maxDepth)) return undefined;
  // Something is wrong: find what and where (slower, with paths).
  if (jsonDepthExceeds(raw, maxDepth)) {
    return { errorCode: 'TOO_DEEP', reason: `event nests objects and arrays deeper than ${maxDepth} levels; flatten its properties` };
  }
  const stack: Node[] = [{ value: raw, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    const isArray = Array.isArray(value);
    for (const key of isArray ? [] : Object.keys(value)) {
      if (key === '__proto__')
        return { errorCode: 'FORBIDDEN_KEY', reason: at(join(path, key), 'this key is not allowed (prototype pollution)') };
      if (hasLoneSurrogate(key))
        return { errorCode: 'INVALID_EVENT', reason: at(path, 'a key contains a lone surrogate (not valid Unicode)') };
    }
    const entries: Array<[string, unknown]> = isArray
      ? (value as unknown[]).map((child, index) => [String(index), child])
      : Object.entries(value);
    for (const [key, child] of entries) {
      const childPath = join(path, key);
      if (typeof child === 'string') {
        if (hasLoneSurrogate(child))
          return { errorCode: 'INVALID_EVENT', reason: at(childPath, 'contains a lone surrogate (not valid Unicode)') };
      } else if (typeof child === 'number') {
        if (!Number.isFinite(child))
          return { errorCode: 'INVALID_EVENT', reason: at(childPath, 'is not a finite number (JSON cannot store it)') };
      } else if (typeof child === 'object' && child !== null) {
        if (key === 'constructor' && !isArray && !Array.isArray(child) && Object.hasOwn(child, 'prototype')) {
          return {
            errorCode: 'FORBIDDEN_KEY',
            reason: at(childPath, 'an object with a prototype key is not allowed here (prototype pollution)'),
          };
        }
        stack.push({ value: child, path: childPath });
      }
    }
  }
  return undefined;
}
