import type { ElementView, StackView } from './stack-view';

/**
 * How much a finding matters. An `error` fails synth unless acknowledged; a `warning` is printed in the synth
 * summary (through the `report` writer option, like acknowledged findings) and never fails synth.
 */
export type GuardrailSeverity = 'error' | 'warning';

/** One thing a check found: a plain message is an error; `warning(message)` makes it a warning. */
export type GuardrailProblem = string | { readonly message: string; readonly severity: GuardrailSeverity };

/** A problem that is reported but does not fail synth, e.g. a runtime whose deprecation is coming. */
export const warning = (message: string): GuardrailProblem => ({ message, severity: 'warning' });

/** One policy check. `check` returns what is wrong with the element; an empty list means compliant. */
export interface GuardrailRule {
  /** Stable id used in messages and acknowledgements, e.g. `MONO-S3-1`. */
  readonly id: string;
  readonly description: string;
  /** How to fix a finding, shown with it. */
  readonly fix: string;
  /** Terraform types checked; data sources are written `data.<type>`. */
  readonly appliesTo: readonly string[];
  check(element: ElementView, stack: StackView): readonly GuardrailProblem[];
}

export interface GuardrailFinding {
  readonly ruleId: string;
  readonly description: string;
  readonly fix: string;
  readonly path: string;
  readonly address: string;
  /** A rule's errors and warnings on one element are two findings, one of each severity. */
  readonly severity: GuardrailSeverity;
  readonly problems: string[];
  /** The reason given with `Guardrails.acknowledge`, when the finding was acknowledged. */
  readonly acknowledgedBecause?: string;
}

export const appliesTo = (rule: GuardrailRule, element: ElementView): boolean =>
  rule.appliesTo.includes(element.kind === 'data' ? `data.${element.type}` : element.type);

export const severityOf = (problem: GuardrailProblem): GuardrailSeverity => (typeof problem === 'string' ? 'error' : problem.severity);

export const messageOf = (problem: GuardrailProblem): string => (typeof problem === 'string' ? problem : problem.message);

export function formatFinding(finding: GuardrailFinding): string {
  const head = `[${finding.ruleId}] ${finding.path} (${finding.address}): ${finding.description}`;
  const detail = finding.problems.map((problem) => `    - ${problem}`).join('\n');
  return finding.acknowledgedBecause !== undefined
    ? `${head}\n    acknowledged: ${finding.acknowledgedBecause}`
    : `${head}\n${detail}\n    fix: ${finding.fix}`;
}
