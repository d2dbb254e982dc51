import type { FlagDefinition } from '../../../domain/flags/evaluator';
import {
  FlagEditError,
  disableFlag,
  enableFlag,
  fractionalWeights,
  parseWeights,
  setDefaultVariant,
  setFractionalWeights,
} from '../../../domain/flags/flag-edits';

const split: FlagDefinition = {
  state: 'ENABLED',
  variants: { a: 'A', b: 'B', c: 'C' },
  defaultVariant: 'a',
  targeting: {
    if: [
      { '==': [{ var: 'beta' }, true] },
      'c',
      { fractional: [{ cat: [{ var: '$flagd.flagKey' }, { var: 'email' }] }, ['a', 50], ['b', 50]] },
    ],
  },
};

describe('runtime flag edits', () => {
  it('enables and disables without touching anything else', () => {
    expect(disableFlag(split)).toEqual({ ...split, state: 'DISABLED' });
    expect(enableFlag({ ...split, state: 'DISABLED' })).toEqual(split);
  });

  it('sets the default variant only to an existing variant', () => {
    expect(setDefaultVariant(split, 'b').defaultVariant).toBe('b');
    expect(() => setDefaultVariant(split, 'z')).toThrow(/'z' is not one of the flag's variants: a, b, c/);
  });

  it('replaces the buckets of the first fractional rule, keeping its bucketing expression and the rest of the rule', () => {
    const edited = setFractionalWeights(split, [
      ['a', 10],
      ['b', 80],
      ['c', 10],
    ]);
    expect(edited.targeting).toEqual({
      if: [
        { '==': [{ var: 'beta' }, true] },
        'c',
        { fractional: [{ cat: [{ var: '$flagd.flagKey' }, { var: 'email' }] }, ['a', 10], ['b', 80], ['c', 10]] },
      ],
    });
    expect(fractionalWeights(edited)).toEqual([
      ['a', 10],
      ['b', 80],
      ['c', 10],
    ]);
    expect(fractionalWeights(split)).toEqual([
      ['a', 50],
      ['b', 50],
    ]); // the input is not mutated
  });

  it('refuses weights for unknown variants, all-zero weights and flags without a split', () => {
    expect(() =>
      setFractionalWeights(split, [
        ['a', 1],
        ['x', 1],
      ]),
    ).toThrow(/unknown variant\(s\) x/);
    expect(() => setFractionalWeights(split, [['a', 0]])).toThrow(/above 0/);
    expect(() => setFractionalWeights({ ...split, targeting: undefined }, [['a', 1]])).toThrow(FlagEditError);
  });

  it('parses <variant>=<weight> arguments strictly', () => {
    expect(parseWeights(['a=1', 'b=99'])).toEqual([
      ['a', 1],
      ['b', 99],
    ]);
    expect(() => parseWeights([])).toThrow(/at least one/);
    expect(() => parseWeights(['a=1.5'])).toThrow(/whole, non-negative/);
    expect(() => parseWeights(['a=-1'])).toThrow(/whole, non-negative/);
    expect(() => parseWeights(['a'])).toThrow(/<variant>=<weight>/);
    expect(() => parseWeights(['a=1', 'a=2'])).toThrow(/given twice/);
  });
});
