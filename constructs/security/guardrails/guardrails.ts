/**
 * Policy guardrails as a cdktf Aspect, in the spirit of cdk-nag's AwsSolutions pack:
 *
 *   Aspects.of(stack).add(new Guardrails());
 *   Guardrails.acknowledge(bucket, 'MONO-S3-1', 'public website assets, encrypted by S3 default');
 *
 * Add it to each TerraformStack (cdktf does not apply aspects added to the App). Findings fail synth with one error
 * listing every rule id, construct path and fix; warnings (findings of severity 'warning', e.g. a Lambda runtime
 * near its deprecation) and acknowledged findings are printed once as a summary and never fail synth.
 */
import { Annotations, Aspects, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import { acknowledge, acknowledgementReason } from './acknowledge';
import { appliesTo, formatFinding, messageOf, severityOf, type GuardrailFinding, type GuardrailRule, type GuardrailSeverity } from './rule';
import { monoenvRules } from './rules';
import { StackView } from './stack-view';

export interface GuardrailsOptions {
  /** @default MONOENV_RULES, on `now` */
  readonly rules?: readonly GuardrailRule[];
  /**
   * Today, for date-dependent rules (the Lambda runtime calendar); fixed in tests.
   * @default - MONOENV_SYNTH_DATE (e.g. `2027-05-01`: will this stack still deploy then?), else the system clock
   */
  readonly now?: () => Date;
  /** Rule ids switched off for everything under the aspect. Prefer `Guardrails.acknowledge` with a reason. */
  readonly disabledRules?: readonly string[];
  /**
   * 'throw': one Error with all findings (fails `app.synth()` and `Testing.synth`).
   * 'annotate': an error annotation per finding (fails `app.synth()`; cdktf-cli prints them).
   * @default 'throw'
   */
  readonly onViolation?: 'throw' | 'annotate';
  /** Where the summary of warnings and acknowledged findings goes. @default console.error */
  readonly report?: (text: string) => void;
}

/** The day synth checks against: MONOENV_SYNTH_DATE when set (refused when it is not a date), else today. */
export function synthDate(env: NodeJS.ProcessEnv): () => Date {
  const fixed = env.MONOENV_SYNTH_DATE;
  if (!fixed) return () => new Date();
  const day = new Date(fixed);
  if (Number.isNaN(day.getTime())) throw new Error(`MONOENV_SYNTH_DATE must be a date like 2027-05-01, got '${fixed}'`);
  return () => day;
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
    this.rules = (options.rules ?? monoenvRules({ now: options.now ?? synthDate(process.env) })).filter((rule) => !disabled.has(rule.id));
  }

  /** Every finding of the last evaluation, acknowledged or not. */
  get findings(): GuardrailFinding[] {
    return [...this.findingsByRoot.values()].flat();
  }

  /** Unacknowledged errors: these fail synth. */
  get violations(): GuardrailFinding[] {
    return this.findings.filter((finding) => finding.severity === 'error' && finding.acknowledgedBecause === undefined);
  }

  /** Unacknowledged warnings: printed in the summary, never failing synth. */
  get warnings(): GuardrailFinding[] {
    return this.findings.filter((finding) => finding.severity === 'warning' && finding.acknowledgedBecause === undefined);
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
    this.printSummaryOnce();
    const violations = findings.filter((finding) => finding.severity === 'error' && finding.acknowledgedBecause === undefined);
    if (violations.length === 0) return;
    if (this.options.onViolation === 'annotate') {
      for (const finding of violations) Annotations.of(findConstruct(node, finding.path)).addError(formatFinding(finding));
      return;
    }
    throw new Error(
      `Guardrails: ${violations.length} finding(s) under ${node.node.path || 'the app'} must be fixed or acknowledged with Guardrails.acknowledge(construct, ruleId, reason):\n\n${violations.map(formatFinding).join('\n\n')}`,
    );
  }

  /** Runs every rule on every element under `scope`. */
  evaluate(scope: IConstruct): GuardrailFinding[] {
    const stack = StackView.of(scope);
    const findings: GuardrailFinding[] = [];
    for (const rule of this.rules) {
      for (const element of stack.elements.filter((candidate) => appliesTo(rule, candidate))) {
        let problems: ReturnType<GuardrailRule['check']>;
        try {
          problems = rule.check(element, stack);
        } catch (err) {
          throw new Error(`Guardrails rule ${rule.id} crashed on ${element.path} (${element.address}): ${(err as Error).message}`, {
            cause: err,
          });
        }
        for (const severity of SEVERITIES) {
          const messages = problems.filter((problem) => severityOf(problem) === severity).map(messageOf);
          if (messages.length === 0) continue;
          findings.push({
            ruleId: rule.id,
            description: rule.description,
            fix: rule.fix,
            path: element.path,
            address: element.address,
            severity,
            problems: messages,
            acknowledgedBecause: acknowledgementReason(element.construct, rule.id),
          });
        }
      }
    }
    return findings;
  }

  /** One report of the warnings and the acknowledged findings, at the first evaluation that has any. */
  private printSummaryOnce(): void {
    const { warnings, acknowledged } = this;
    if (this.summaryPrinted || (warnings.length === 0 && acknowledged.length === 0)) return;
    this.summaryPrinted = true;
    const sections = [
      ...(warnings.length
        ? [`Guardrails: ${warnings.length} warning(s), not failing synth:\n${warnings.map(formatFinding).join('\n')}`]
        : []),
      ...(acknowledged.length
        ? [`Guardrails: ${acknowledged.length} acknowledged finding(s):\n${acknowledged.map(formatFinding).join('\n')}`]
        : []),
    ];
    const report = this.options.report ?? ((text: string) => process.stderr.write(`${text}\n`));
    report(sections.join('\n\n'));
  }
}

const SEVERITIES: readonly GuardrailSeverity[] = ['error', 'warning'];

function findConstruct(root: IConstruct, path: string): IConstruct {
  return root.node.findAll().find((construct) => construct.node.path === path) ?? root;
}
