import { compileFlagSet, evaluateAll, evaluateFlag, resolveTyped, type EvaluationContext } from '../../../../domain/flags/evaluator';

const doc = {
  metadata: { flagSetId: 'web', version: 3 },
  $evaluators: { staff: { ends_with: [{ var: 'email' }, '@example.com'] } },
  flags: {
    static: { state: 'ENABLED', variants: { a: 'A', b: 'B' }, defaultVariant: 'b', metadata: { version: 4 } },
    'by-email': {
      state: 'ENABLED',
      variants: { staff: 'S', other: 'O' },
      defaultVariant: 'other',
      targeting: { if: [{ $ref: 'staff' }, 'staff'] },
    },
    'bool-result': { state: 'ENABLED', variants: { true: 1, false: 0 }, defaultVariant: 'false', targeting: { '>': [{ var: 'age' }, 17] } },
    'no-default': { state: 'ENABLED', variants: { x: 'X' }, defaultVariant: null },
    off: { state: 'DISABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
    'launch-window': {
      state: 'ENABLED',
      variants: { live: true, waiting: false },
      defaultVariant: 'waiting',
      targeting: { if: [{ '>=': [{ var: '$flagd.timestamp' }, 1_700_000_000] }, 'live', 'waiting'] },
    },
    'own-key': {
      state: 'ENABLED',
      variants: { 'own-key': 'mine', other: 'theirs' },
      defaultVariant: 'other',
      targeting: { var: '$flagd.flagKey' },
    },
    computed: { state: 'ENABLED', variants: { a: 'A', b: 'B' }, defaultVariant: 'a', targeting: { var: 'choice' } },
  },
};
const set = compileFlagSet(doc);

describe('evaluateFlag', () => {
  it('reports STATIC for flags without targeting, with flag metadata over flag-set metadata', () => {
    expect(evaluateFlag(set, 'static', {})).toEqual({
      key: 'static',
      value: 'B',
      variant: 'b',
      reason: 'STATIC',
      metadata: { flagSetId: 'web', version: 4 },
    });
  });

  it('reports TARGETING_MATCH when targeting names a variant, DEFAULT when it returns null', () => {
    expect(evaluateFlag(set, 'by-email', { email: 'ann@example.com' })).toMatchObject({
      value: 'S',
      variant: 'staff',
      reason: 'TARGETING_MATCH',
    });
    expect(evaluateFlag(set, 'by-email', { email: 'bob@elsewhere.org' })).toMatchObject({
      value: 'O',
      variant: 'other',
      reason: 'DEFAULT',
    });
  });

  it('maps boolean targeting results to the variants "true" and "false"', () => {
    expect(evaluateFlag(set, 'bool-result', { age: 30 })).toMatchObject({ variant: 'true', value: 1 });
    expect(evaluateFlag(set, 'bool-result', { age: 12 })).toMatchObject({ variant: 'false', value: 0 });
  });

  it('leaves the value to the caller for DISABLED flags and flags without default variant', () => {
    expect(evaluateFlag(set, 'off', {})).toEqual({ key: 'off', reason: 'DISABLED', metadata: { flagSetId: 'web', version: 3 } });
    expect(evaluateFlag(set, 'no-default', {})).toEqual({
      key: 'no-default',
      reason: 'DEFAULT',
      metadata: { flagSetId: 'web', version: 3 },
    });
  });

  it('reports ERROR/GENERAL when targeting returns something that is not a variant', () => {
    expect(evaluateFlag(set, 'computed', { choice: 'c' })).toMatchObject({
      reason: 'ERROR',
      errorCode: 'GENERAL',
      errorDetails: expect.stringMatching(/"c"/),
    });
    expect(evaluateFlag(set, 'computed', { choice: 'b' })).toMatchObject({ value: 'B', reason: 'TARGETING_MATCH' });
  });

  it('reports FLAG_NOT_FOUND and INVALID_CONTEXT', () => {
    expect(evaluateFlag(set, 'nope', {})).toMatchObject({ reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    expect(evaluateFlag(set, 'static', null as unknown as EvaluationContext)).toMatchObject({
      reason: 'ERROR',
      errorCode: 'INVALID_CONTEXT',
    });
    expect(evaluateFlag(set, 'static', ['x'] as unknown as EvaluationContext)).toMatchObject({ errorCode: 'INVALID_CONTEXT' });
  });

  it('enriches the context with $flagd.timestamp (seconds) and $flagd.flagKey', () => {
    expect(evaluateFlag(set, 'launch-window', {}, 1_699_999_999).variant).toBe('waiting');
    expect(evaluateFlag(set, 'launch-window', {}, 1_700_000_000).variant).toBe('live');
    expect(evaluateFlag(set, 'launch-window', {}).variant).toBe('live'); // now
    expect(evaluateFlag(set, 'own-key', {}).value).toBe('mine');
  });

  it('does not let the caller override $flagd properties', () => {
    expect(evaluateFlag(set, 'launch-window', { $flagd: { timestamp: 0 } }, 1_800_000_000).variant).toBe('live');
    expect(evaluateFlag(set, 'own-key', { $flagd: { flagKey: 'other' } }).value).toBe('mine');
  });

  it('does not resolve prototype properties as variants', () => {
    expect(evaluateFlag(set, 'computed', { choice: 'toString' })).toMatchObject({ reason: 'ERROR', errorCode: 'GENERAL' });
  });

  it('reports PARSE_ERROR for a flag whose targeting a lenient compile could not build', () => {
    const lenient = compileFlagSet(
      { flags: { broken: { state: 'ENABLED', variants: { a: 1 }, defaultVariant: 'a', targeting: { no_such_op: [1] } } } },
      { strict: false },
    );
    expect(evaluateFlag(lenient, 'broken', {})).toMatchObject({ reason: 'ERROR', errorCode: 'PARSE_ERROR' });
  });
});

describe('evaluateAll', () => {
  it('evaluates every flag in document order', () => {
    const results = evaluateAll(set, { email: 'ann@example.com', age: 20, choice: 'a' }, 1_600_000_000);
    expect(results.map((r) => [r.key, r.reason, r.variant])).toEqual([
      ['static', 'STATIC', 'b'],
      ['by-email', 'TARGETING_MATCH', 'staff'],
      ['bool-result', 'TARGETING_MATCH', 'true'],
      ['no-default', 'DEFAULT', undefined],
      ['off', 'DISABLED', undefined],
      ['launch-window', 'TARGETING_MATCH', 'waiting'],
      ['own-key', 'TARGETING_MATCH', 'own-key'],
      ['computed', 'TARGETING_MATCH', 'a'],
    ]);
  });
});

describe('revision', () => {
  it('ignores key order and whitespace but changes with content', () => {
    const reordered = JSON.parse(JSON.stringify({ flags: doc.flags, $evaluators: doc.$evaluators, metadata: doc.metadata }));
    expect(compileFlagSet(reordered).revision).toBe(set.revision);
    expect(set.revision).toMatch(/^[0-9a-f]{16}$/);
    const changed = { ...doc, flags: { ...doc.flags, static: { ...doc.flags.static, defaultVariant: 'a' } } };
    expect(compileFlagSet(changed).revision).not.toBe(set.revision);
  });
});

describe('resolveTyped', () => {
  it('returns the value when the type matches', () => {
    expect(resolveTyped(evaluateFlag(set, 'static', {}), 'string', 'z')).toMatchObject({ value: 'B', variant: 'b', reason: 'STATIC' });
  });

  it('uses the default, keeping the reason, when the evaluator gives no value', () => {
    expect(resolveTyped(evaluateFlag(set, 'off', {}), 'boolean', false)).toMatchObject({ value: false, reason: 'DISABLED' });
    expect(resolveTyped(evaluateFlag(set, 'nope', {}), 'boolean', true)).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    });
  });

  it('reports TYPE_MISMATCH with the default for another type', () => {
    const result = resolveTyped(evaluateFlag(set, 'static', {}), 'number', 7);
    expect(result).toMatchObject({ value: 7, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    expect(result.variant).toBeUndefined();
  });

  it('distinguishes integers from floats, and accepts arrays as objects', () => {
    const numbers = compileFlagSet({
      flags: {
        f: { state: 'ENABLED', variants: { a: 0.5 }, defaultVariant: 'a' },
        l: { state: 'ENABLED', variants: { a: [1, 2] }, defaultVariant: 'a' },
      },
    });
    expect(resolveTyped(evaluateFlag(numbers, 'f', {}), 'integer', 1)).toMatchObject({ errorCode: 'TYPE_MISMATCH', value: 1 });
    expect(resolveTyped(evaluateFlag(numbers, 'f', {}), 'float', 1)).toMatchObject({ value: 0.5 });
    expect(resolveTyped(evaluateFlag(numbers, 'l', {}), 'object', {})).toMatchObject({ value: [1, 2] });
  });
});
