import * as semver from 'semver';
import { compareVersions, compileFlagSet, evaluateFlag, parseVersion } from '../../../../domain/flags/evaluator';

const versionFlag = (operator: string, target: string) =>
  compileFlagSet({
    flags: {
      app: {
        state: 'ENABLED',
        variants: { match: 'match', miss: 'miss', invalid: 'invalid' },
        defaultVariant: 'invalid',
        targeting: { if: [{ sem_ver: [{ var: 'version' }, operator, target] }, 'match', 'miss'] },
      },
    },
  });

// if(null) takes the else branch, so invalid input shows as 'miss' here; the DEFAULT path is covered below.
const outcome = (operator: string, target: string, version: unknown) =>
  evaluateFlag(versionFlag(operator, target), 'app', { version }).value;

describe('sem_ver operators', () => {
  it.each([
    ['=', '2.0.0', '2.0.0', 'match'],
    ['=', '2.0.0', '2.0.1', 'miss'],
    ['!=', '2.0.0', '2.0.1', 'match'],
    ['!=', '2.0.0', '2.0.0', 'miss'],
    ['<', '2.0.0', '1.9.9', 'match'],
    ['<', '2.0.0', '2.0.0', 'miss'],
    ['<', '2.0.0', '2.0.0-rc.1', 'match'],
    ['<=', '2.0.0', '2.0.0', 'match'],
    ['<=', '2.0.0', '2.0.1', 'miss'],
    ['>', '2.0.0', '2.0.1', 'match'],
    ['>', '2.0.0', '2.0.0', 'miss'],
    ['>', '1.1', '1.10.0', 'match'],
    ['>=', '2.0.0', '2.0.0', 'match'],
    ['>=', '2.0.0', '1.99.99', 'miss'],
    ['^', '3.0.0', '3.9.1', 'match'],
    ['^', '3.0.0', '4.0.0', 'miss'],
    ['^', '3.0.0', '2.9.9', 'miss'],
    ['~', '3.1.0', '3.1.7', 'match'],
    ['~', '3.1.0', '3.2.0', 'miss'],
    ['=', 'v1.0.0', 'V1.0.0', 'match'],
    ['=', '1.0.0+build.1', '1.0.0+other', 'match'],
  ])('%s %s against %s -> %s', (operator, target, version, expected) => {
    expect(outcome(operator, target, version)).toBe(expected);
  });

  it('accepts numbers and partial versions from the context', () => {
    expect(outcome('^', '1', 1)).toBe('match');
    expect(outcome('>', '1.1', 1.2)).toBe('match');
    expect(outcome('=', '1.0.0', '1.0')).toBe('match');
  });

  it('returns null (default variant) for versions it cannot parse', () => {
    const set = compileFlagSet({
      flags: {
        app: {
          state: 'ENABLED',
          variants: { true: 'yes', false: 'no', fallback: 'fallback' },
          defaultVariant: 'fallback',
          targeting: { sem_ver: [{ var: 'version' }, '>=', '1.0.0'] },
        },
      },
    });
    for (const version of ['2.0.0.0', 'not-a-version', '01.0.0', '', null, { major: 1 }]) {
      expect(evaluateFlag(set, 'app', { version })).toMatchObject({ value: 'fallback', reason: 'DEFAULT' });
    }
    expect(evaluateFlag(set, 'app', { version: '1.2.3' })).toMatchObject({ value: 'yes', reason: 'TARGETING_MATCH' });
  });
});

describe('semantic version precedence', () => {
  const ordered = [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.1',
    '1.1.0-0',
    '1.1.0',
    '2.0.0-x-y.7',
    '2.0.0',
    '10.0.0',
  ];

  it('orders the SemVer 2.0.0 example chain and agrees with the semver package on every pair', () => {
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        const ours = Math.sign(compareVersions(parseVersion(ordered[i])!, parseVersion(ordered[j])!));
        expect([ordered[i], ordered[j], ours]).toEqual([ordered[i], ordered[j], Math.sign(i - j)]);
        expect(ours).toBe(semver.compare(ordered[i], ordered[j]));
      }
    }
  });

  it('parses like flagd: v prefix, partial versions, no four-part or leading-zero versions', () => {
    expect(parseVersion('v1.2.3')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: [] });
    expect(parseVersion('1.2')).toEqual({ major: 1, minor: 2, patch: 0, prerelease: [] });
    expect(parseVersion(7)).toEqual({ major: 7, minor: 0, patch: 0, prerelease: [] });
    expect(parseVersion('1.0.0-rc.1')).toEqual({ major: 1, minor: 0, patch: 0, prerelease: ['rc', 1] });
    expect(parseVersion('1.2.3.4')).toBeNull();
    expect(parseVersion('1.02.3')).toBeNull();
    expect(parseVersion('myVersion_1')).toBeNull();
  });
});
