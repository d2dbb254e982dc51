/** Content hash of a flag document, for ETags: key order and whitespace do not change it. */
import { murmur3x86Hash32 } from './operators/murmur3';

type Work = { readonly text: string } | { readonly value: unknown };

/**
 * JSON with object keys sorted, so equal content gives equal text. Iterative (an explicit stack), because it
 * also hashes callers' contexts and hand-edited table items, whose nesting depth nobody bounds for us.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  const work: Work[] = [{ value }];
  while (work.length > 0) {
    const item = work.pop()!;
    if ('text' in item) {
      out.push(item.text);
      continue;
    }
    const current = item.value;
    if (Array.isArray(current)) {
      out.push('[');
      work.push({ text: ']' });
      for (let i = current.length - 1; i >= 0; i--) {
        work.push({ value: current[i] });
        if (i > 0) work.push({ text: ',' });
      }
    } else if (current && typeof current === 'object') {
      const record = current as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort();
      out.push('{');
      work.push({ text: '}' });
      for (let i = keys.length - 1; i >= 0; i--) {
        work.push({ value: record[keys[i]] });
        work.push({ text: `${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:` });
      }
    } else {
      out.push(JSON.stringify(current) ?? 'null');
    }
  }
  return out.join('');
}

/** 64 bits (two seeded MurmurHash3 runs) of the canonical JSON, as 16 hex characters. */
export function contentRevision(value: unknown): string {
  const bytes = new TextEncoder().encode(canonicalJson(value));
  const hex = (seed: number) => murmur3x86Hash32(bytes, bytes.length, seed).toString(16).padStart(8, '0');
  return hex(0) + hex(0x9747b28c);
}
