/** `terraform validate` of a synthesized stack, with the offline provider mirror: what the tests hold every stack to. */
import { z } from 'zod';
import { lastLines, runTerraform, TerraformError, type RunTerraformOptions } from '../../cli/terraform/terraform';
import { prepareTerraformEnv, type ProviderAvailabilityOptions } from '../../cli/terraform/terraform-env';

const diagnosticSchema = z.object({
  severity: z.enum(['error', 'warning']),
  summary: z.string(),
  detail: z.string().optional(),
  address: z.string().optional(),
  range: z
    .object({ filename: z.string(), start: z.object({ line: z.number() }) })
    .partial()
    .optional(),
});
const validateOutputSchema = z.object({
  valid: z.boolean(),
  error_count: z.number(),
  warning_count: z.number(),
  diagnostics: z.array(diagnosticSchema),
});

export type TerraformDiagnostic = z.infer<typeof diagnosticSchema>;
export interface StackValidation {
  readonly valid: boolean;
  readonly errorCount: number;
  readonly warningCount: number;
  readonly diagnostics: TerraformDiagnostic[];
}

export interface ValidateStackOptions extends ProviderAvailabilityOptions {
  /** Where `.monoenv/terraform/terraformrc` is written. @default process.cwd() */
  readonly projectDir?: string;
  readonly onOutput?: RunTerraformOptions['onOutput'];
}

/**
 * `terraform init -backend=false` + `terraform validate -json` in a synthesized stack directory (the one holding
 * cdk.tf.json). Resolves to validate's diagnostics; rejects with a TerraformError when init itself fails.
 */
export async function validateSynthesizedStack(stackDir: string, options: ValidateStackOptions = {}): Promise<StackValidation> {
  const { env } = await prepareTerraformEnv(options.projectDir ?? process.cwd(), options);
  const run = { cwd: stackDir, env, onOutput: options.onOutput };
  await runTerraform(['init', '-backend=false', '-input=false', '-no-color'], run);
  const { stdout } = await runTerraform(['validate', '-json', '-no-color'], { ...run, acceptExitCodes: [0, 1] });
  let parsed: z.infer<typeof validateOutputSchema>;
  try {
    parsed = validateOutputSchema.parse(JSON.parse(stdout));
  } catch (err) {
    throw new TerraformError(
      'TERRAFORM_BAD_OUTPUT',
      `terraform validate -json (in ${stackDir}) printed unexpected output (${(err as Error).message}):\n${lastLines(stdout, 5)}`,
    );
  }
  return { valid: parsed.valid, errorCount: parsed.error_count, warningCount: parsed.warning_count, diagnostics: parsed.diagnostics };
}
