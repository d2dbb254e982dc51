import {
  compileFlagSet,
  compileTrustedFlagSet,
  evaluateAll,
  evaluateFlag,
  type StoredFlagDocument,
} from '../../../../domain/flags/evaluator';

const good = {
  state: 'ENABLED',
  variants: { on: true, off: false },
  defaultVariant: 'on',
  targeting: { if: [{ '==': [{ var: 'plan' }, 'free'] }, 'off', null] },
};

/** One good flag next to one broken in a given way. */
const withBroken = (broken: unknown, extra: Partial<StoredFlagDocument> = {}): StoredFlagDocument => ({
  flags: { good, broken },
  ...extra,
});

describe('compileTrustedFlagSet (stored flags, as the Lambda loads them)', () => {
  it('compiles valid flags exactly as the strict compile does', () => {
    const doc = { flags: { good }, metadata: { flagSetId: 'shop' } };
    const trusted = compileTrustedFlagSet(doc);
    const strict = compileFlagSet(doc);
    for (const context of [{}, { plan: 'free' }])
      expect(evaluateFlag(trusted, 'good', context)).toEqual(evaluateFlag(strict, 'good', context));
    expect(trusted.revision).toBe(strict.revision);
    expect(trusted.issues).toEqual([]);
  });

  it.each([
    ['an unknown operator', { ...good, targeting: { no_such_op: [1] } }, /invalid targeting: unknown operator "no_such_op"/],
    [
      'a "__proto__" operator (nested, where refs are inlined)',
      JSON.parse(
        '{"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on", "targeting": {"if": [{"__proto__": {"var": "x"}}, "on", "off"]}}',
      ),
      /unknown operator "__proto__"/,
    ],
    ['an unresolvable $ref', { ...good, targeting: { if: [{ $ref: 'missing' }, 'on', 'off'] } }, /unresolvable \$ref "missing"/],
    ['no variants', { state: 'ENABLED', defaultVariant: 'on' }, /variants must be an object/],
    ['a default that is not a variant', { ...good, defaultVariant: 'zz' }, /defaultVariant "zz" is not one of the variants/],
    ['a misspelt state', { ...good, state: 'enabled' }, /state must be "ENABLED" or "DISABLED"/],
    ['targeting that is not an object', { ...good, targeting: 'on' }, /targeting must be a JSON Logic object/],
    ['metadata that is not an object', { ...good, metadata: 'x' }, /metadata must be an object/],
    ['a definition that is not an object', ['on'], /the definition is not a JSON object/],
    ['a definition the store could not read', new Error('attribute "definition" is not valid JSON'), /not valid JSON/],
  ])('a flag with %s answers PARSE_ERROR with the reason; the other flag evaluates', (_, broken, details) => {
    const set = compileTrustedFlagSet(withBroken(broken));
    const result = evaluateFlag(set, 'broken', {});
    expect(result).toMatchObject({ key: 'broken', reason: 'ERROR', errorCode: 'PARSE_ERROR' });
    expect(result.errorDetails).toMatch(details);
    expect(result).not.toHaveProperty('value');
    expect(evaluateFlag(set, 'good', { plan: 'free' })).toMatchObject({ value: false, variant: 'off', reason: 'TARGETING_MATCH' });
    expect(set.issues).toEqual([
      expect.objectContaining({ flag: 'broken', field: 'flags.broken', message: expect.stringMatching(details) }),
    ]);
  });

  it('carries the errored flag through a bulk evaluation, in place', () => {
    const results = evaluateAll(compileTrustedFlagSet(withBroken({ ...good, targeting: { no_such_op: [] } })), {});
    expect(results.map((r) => [r.key, r.reason, r.errorCode])).toEqual([
      ['good', 'DEFAULT', undefined],
      ['broken', 'ERROR', 'PARSE_ERROR'],
    ]);
  });

  it('ignores unreadable shared parts: refs to broken $evaluators fail per flag, broken metadata is dropped', () => {
    const usesRef = { ...good, targeting: { if: [{ $ref: 'free' }, 'off', null] } };
    const set = compileTrustedFlagSet({ flags: { good, usesRef }, $evaluators: new Error('not valid JSON'), metadata: 'oops' });
    expect(evaluateFlag(set, 'usesRef', {})).toMatchObject({
      errorCode: 'PARSE_ERROR',
      errorDetails: expect.stringMatching(/unresolvable \$ref "free"/),
    });
    expect(evaluateFlag(set, 'good', {})).toMatchObject({ value: true, metadata: {} });
  });

  it('keeps a disabled flag disabled even when its targeting is broken', () => {
    const set = compileTrustedFlagSet(withBroken({ ...good, state: 'DISABLED', targeting: { no_such_op: [] } }));
    expect(evaluateFlag(set, 'broken', {})).toMatchObject({ reason: 'DISABLED' });
  });
});
