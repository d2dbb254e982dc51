#!/usr/bin/env node
// Builds dist/ from the TypeScript sources and stamps it (bin/build-stamp.js), so `monoenv` starts from
// compiled JavaScript and knows when that JavaScript is out of date.
//
//   node bin/build.js             esbuild, each file transpiled on its own without type-checking (what
//                                 ts-node --transpile-only did): about 0.5 s for the whole tree where tsc
//                                 takes about 9 s, and since no output depends on another file, after an
//                                 edit only the changed files (tens of ms). `npm ci` (prepare) and a
//                                 `monoenv` start after an edit run this one, so an install stays quick,
//                                 the first command after an edit barely waits, and a type error in work
//                                 in progress stops neither: type errors are `npm run typecheck`'s job, as
//                                 in the tests.
//   node bin/build.js --tsc       tsc -p tsconfig.build.json: type-checked, with the .d.ts files a package
//                                 needs. `npm run build`, and so `npm pack`/`npm publish` (prepack).
//   --if-stale                    only what changed since the last build (prepare: a no-op after prepack).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { changes, snapshot, writeStamp } = require('./build-stamp');

/** The compiler's first errors, ready to print. */
class BuildError extends Error {
  constructor(count, details) {
    super(`${count} error${count === 1 ? '' : 's'}`);
    this.count = count;
    this.details = details;
  }
}

const FIRST_ERRORS = 5;

/** Writes a file so that a concurrent reader sees the old or the new contents, never half of one. */
function writeAtomically(file, contents) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, contents);
  fs.renameSync(temporary, file);
}

/**
 * Removes what an earlier build wrote for a source that is gone: a stale dist/foo.js would otherwise
 * still answer `require('./foo')` after foo.ts became foo/index.ts.
 */
function pruneOrphans(root, files) {
  const sources = new Set(files);
  const dist = path.join(root, 'dist');
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(dist, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      const source = /^(.*?)(\.d\.ts|\.js)(\.map)?$/.exec(child);
      if (source && entry.isFile() && !sources.has(`${source[1]}.ts`)) fs.rmSync(path.join(dist, child));
    }
  };
  if (fs.existsSync(dist)) walk('');
}

const outputOf = (source) => path.join('dist', source.replace(/\.ts$/, '.js'));

/**
 * esbuild: sources to dist/ with the layout tsc gives them (rootDir "."), CommonJS for Node 20. By default
 * what changed since the last build (plus any output gone missing); `all` compiles every source.
 */
function transpile(root, { all = false } = {}) {
  const recorded = snapshot(root);
  const sources = Object.keys(recorded.sources);
  const plan = all ? { files: sources } : changes(root, recorded);
  const missing = sources.filter((rel) => !fs.existsSync(path.join(root, outputOf(rel))));
  if (!plan && missing.length === 0) return { files: 0 };
  const files = [...new Set([...(plan?.files ?? []), ...missing])];
  if (files.length > 0) {
    const esbuild = require('esbuild');
    let result;
    try {
      result = esbuild.buildSync({
        absWorkingDir: root,
        entryPoints: files,
        outdir: 'dist',
        outbase: '.',
        tsconfig: 'tsconfig.build.json',
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        sourcemap: true,
        write: false,
        logLevel: 'silent',
      });
    } catch (error) {
      if (!Array.isArray(error.errors)) throw error;
      const first = esbuild.formatMessagesSync(error.errors.slice(0, FIRST_ERRORS), { kind: 'error', color: false });
      throw new BuildError(error.errors.length, first.join('').trimEnd());
    }
    for (const output of result.outputFiles) writeAtomically(output.path, output.contents);
  }
  pruneOrphans(root, sources);
  writeStamp(root, recorded, 'esbuild');
  return { files: files.length };
}

/** tsc, as `npm run build` always ran it; its errors go straight to the terminal. */
function compile(root) {
  const recorded = snapshot(root);
  const tsc = require.resolve('typescript/lib/tsc.js', { paths: [root] });
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) return result.status ?? 1;
  writeStamp(root, recorded, 'tsc');
  return 0;
}

module.exports = { transpile, BuildError };

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  const args = process.argv.slice(2);
  if (args.includes('--tsc')) {
    process.exitCode = compile(root);
  } else {
    const started = Date.now();
    try {
      const { files } = transpile(root, { all: !args.includes('--if-stale') });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(files === 0 ? 'monoenv: dist/ is up to date' : `monoenv: built ${files} sources into dist/ with esbuild in ${seconds} s`);
    } catch (error) {
      if (!(error instanceof BuildError)) throw error;
      console.error(`monoenv: building dist/ failed with ${error.message}:\n${error.details}`);
      process.exitCode = 1;
    }
  }
}
