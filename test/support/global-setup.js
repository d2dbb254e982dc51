// One temp root per `npm test`: every tool the tests start (node, moto, terraform) writes its temporary
// files there through TMPDIR, so global-teardown.js can tell exactly what a run left behind.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
  const root = mkdtempSync(join(tmpdir(), 'monoenv-test-run-'));
  process.env.MONOENV_TEST_TMP_ROOT = root;
  process.env.TMPDIR = root;
};
