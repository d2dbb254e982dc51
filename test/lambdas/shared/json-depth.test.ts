import { jsonDepthExceeds } from '../../../lambdas/shared/json-depth';

const nested = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

describe('jsonDepthExceeds', () => {
  it('counts objects and arrays as levels, scalars as none', () => {
    expect(jsonDepthExceeds(1, 0)).toBe(false);
    expect(jsonDepthExceeds({}, 0)).toBe(true);
    expect(jsonDepthExceeds({ a: [1] }, 2)).toBe(false);
    expect(jsonDepthExceeds({ a: [1] }, 1)).toBe(true);
    expect(jsonDepthExceeds({ a: 1, b: { c: { d: 1 } } }, 2)).toBe(true);
  });

  it('measures values far deeper than the call stack without throwing', () => {
    const deep = JSON.parse(JSON.stringify(nested(2000)));
    expect(jsonDepthExceeds(deep, 2000)).toBe(false);
    expect(jsonDepthExceeds(deep, 1999)).toBe(true);
    const deeper = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(jsonDepthExceeds(deeper, 64)).toBe(true);
  });
});
