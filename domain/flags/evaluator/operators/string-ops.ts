/**
 * flagd's `starts_with` / `ends_with`: {"starts_with": [value, prefix]}. Non-string input or a wrong
 * argument count yields null, not false, so the flag falls back to its default variant.
 */

export function startsWith(args: unknown): boolean | null {
  if (!Array.isArray(args) || args.length !== 2) return null;
  const [value, prefix] = args;
  return typeof value === 'string' && typeof prefix === 'string' ? value.startsWith(prefix) : null;
}

export function endsWith(args: unknown): boolean | null {
  if (!Array.isArray(args) || args.length !== 2) return null;
  const [value, suffix] = args;
  return typeof value === 'string' && typeof suffix === 'string' ? value.endsWith(suffix) : null;
}
