/** Content hash of a flag document, for ETags: key order and whitespace do not change it. */

interface MurmurHash3 {
  x86: { hash128(bytes: Uint8Array, seed?: number): string };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the package ships no types
const murmur: MurmurHash3 = require('murmurhash3js-revisited');

/** JSON with object keys sorted, so equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).filter((key) => (value as Record<string, unknown>)[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** 128-bit MurmurHash3 of the canonical JSON, as 32 hex characters. */
export function contentRevision(value: unknown): string {
  return murmur.x86.hash128(new TextEncoder().encode(canonicalJson(value)), 0);
}
