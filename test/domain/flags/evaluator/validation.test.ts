import {
  checkFlagDocument,
  compileFlagSet,
  FlagValidationError,
  mergeFlagDocuments,
  parseFlagDocument,
  type FlagIssue,
} from '../../../../domain/flags/evaluator';

function issuesOf(doc: unknown): FlagIssue[] {
  try {
    parseFlagDocument(doc);
  } catch (error) {
    expect(error).toBeInstanceOf(FlagValidationError);
    return (error as FlagValidationError).issues;
  }
  throw new Error('expected the document to be rejected');
}

const flag = (overrides: Record<string, unknown> = {}) => ({
  state: 'ENABLED',
  variants: { on: true, off: false },
  defaultVariant: 'off',
  ...overrides,
});

describe('flag document validation', () => {
  it('accepts a valid document, including $ref, metadata and every flagd operator', () => {
    const doc = {
      $schema: 'https://flagd.dev/schema/v0/flags.json',
      metadata: { team: 'growth' },
      $evaluators: { internal: { ends_with: [{ var: 'email' }, '@example.com'] } },
      flags: {
        beta: flag({
          metadata: { owner: 'ann', ticket: 42 },
          targeting: {
            if: [
              { and: [{ $ref: 'internal' }, { sem_ver: [{ var: 'version' }, '>=', '1.2.0'] }, { starts_with: [{ var: 'plan' }, 'pro'] }] },
              {
                fractional: [
                  ['on', 1],
                  ['off', 999],
                ],
              },
              null,
            ],
          },
        }),
      },
    };
    expect(parseFlagDocument(doc)).toEqual(doc);
  });

  it.each([
    [
      'unknown defaultVariant',
      { flags: { a: flag({ defaultVariant: 'maybe' }) } },
      'flags.a.defaultVariant',
      /"maybe" is not one of the variants \(on, off\)/,
    ],
    [
      'variants of mixed types',
      { flags: { a: flag({ variants: { on: true, off: 'no' } }) } },
      'flags.a.variants',
      /boolean: on; string: off/,
    ],
    [
      'unresolvable $ref',
      { flags: { a: flag({ targeting: { if: [{ $ref: 'nope' }, 'on'] } }) } },
      'flags.a.targeting.if[0].$ref',
      /unresolvable \$ref "nope"/,
    ],
    [
      'negative fractional weight',
      {
        flags: {
          a: flag({
            targeting: {
              fractional: [
                ['on', -5],
                ['off', 10],
              ],
            },
          }),
        },
      },
      'flags.a.targeting.fractional[0][1]',
      /must not be negative/,
    ],
    [
      'non-integer fractional weight',
      {
        flags: {
          a: flag({
            targeting: {
              fractional: [
                ['on', 0.5],
                ['off', 99.5],
              ],
            },
          }),
        },
      },
      'flags.a.targeting.fractional[0][1]',
      /must be an integer/,
    ],
    [
      'unknown operator',
      { flags: { a: flag({ targeting: { if: [{ regex_match: [{ var: 'x' }, 'y'] }, 'on'] } }) } },
      'flags.a.targeting.if[0].regex_match',
      /unknown operator "regex_match"/,
    ],
    [
      'fractional with an unknown variant',
      {
        flags: {
          a: flag({
            targeting: {
              fractional: [
                ['on', 50],
                ['of', 50],
              ],
            },
          }),
        },
      },
      'flags.a.targeting.fractional[1][0]',
      /"of", which is not a variant/,
    ],
    [
      'a targeting result that is not a variant',
      { flags: { a: flag({ targeting: { if: [{ var: 'x' }, 'onn', 'off'] } }) } },
      'flags.a.targeting.if[1]',
      /"onn", which is not a variant/,
    ],
    ['bad state', { flags: { a: flag({ state: 'ON' }) } }, 'flags.a.state', /"ENABLED" or "DISABLED"/],
    [
      'unknown sem_ver operator',
      { flags: { a: flag({ targeting: { sem_ver: [{ var: 'v' }, '===', '1.0.0'] } }) } },
      'flags.a.targeting.sem_ver[1]',
      /unknown sem_ver operator "==="/,
    ],
    ['unknown flag field', { flags: { a: flag({ targetting: {} }) } }, 'flags.a', /unknown field\(s\): targetting/],
    ['null variant value', { flags: { a: flag({ variants: { on: true, off: null } }) } }, 'flags.a.variants.off', /not null/],
    ['no flags', { metadata: {} }, 'flags', /flag key to flag/],
    [
      'clientVisible that is not a boolean',
      { flags: { a: flag({ metadata: { clientVisible: 'yes' } }) } },
      'flags.a.metadata.clientVisible',
      /true or false/,
    ],
    [
      'clientVisible in the set metadata',
      { flags: { a: flag() }, metadata: { clientVisible: true } },
      'metadata.clientVisible',
      /on each flag.*every flag/,
    ],
  ])('rejects %s, naming the flag and the field', (_case, doc, field, message) => {
    const issues = issuesOf(doc);
    expect(issues).toContainEqual(expect.objectContaining({ field, message: expect.stringMatching(message) }));
    const issue = issues.find((i) => i.field === field)!;
    if (field.startsWith('flags.a')) expect(issue.flag).toBe('a');
  });

  it('collects every issue instead of stopping at the first', () => {
    const issues = issuesOf({
      $evaluators: { shared: { bogus_op: [] } },
      flags: {
        a: flag({ defaultVariant: 'x' }),
        b: flag({ variants: { on: true, off: 1 } }),
        c: flag({ targeting: { if: [{ $ref: 'shared' }, 'on'] } }),
        d: flag({
          targeting: {
            fractional: [
              ['on', -1],
              ['nope', 1.5],
            ],
          },
        }),
      },
    });
    expect(issues.map((i) => [i.flag, i.field])).toEqual([
      ['a', 'flags.a.defaultVariant'],
      ['b', 'flags.b.variants'],
      ['c', '$evaluators.shared.bogus_op'],
      ['d', 'flags.d.targeting.fractional[0][1]'],
      ['d', 'flags.d.targeting.fractional[1][0]'],
      ['d', 'flags.d.targeting.fractional[1][1]'],
    ]);
  });

  it('reports cyclic $refs', () => {
    const issues = issuesOf({
      $evaluators: { x: { $ref: 'y' }, y: { and: [{ $ref: 'x' }] } },
      flags: { a: flag({ targeting: { if: [{ $ref: 'x' }, 'on'] } }) },
    });
    expect(issues[0].message).toMatch(/cyclic \$ref: x -> y -> x/);
  });

  it('the error message lists the issues', () => {
    expect(() => compileFlagSet({ flags: { a: flag({ defaultVariant: 'zz' }) } })).toThrow(
      /flags\.a\.defaultVariant: "zz" is not one of the variants/,
    );
  });

  it('a lenient compile tolerates what flagd tolerates but not what flagd rejects', () => {
    const tolerated = compileFlagSet({ flags: { a: flag({ targeting: { if: [{ $ref: 'missing' }, 'on'] } }) } }, { strict: false });
    expect(tolerated.issues).toEqual([expect.objectContaining({ flag: 'a', field: 'flags.a.targeting.if[0].$ref' })]);
    expect(() => compileFlagSet({ flags: { a: flag({ defaultVariant: 'zz' }) } }, { strict: false })).toThrow(FlagValidationError);
  });

  it('separates fatal from tolerable issues', () => {
    const check = checkFlagDocument({ flags: { a: flag({ defaultVariant: 'zz', targeting: { starts_with: ['x'] } }) } });
    expect(check.fatal.map((i) => i.field)).toEqual(['flags.a.defaultVariant']);
    expect(check.tolerable.map((i) => i.field)).toEqual(['flags.a.targeting.starts_with']);
  });
});

