/** Policy guardrails for cdktf stacks: `Aspects.of(stack).add(new Guardrails())`. */
export { Guardrails, synthDate, type GuardrailsOptions } from './guardrails';
export { type GuardrailRule, type GuardrailFinding, type GuardrailProblem, type GuardrailSeverity, formatFinding, warning } from './rule';
export { StackView, refersTo, references, referencedAddresses, type ElementView } from './stack-view';
export * from './rules';
export { LAMBDA_RUNTIMES, AWS_PROVIDER_5_100_RUNTIMES, type LambdaRuntime } from './lambda-runtimes';
