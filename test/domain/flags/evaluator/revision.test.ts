import { canonicalJson, contentRevision } from '../../../../domain/flags/evaluator';

describe('canonicalJson', () => {
  it('sorts object keys at every level, keeps array order and drops undefined properties', () => {
    expect(canonicalJson({ b: [3, { d: 1, c: undefined, a: 'x' }], a: null, e: { z: true, y: 1.5 } })).toBe(
      '{"a":null,"b":[3,{"a":"x","d":1}],"e":{"y":1.5,"z":true}}',
    );
    expect(canonicalJson([undefined, 'é\u0000'])).toBe('[null,"é\\u0000"]');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
  });

  it('gives equal text, and an equal revision, whatever the key order', () => {
    const a = { flags: { x: { state: 'ENABLED', variants: { on: true } } }, metadata: { id: 1 } };
    const b = { metadata: { id: 1 }, flags: { x: { variants: { on: true }, state: 'ENABLED' } } };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(contentRevision(a)).toBe(contentRevision(b));
  });

  it('keeps an own "__proto__" key as data', () => {
    expect(canonicalJson(JSON.parse('{"__proto__": {"x": 1}, "a": 2}'))).toBe('{"__proto__":{"x":1},"a":2}');
  });

  it('does not recurse: values nested 100,000 deep are written, not a RangeError', () => {
    const depth = 100_000;
    const deep = JSON.parse(`${'{"a":['.repeat(depth)}${']}'.repeat(depth)}`);
    const text = canonicalJson(deep);
    expect(text).toHaveLength(depth * 8);
    expect(text.startsWith('{"a":[{"a":[')).toBe(true);
  });
});
