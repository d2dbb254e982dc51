/**
 * One rule for suites that need a real part (Terraform with the offline AWS provider, or moto): where the part is
 * missing the suite is skipped with the reason printed; in CI it fails instead, because CI installs both and a
 * missing one there is a broken machine, not a reason to skip.
 */
import { motoAvailability } from '../../cli/local/moto-server';
import { findProviderMirror } from '../../cli/terraform/provider-mirror';
import { terraformAvailability } from '../../cli/terraform/terraform';

export type Need = 'terraform' | 'moto';

function terraformMissing(env: NodeJS.ProcessEnv): string | undefined {
  const terraform = terraformAvailability(env);
  if (!terraform.available) return terraform.reason;
  try {
    // Tests never use the network, so a registry does not count: the mirror must hold hashicorp/aws.
    if (!findProviderMirror({ env })) return 'no provider mirror with hashicorp/aws found; set MONOENV_TF_PROVIDER_MIRROR.';
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

function motoMissing(): string | undefined {
  const moto = motoAvailability();
  return moto.available ? undefined : moto.reason;
}

/** Why `needs` cannot be met here, or undefined when they can. */
export function missingNeed(needs: readonly Need[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const need of needs) {
    const reason = need === 'terraform' ? terraformMissing(env) : motoMissing();
    if (reason) return `${need}: ${reason}`;
  }
  return undefined;
}

/** What to do about a missing part: nothing, skip (printing why), or fail (in CI). */
export function needsVerdict(
  needs: readonly Need[],
  env: NodeJS.ProcessEnv = process.env,
): { run: true } | { run: false; skipReason: string } {
  const reason = missingNeed(needs, env);
  if (!reason) return { run: true };
  if (env.CI) throw new Error(`CI must run the suites that need ${needs.join(' and ')}: ${reason}`);
  return { run: false, skipReason: reason };
}

/** `describe` that runs only where `needs` are met: skipped with the reason printed locally, failing in CI. */
export function describeNeeding(needs: readonly Need[], name: string, fn: () => void): void {
  const verdict = needsVerdict(needs);
  if (verdict.run) {
    describe(name, fn);
    return;
  }

  console.warn(`SKIP ${name}: ${verdict.skipReason}`);
  describe.skip(`${name} (skipped: ${verdict.skipReason})`, () => it('skipped', () => undefined));
}
