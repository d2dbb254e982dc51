import type { ElementView, StackView } from './stack-view';

/** One policy check. `check` returns what is wrong with the element; an empty list means compliant. */
export interface GuardrailRule {
  /** Stable id used in messages and acknowledgements, e.g. `MONO-S3-1`. */
  readonly id: string;
  readonly description: string;
  /** How to fix a finding, shown with it. */
  readonly fix: string;
  /** Terraform types checked; data sources are written `data.<type>`. */
  readonly appliesTo: readonly string[];
  check(element: ElementView, stack: StackView): string[];
}

export interface GuardrailFinding {
  readonly ruleId: string;
  readonly description: string;
  readonly fix: string;
  readonly path: string;
  readonly address: string;
  readonly problems: string[];
  /** The reason given with `Guardrails.acknowledge`, when the finding was acknowledged. */
  readonly acknowledgedBecause?: string;
}

export const appliesTo = (rule: GuardrailRule, element: ElementView): boolean =>
  rule.appliesTo.includes(element.kind === 'data' ? `data.${element.type}` : element.type);

export function formatFinding(finding: GuardrailFinding): string {
  const head = `[${finding.ruleId}] ${finding.path} (${finding.address}): ${finding.description}`;
  const detail = finding.problems.map((problem) => `    - ${problem}`).join('\n');
  return finding.acknowledgedBecause !== undefined
    ? `${head}\n    acknowledged: ${finding.acknowledgedBecause}`
    : `${head}\n${detail}\n    fix: ${finding.fix}`;
}
