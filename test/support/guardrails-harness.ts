import { Aspects, Testing, TerraformStack } from 'cdktf';
import { Guardrails, type GuardrailsOptions } from '../../constructs/security/guardrails';
import { testApp } from './temp';

/** Builds a stack with `build`, runs the guardrails through Testing.synth, and returns what they found. */
export function runGuardrails(build: (stack: TerraformStack) => void, options: GuardrailsOptions = {}) {
  const app = testApp();
  const stack = new TerraformStack(app, 'test');
  build(stack);
  const guardrails = new Guardrails({ report: () => undefined, ...options });
  Aspects.of(stack).add(guardrails);
  let error: Error | undefined;
  try {
    Testing.synth(stack);
  } catch (err) {
    // Only the guardrails' own verdict is a result; anything else is a broken test or rule.
    if (!(err instanceof Error) || !err.message.startsWith('Guardrails:')) throw err;
    error = err;
  }
  return { guardrails, error, stack };
}

/** The unacknowledged findings of one rule, as `path: problems` strings that read well in a failed expectation. */
export function findingsOf(ruleId: string, build: (stack: TerraformStack) => void, options: GuardrailsOptions = {}): string[] {
  return runGuardrails(build, options)
    .guardrails.violations.filter((finding) => finding.ruleId === ruleId)
    .map((finding) => `${finding.path}: ${finding.problems.join('; ')}`);
}

/** The unacknowledged warnings of one rule, in the same form as `findingsOf`. */
export function warningsOf(ruleId: string, build: (stack: TerraformStack) => void, options: GuardrailsOptions = {}): string[] {
  return runGuardrails(build, options)
    .guardrails.warnings.filter((finding) => finding.ruleId === ruleId)
    .map((finding) => `${finding.path}: ${finding.problems.join('; ')}`);
}
