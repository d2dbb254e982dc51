import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Testing, TerraformStack } from 'cdktf';

/**
 * Temporary folders that remove themselves: each is deleted after the test file that made it
 * (jest's afterAll, registered by `test/support/cleanup.ts`). The run's temp root is checked
 * for leftovers at the end of `npm test` (`test/support/global-teardown.js`).
 */
const created = new Set<string>();

export function tempDir(prefix = 'monoenv-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.add(dir);
  return dir;
}

/** Removes every folder made by `tempDir` so far (called after each test file). */
export function removeTempDirs(): void {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
  created.clear();
}

/** `Testing.app()` with an output folder that is cleaned up (cdktf's own is left in the temp dir). */
export function testApp(options: Parameters<typeof Testing.app>[0] = {}): App {
  // eslint-disable-next-line no-restricted-properties -- the one wrapper the rule points everyone else to
  return Testing.app({ outdir: tempDir('cdktf.outdir.'), ...options });
}

/** `Testing.synthScope` on a cleaned-up app. */
export function synthScope(build: Parameters<typeof Testing.synthScope>[0]): string {
  const stack = new TerraformStack(testApp(), 'stack');
  build(stack);
  return Testing.synth(stack);
}

/** `Testing.fullSynth` for a stack on a `testApp()`: synthesizes the app into its cleaned-up folder; returns that folder. */
export function fullSynth(stack: TerraformStack): string {
  const app = App.of(stack);
  app.synth();
  return app.outdir;
}
