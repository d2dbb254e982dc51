'use strict';
/** Flags and contexts shared by the evaluator benchmark (same input for monoenv's core and flagd-core). */

/** The hot flag: string ops, sem_ver and a 0.1%-granular fractional split on one evaluation path. */
const TARGETING_FLAG = {
  state: 'ENABLED',
  variants: { on: true, off: false },
  defaultVariant: 'off',
  targeting: {
    if: [
      { and: [{ ends_with: [{ var: 'email' }, '@example.com'] }, { sem_ver: [{ var: 'appVersion' }, '>=', '2.3.0'] }] },
      'on',
      { and: [{ starts_with: [{ var: 'plan' }, 'pro'] }, { sem_ver: [{ var: 'appVersion' }, '^', '2.0.0'] }] },
      {
        fractional: [
          ['on', 125],
          ['off', 875],
        ],
      },
      null,
    ],
  },
};

/** 100 flags of the kinds a product carries: static, attribute rules, version gates and splits. */
function manyFlags() {
  const flags = {};
  for (let i = 0; i < 100; i++) {
    const kind = i % 4;
    if (kind === 0) {
      flags[`static-${i}`] = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: i % 8 === 0 ? 'on' : 'off' };
    } else if (kind === 1) {
      flags[`rule-${i}`] = {
        state: 'ENABLED',
        variants: { blue: 'blue', green: 'green' },
        defaultVariant: 'blue',
        targeting: {
          if: [{ in: [{ var: 'country' }, ['DE', 'FR', 'NL']] }, 'green', { starts_with: [{ var: 'plan' }, 'pro'] }, 'green', null],
        },
      };
    } else if (kind === 2) {
      flags[`gate-${i}`] = {
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
        targeting: { if: [{ sem_ver: [{ var: 'appVersion' }, '>=', `2.${i % 10}.0`] }, 'on', null] },
      };
    } else {
      flags[`split-${i}`] = {
        state: 'ENABLED',
        variants: { control: 'control', treatment: 'treatment' },
        defaultVariant: 'control',
        targeting: {
          fractional: [
            ['control', 50],
            ['treatment', 50],
          ],
        },
      };
    }
  }
  return { flags };
}

/** Deterministic, varied contexts so no branch or bucket dominates. */
function contexts(count) {
  const plans = ['free', 'pro', 'pro-plus', 'team'];
  const domains = ['example.com', 'mail.test', 'corp.example.org'];
  const countries = ['DE', 'US', 'FR', 'JP', 'BR'];
  const out = [];
  for (let i = 0; i < count; i++) {
    out.push({
      targetingKey: `user-${i}-${(i * 2654435761) % 100000}`,
      email: `person${i}@${domains[i % domains.length]}`,
      plan: plans[i % plans.length],
      country: countries[i % countries.length],
      appVersion: `${1 + (i % 3)}.${i % 7}.${i % 5}`,
    });
  }
  return out;
}

module.exports = { TARGETING_FLAG, manyFlags, contexts };
