/**
 * flagd's `sem_ver` operator: {"sem_ver": [version, operator, version]} with =, !=, <, <=, >, >=,
 * ^ (same major) and ~ (same major and minor). Invalid input yields null (the flag's default variant).
 *
 * Hand-written rather than the `semver` package: we need only parse + compare (the package adds ~10 KB
 * to a Lambda with a 60 KB budget), and flagd's lenient parsing (v prefix, "1", "1.2") is custom anyway.
 */

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release identifiers; numeric ones as numbers. Empty for a release. */
  readonly prerelease: readonly (string | number)[];
}

// SemVer 2.0.0 grammar (build metadata accepted and ignored), as the `semver` package parses strictly.
const NUMERIC = '0|[1-9]\\d*';
const PRERELEASE_ID = `(?:${NUMERIC}|\\d*[a-zA-Z-][a-zA-Z0-9-]*)`;
const STRICT_VERSION = new RegExp(
  `^v?(${NUMERIC})\\.(${NUMERIC})\\.(${NUMERIC})(?:-(${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*))?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`,
);
const PARTIAL_VERSION = /^(\d+)(?:\.(\d+))?$/;
const NUMERIC_ID = /^\d+$/;

/** Parses like flagd: strips one v/V prefix, accepts "1" and "1.2" as 1.0.0 and 1.2.0, numbers as strings. */
export function parseVersion(raw: unknown): Version | null {
  if (typeof raw !== 'string' && typeof raw !== 'number') return null;
  const text = String(raw).trim().replace(/^[vV]/, '');
  const strict = STRICT_VERSION.exec(text);
  if (strict) {
    const prerelease = strict[4] === undefined ? [] : strict[4].split('.').map((id) => (NUMERIC_ID.test(id) ? Number(id) : id));
    return checked({ major: Number(strict[1]), minor: Number(strict[2]), patch: Number(strict[3]), prerelease });
  }
  const partial = PARTIAL_VERSION.exec(text);
  if (partial) return checked({ major: Number(partial[1]), minor: Number(partial[2] ?? 0), patch: 0, prerelease: [] });
  return null;
}

function checked(version: Version): Version | null {
  const safe = Number.isSafeInteger(version.major) && Number.isSafeInteger(version.minor) && Number.isSafeInteger(version.patch);
  return safe ? version : null;
}

/** SemVer precedence: negative, zero or positive. Build metadata is ignored. */
export function compareVersions(a: Version, b: Version): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  if (a.patch !== b.patch) return a.patch - b.patch;
  const aIds = a.prerelease;
  const bIds = b.prerelease;
  if (aIds.length === 0 || bIds.length === 0) return bIds.length - aIds.length; // a release ranks above its pre-releases
  for (let i = 0; i < Math.max(aIds.length, bIds.length); i++) {
    if (i >= aIds.length) return -1;
    if (i >= bIds.length) return 1;
    const x = aIds[i];
    const y = bIds[i];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1; // numeric identifiers rank below alphanumeric ones
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export const SEM_VER_OPERATORS = ['=', '!=', '<', '<=', '>', '>=', '^', '~'] as const;
export type SemVerOperator = (typeof SEM_VER_OPERATORS)[number];

export function isSemVerOperator(value: unknown): value is SemVerOperator {
  return typeof value === 'string' && (SEM_VER_OPERATORS as readonly string[]).includes(value);
}

export function applySemVer(left: Version, operator: SemVerOperator, right: Version): boolean {
  switch (operator) {
    case '=':
      return compareVersions(left, right) === 0;
    case '!=':
      return compareVersions(left, right) !== 0;
    case '<':
      return compareVersions(left, right) < 0;
    case '<=':
      return compareVersions(left, right) <= 0;
    case '>':
      return compareVersions(left, right) > 0;
    case '>=':
      return compareVersions(left, right) >= 0;
    case '^':
      return left.major === right.major;
    case '~':
      return left.major === right.major && left.minor === right.minor;
  }
}

/** The operator over evaluated arguments: true/false, or null for wrong arity, bad versions or operator. */
export function semVer(args: unknown): boolean | null {
  if (!Array.isArray(args) || args.length !== 3 || !isSemVerOperator(args[1])) return null;
  const left = parseVersion(args[0]);
  const right = parseVersion(args[2]);
  return left && right ? applySemVer(left, args[1], right) : null;
}

/**
 * Specialises `sem_ver` whose operator and right-hand version are literals (the usual case): both are
 * parsed once at compile time, leaving one parse per evaluation. Returns undefined when not literal.
 */
export function semVerAgainstLiteral(args: readonly unknown[]): ((left: unknown) => boolean | null) | undefined {
  const [, operator, rightRaw] = args;
  const isLiteral = (value: unknown) => typeof value === 'string' || typeof value === 'number';
  if (args.length !== 3 || !isLiteral(operator) || !isLiteral(rightRaw)) return undefined;
  const right = parseVersion(rightRaw);
  if (!right || !isSemVerOperator(operator)) return () => null;
  return (leftRaw) => {
    const left = parseVersion(leftRaw);
    return left ? applySemVer(left, operator, right) : null;
  };
}
