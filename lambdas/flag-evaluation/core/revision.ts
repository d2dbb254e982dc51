/** Content hash of a flag document, for ETags: key order and whitespace do not change it. */
import { murmur3x86Hash32 } from './operators/murmur3';

/** JSON with object keys sorted, so equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).filter((key) => (value as Record<string, unknown>)[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** 64 bits (two seeded MurmurHash3 runs) of the canonical JSON, as 16 hex characters. */
export function contentRevision(value: unknown): string {
  const bytes = new TextEncoder().encode(canonicalJson(value));
  const hex = (seed: number) => murmur3x86Hash32(bytes, bytes.length, seed).toString(16).padStart(8, '0');
  return hex(0) + hex(0x9747b28c);
}
