#!/usr/bin/env node
// Runs the compiled CLI when the package is built (installed as a dependency), and the TypeScript
// sources through ts-node in a clone of the repository.
const path = require('node:path');

// The project pins Node 20 (the Lambda runtime it deploys); the SDK's upgrade notice would print on every command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const fs = require('node:fs');

const compiled = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
let cli;
if (fs.existsSync(compiled)) {
  cli = require(compiled);
} else {
  require('ts-node').register({ transpileOnly: true, project: path.join(__dirname, '..', 'tsconfig.json') });
  cli = require('../cli/main.ts');
}
cli.main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(`monoenv: ${err && err.message ? err.message : err}`);
    process.exitCode = 1;
  },
);
