#!/usr/bin/env node
// Runs the compiled CLI (dist/cli/main.js), in a clone as in an installed package: a command (a kill
// switch during an incident) never waits for a TypeScript compiler. In a clone, `npm ci` builds dist/
// (the `prepare` script) and a start after the sources changed first rebuilds what changed (bin/build.js),
// after a freshness check that only reads mtimes and sizes (bin/build-stamp.js).
const path = require('node:path');

// The project pins Node 20 (the Lambda runtime it deploys); the SDK's upgrade notice would print on every command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = path.join(__dirname, '..');
const { changes, isClone, ENTRY } = require('./build-stamp');

if (isClone(root)) {
  const stale = changes(root);
  if (stale) {
    process.stderr.write(`monoenv: ${stale.reason}; rebuilding it first (esbuild, no type-check)\n`);
    const { transpile, BuildError } = require('./build');
    try {
      transpile(root);
    } catch (error) {
      // No fallback to another way of running the sources: what runs is always what was built.
      const how =
        error instanceof BuildError
          ? `failed with ${error.message}:\n${error.details}`
          : `failed: ${String(error.message).split('\n')[0]}${error.code === 'MODULE_NOT_FOUND' ? ' (run npm ci)' : ''}`;
      process.stderr.write(`monoenv: cannot start: building dist/ from the sources ${how}\n`);
      process.exit(1);
    }
  }
}

let cli;
try {
  cli = require(path.join(root, ENTRY));
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND' || !String(error.message).includes(ENTRY)) throw error;
  process.stderr.write(`monoenv: cannot start: ${ENTRY} is missing; this copy of monoenv was never built (npm run build)\n`);
  process.exit(1);
}
cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`monoenv: ${err && err.message ? err.message : err}`);
    process.exitCode = 1;
  },
);