describe('mergeFlagDocuments', () => {
  it('merges flags, evaluators and flag-set metadata of several files', () => {
    const merged = mergeFlagDocuments([
      parseFlagDocument({ flags: { a: flag() }, $evaluators: { e: { var: 'x' } }, metadata: { env: 'prod' } }),
      parseFlagDocument({ flags: { b: flag() }, $evaluators: { e: { var: 'x' } }, metadata: { env: 'prod', team: 't' } }),
    ]);
    expect(Object.keys(merged.flags)).toEqual(['a', 'b']);
    expect(merged.$evaluators).toEqual({ e: { var: 'x' } });
    expect(merged.metadata).toEqual({ env: 'prod', team: 't' });
  });

  it('reports duplicate flag keys and conflicting evaluators or metadata', () => {
    const docs = [
      parseFlagDocument({ flags: { a: flag(), b: flag() }, $evaluators: { e: { var: 'x' } }, metadata: { env: 'prod' } }),
      parseFlagDocument({ flags: { b: flag() }, $evaluators: { e: { var: 'y' } }, metadata: { env: 'dev' } }),
    ];
    try {
      mergeFlagDocuments(docs);
      throw new Error('expected a FlagValidationError');
    } catch (error) {
      expect((error as FlagValidationError).issues).toEqual([
        { flag: 'b', field: 'flags.b', message: 'flag "b" is defined in documents #0 and #1' },
        { field: '$evaluators.e', message: 'evaluator "e" differs between documents #0 and #1' },
        { field: 'metadata.env', message: 'flag-set metadata "env" differs between documents #0 and #1' },
      ]);
    }
  });
});
