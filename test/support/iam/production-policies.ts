import { Testing } from 'cdktf';
import { parseConfig } from '../../../config/load';
import type { MonoenvConfigInput } from '../../../config/schema';
import { ProductionStack } from '../../../stacks/production-stack';
import { testApp } from '../temp';
import { SynthesizedPolicies } from './synthesized-policies';

const repoRoot = `${__dirname}/../../..`;

/**
 * The production stack (default config unless given) synthesized with this repository's flags and journeys, and
 * its IAM policies resolved for the local AWS's account: what the Lambdas' calls are evaluated against.
 */
export function productionPolicies(config: MonoenvConfigInput = {}): {
  policies: SynthesizedPolicies;
  functions: string[];
  stack: ProductionStack;
} {
  const parsed = parseConfig(config);
  const stack = new ProductionStack(testApp(), 'production', { config: parsed, baseDir: repoRoot, guardrails: false });
  const json = JSON.parse(Testing.synth(stack));
  const functions = Object.values(json.resource.aws_lambda_function as Record<string, { function_name: string }>).map(
    (fn) => fn.function_name,
  );
  return { policies: new SynthesizedPolicies(json, { region: parsed.region }), functions, stack };
}
