// Fails the run when a test left files in the run's temp root (see global-setup.js), then removes it.
const { readdirSync, rmSync } = require('node:fs');

module.exports = async () => {
  const root = process.env.MONOENV_TEST_TMP_ROOT;
  if (!root) return;
  const leftovers = readdirSync(root);
  rmSync(root, { recursive: true, force: true });
  if (leftovers.length > 0) {
    throw new Error(
      `tests left ${leftovers.length} item(s) in the temp directory (clean up with tempDir() from test/support/temp.ts): ${leftovers.sort().join(', ')}`,
    );
  }
};
