/**
 * An object keyed by names from documents (flags, evaluators, metadata): without a prototype, `constructor` is not
 * found before it is added and assigning `__proto__` adds an entry instead of replacing the prototype.
 */
export function nameRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
