/**
 * Policy guardrails as a cdktf Aspect, in the spirit of cdk-nag's AwsSolutions pack:
 *
 *   Aspects.of(stack).add(new Guardrails());
 *   Guardrails.acknowledge(bucket, 'MONO-S3-1', 'public website assets, encrypted by S3 default');
 *
 * Add it to each TerraformStack (cdktf does not apply aspects added to the App). Findings fail synth with one error
 * listing every rule id, construct path and fix; acknowledged findings are printed once as a summary.
 */
import { Annotations, Aspects, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import { acknowledge, acknowledgementReason } from './acknowledge';
import { appliesTo, formatFinding, type GuardrailFinding, type GuardrailRule } from './rule';
import { MONOENV_RULES } from './rules';
import { StackView } from './stack-view';

export interface GuardrailsOptions {
  /** @default MONOENV_RULES */
  readonly rules?: readonly GuardrailRule[];
  /** Rule ids switched off for everything under the aspect. Prefer `Guardrails.acknowledge` with a reason. */
  readonly disabledRules?: readonly string[];
  /**
   * 'throw': one Error with all findings (fails `app.synth()` and `Testing.synth`).
   * 'annotate': an error annotation per finding (fails `app.synth()`; cdktf-cli prints them).
   * @default 'throw'
   */
  readonly onViolation?: 'throw' | 'annotate';
  /** Where the acknowledged-findings summary goes. @default console.error */
  readonly report?: (text: string) => void;
}

export class Guardrails implements IAspect {
  /** Accepts a finding of `ruleId` on `scope` and everything below it, with the reason shown in the synth summary. */
  static acknowledge(scope: IConstruct, ruleId: string, reason: string): void {
    acknowledge(scope, ruleId, reason);
  }

  private readonly rules: readonly GuardrailRule[];
  private readonly findingsByRoot = new Map<string, GuardrailFinding[]>();
  private summaryPrinted = false;

  constructor(private readonly options: GuardrailsOptions = {}) {
    const disabled = new Set(options.disabledRules ?? []);
    this.rules = (options.rules ?? MONOENV_RULES).filter((rule) => !disabled.has(rule.id));
  }

  /** Every finding of the last evaluation, acknowledged or not. */
  get findings(): GuardrailFinding[] {
    return [...this.findingsByRoot.values()].flat();
  }

  get violations(): GuardrailFinding[] {
    return this.findings.filter((finding) => finding.acknowledgedBecause === undefined);
  }

  get acknowledged(): GuardrailFinding[] {
    return this.findings.filter((finding) => finding.acknowledgedBecause !== undefined);
  }

  visit(node: IConstruct): void {
    // Rules need the whole tree (an S3 bucket's encryption is a separate resource), so the aspect does all its work
    // on the construct it was added to and ignores the visits to that construct's children.
    if (!Aspects.of(node).all.includes(this)) return;
    const findings = this.evaluate(node);
    this.findingsByRoot.set(node.node.path, findings);
    this.printAcknowledgedOnce();
    const violations = findings.filter((finding) => finding.acknowledgedBecause === undefined);
    if (violations.length === 0) return;
    if (this.options.onViolation === 'annotate') {
      for (const finding of violations) Annotations.of(findConstruct(node, finding.path)).addError(formatFinding(finding));
      return;
    }
    throw new Error(`Guardrails: ${violations.length} finding(s) under ${node.node.path || 'the app'} must be fixed or acknowledged with Guardrails.acknowledge(construct, ruleId, reason):\n\n${violations.map(formatFinding).join('\n\n')}`);
  }

  /** Runs every rule on every element under `scope`. */
  evaluate(scope: IConstruct): GuardrailFinding[] {
    const stack = StackView.of(scope);
    const findings: GuardrailFinding[] = [];
    for (const rule of this.rules) {
      for (const element of stack.elements.filter((candidate) => appliesTo(rule, candidate))) {
        let problems: string[];
        try {
          problems = rule.check(element, stack);
        } catch (err) {
          throw new Error(`Guardrails rule ${rule.id} crashed on ${element.path} (${element.address}): ${(err as Error).message}`);
        }
        if (problems.length === 0) continue;
        findings.push({
          ruleId: rule.id,
          description: rule.description,
          fix: rule.fix,
          path: element.path,
          address: element.address,
          problems,
          acknowledgedBecause: acknowledgementReason(element.construct, rule.id),
        });
      }
    }
    return findings;
  }

  private printAcknowledgedOnce(): void {
    const acknowledged = this.acknowledged;
    if (this.summaryPrinted || acknowledged.length === 0) return;
    this.summaryPrinted = true;
    const report = this.options.report ?? ((text: string) => console.error(text));
    report(`Guardrails: ${acknowledged.length} acknowledged finding(s):\n${acknowledged.map(formatFinding).join('\n')}`);
  }
}

function findConstruct(root: IConstruct, path: string): IConstruct {
  return root.node.findAll().find((construct) => construct.node.path === path) ?? root;
}
