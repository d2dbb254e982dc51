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
 * Iterative, and depth is checked first, so a hostile event costs one pass over its bytes.
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

export function eventShapeProblem(raw: object): ShapeProblem | undefined {
  const maxDepth = INGEST_LIMITS.maxEventDepth;
  if (jsonDepthExceeds(raw, maxDepth)) {
    return { errorCode: 'TOO_DEEP', reason: `event nests objects and arrays deeper than ${maxDepth} levels; flatten its properties` };
  }
  const stack: Node[] = [{ value: raw, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    const isArray = Array.isArray(value);
    for (const key of isArray ? [] : Object.keys(value)) {
      if (key === '__proto__') return { errorCode: 'FORBIDDEN_KEY', reason: at(join(path, key), 'this key is not allowed (prototype pollution)') };
      if (hasLoneSurrogate(key)) return { errorCode: 'INVALID_EVENT', reason: at(path, 'a key contains a lone surrogate (not valid Unicode)') };
    }
    const entries: Array<[string, unknown]> = isArray ? (value as unknown[]).map((child, index) => [String(index), child]) : Object.entries(value);
    for (const [key, child] of entries) {
      const childPath = join(path, key);
      if (typeof child === 'string') {
        if (hasLoneSurrogate(child)) return { errorCode: 'INVALID_EVENT', reason: at(childPath, 'contains a lone surrogate (not valid Unicode)') };
      } else if (typeof child === 'number') {
        if (!Number.isFinite(child)) return { errorCode: 'INVALID_EVENT', reason: at(childPath, 'is not a finite number (JSON cannot store it)') };
      } else if (typeof child === 'object' && child !== null) {
        if (key === 'constructor' && !isArray && !Array.isArray(child) && Object.hasOwn(child, 'prototype')) {
          return { errorCode: 'FORBIDDEN_KEY', reason: at(childPath, 'an object with a prototype key is not allowed here (prototype pollution)') };
        }
        stack.push({ value: child, path: childPath });
      }
    }
  }
  return undefined;
}
