/**
 * Lambda runtimes against AWS's runtime calendar (`../lambda-runtimes.ts`), on a clock the caller can fix.
 *
 * What each day of a runtime's life gives, for a function:
 * - more than `warnDays` (90) before its deprecation: nothing;
 * - within `warnDays` before its deprecation: a warning;
 * - from its deprecation until its block-create date: a warning, not a finding. AWS still creates and updates such
 *   functions; it only stops patching the runtime. The warning says so and counts the days to the block dates, and
 *   the rule fails synth only where AWS itself refuses, which is what local AWS (moto) cannot tell us;
 * - from its block-create date: a finding. A new environment, or a change that replaces the function, can no longer
 *   be deployed (updates of existing functions still work until block-update, which the message names).
 * Unknown runtimes, and runtimes the pinned hashicorp/aws provider refuses, are findings. Container-image functions
 * (package_type Image) have no runtime and pass. A layer's compatible_runtimes get the same messages, but a blocked
 * one only warns: AWS publishes such layers, it is the functions that can no longer be created.
 */
import { AWS_PROVIDER_5_100_RUNTIMES, LAMBDA_RUNTIMES, type LambdaRuntime } from '../lambda-runtimes';
import { warning, type GuardrailProblem, type GuardrailRule } from '../rule';
import { isExpression, stringList } from '../values';

export interface LambdaRuntimeCalendarOptions {
  /** Today. Pass a fixed clock in tests. @default () => new Date() */
  readonly now?: () => Date;
  /** How many days before a runtime's deprecation the rule starts to warn. @default 90 */
  readonly warnDays?: number;
  /** The calendar. @default LAMBDA_RUNTIMES */
  readonly runtimes?: Readonly<Record<string, LambdaRuntime>>;
  /**
   * Runtimes the pinned hashicorp/aws provider accepts; any other is a finding, since `terraform plan` would refuse
   * it. `null` skips this check (e.g. with a newer provider). @default AWS_PROVIDER_5_100_RUNTIMES
   */
  readonly providerRuntimes?: readonly string[] | null;
}

const DAY_MS = 86_400_000;
const startOf = (day: string): number => Date.parse(`${day}T00:00:00Z`);
/** "nodejs" for nodejs22.x, "python" for python3.13, "java" for java8.al2. */
const familyOf = (runtime: string): string => runtime.replace(/[0-9.].*$/, '');
const inDays = (days: number): string => `in ${days} day${days === 1 ? '' : 's'}`;

export function lambdaRuntimeCalendar(options: LambdaRuntimeCalendarOptions = {}): GuardrailRule {
  const clock = options.now ?? (() => new Date());
  const warnDays = options.warnDays ?? 90;
  const calendar = options.runtimes ?? LAMBDA_RUNTIMES;
  const accepted = options.providerRuntimes === null ? undefined : new Set(options.providerRuntimes ?? AWS_PROVIDER_5_100_RUNTIMES);

  const isBlocked = (entry: LambdaRuntime, now: number) => entry.blockCreate !== undefined && now >= startOf(entry.blockCreate);
  const isCurrent = (entry: LambdaRuntime, now: number) =>
    entry.deprecated === undefined || now < startOf(entry.deprecated) - warnDays * DAY_MS;

  /** The newest current runtime of the same language (that the provider accepts, when `providerOnly`). */
  function successor(runtime: string, now: number, providerOnly: boolean): string | undefined {
    const candidates = Object.entries(calendar)
      .filter(
        ([id, entry]) =>
          familyOf(id) === familyOf(runtime) && id !== runtime && isCurrent(entry, now) && (!providerOnly || !accepted || accepted.has(id)),
      )
      .sort(([, a], [, b]) => (b.deprecated ?? '9999').localeCompare(a.deprecated ?? '9999'));
    return candidates[0]?.[0];
  }

  /** Where to go: a runtime the provider accepts, else a newer one that needs a newer provider. */
  function advice(runtime: string, now: number): string {
    const supported = successor(runtime, now, true);
    if (supported) return `; move to ${supported}`;
    const newer = successor(runtime, now, false);
    return newer ? `; ${newer} is current but needs a newer hashicorp/aws than the pinned 5.100` : '';
  }

  function judge(runtime: string, now: number, where: string, blockedIsError: boolean): GuardrailProblem[] {
    const entry = calendar[runtime];
    if (!entry) {
      return [
        `${where} ${JSON.stringify(runtime)}: unknown runtime, add it to the calendar (LAMBDA_RUNTIMES in constructs/security/guardrails/lambda-runtimes.ts) with its dates from AWS's Lambda runtimes page`,
      ];
    }
    const next = advice(runtime, now);
    const problems: GuardrailProblem[] = [];
    if (accepted && !accepted.has(runtime)) {
      problems.push(
        `${where} ${runtime} is refused by the pinned hashicorp/aws provider (5.100: "expected runtime to be one of [...]" at plan)${next}, or upgrade the provider and pass its list as providerRuntimes`,
      );
    }
    const { deprecated, blockCreate, blockUpdate } = entry;
    const when = (day: string | undefined, verb: string): string => {
      if (day === undefined) return '';
      const days = Math.ceil((startOf(day) - now) / DAY_MS);
      return days <= 0 ? `${verb} since ${day}` : `${verb} from ${day} (${inDays(days)})`;
    };
    const blocks = [when(blockCreate, 'AWS refuses to create functions on it'), when(blockUpdate, 'to update them')]
      .filter(Boolean)
      .join(' and ');
    if (isBlocked(entry, now)) {
      const message = `${where} ${runtime}: ${blocks}${deprecated ? ` (deprecated ${deprecated})` : ''}${next}`;
      problems.push(blockedIsError ? message : warning(message));
    } else if (deprecated !== undefined && now >= startOf(deprecated)) {
      problems.push(
        warning(`${where} ${runtime} is deprecated since ${deprecated}: no more security patches${blocks ? `; ${blocks}` : ''}${next}`),
      );
    } else if (!isCurrent(entry, now)) {
      const days = Math.ceil((startOf(deprecated!) - now) / DAY_MS);
      problems.push(warning(`${where} ${runtime} is deprecated on ${deprecated} (${inDays(days)})${blocks ? `; ${blocks}` : ''}${next}`));
    }
    return problems;
  }

  return {
    id: 'MONO-LAMBDA-3',
    description:
      'Lambda runtimes are ones AWS still lets you create functions with (calendar in constructs/security/guardrails/lambda-runtimes.ts).',
    fix: 'Move to a current runtime of the same language (for Node.js with hashicorp/aws 5.100: nodejs22.x; for Go: provided.al2023); for an unknown runtime, add it to LAMBDA_RUNTIMES with its dates from https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html.',
    appliesTo: ['aws_lambda_function', 'aws_lambda_layer_version'],
    check: ({ type, config }) => {
      const now = clock().getTime();
      if (type === 'aws_lambda_layer_version') {
        const runtimes = stringList(config.compatible_runtimes) ?? [];
        return runtimes.filter((runtime) => !isExpression(runtime)).flatMap((runtime) => judge(runtime, now, 'compatible runtime', false));
      }
      if (config.package_type === 'Image') return [];
      const runtime = config.runtime;
      if (typeof runtime !== 'string' || runtime === '' || isExpression(runtime)) return [];
      return judge(runtime, now, 'runtime', true);
    },
  };
}
