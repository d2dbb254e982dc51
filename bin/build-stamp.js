// Is dist/ built from the sources as they are now, and if not, which ones changed? Answered on every
// `monoenv` start, so it only lists folders and reads mtimes and sizes (a few ms for ~150 files); it
// never loads a compiler.
//
// "The sources" are the files tsconfig.build.json includes (the CLI, and what it imports: domain/, lambdas/,
// constructs/, config/, stacks/, client/, index.ts, main.ts); the build inputs decide how they compile.
// A build records each file's mtime and size as they were *before* it read them (dist/.build-stamp.json),
// so an edit made during a build is seen by the next start.
const fs = require('node:fs');
const path = require('node:path');

const STAMP = path.join('dist', '.build-stamp.json');
const ENTRY = path.join('dist', 'cli', 'main.js');
/** Besides the sources, these change what a build writes: any change rebuilds everything. */
const BUILD_INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'bin/build.js'];

/**
 * A clone (or a linked working copy) has the TypeScript sources and lives outside node_modules. An
 * installed package ships the sources too (package.json `files`), but its dist/ was built before packing
 * and its folder may not be writable: it just runs dist/.
 */
function isClone(root) {
  if (path.resolve(root).split(path.sep).includes('node_modules')) return false;
  return fs.existsSync(path.join(root, 'tsconfig.build.json')) && fs.existsSync(path.join(root, 'cli', 'main.ts'));
}

/**
 * The .ts files tsconfig.build.json includes, relative and `/`-separated, sorted. Only the include forms
 * this project uses are understood ("file.ts" and "dir/**\/*.ts"); anything else throws, rather than
 * silently leaving files out of the freshness check.
 */
function sourceFiles(root) {
  const config = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8'));
  const exclude = config.exclude ?? [];
  const excluded = (rel) =>
    rel.endsWith('.d.ts') ||
    exclude.some((pattern) =>
      pattern.startsWith('**/*') ? rel.endsWith(pattern.slice(4)) : rel === pattern || rel.startsWith(`${pattern}/`),
    );
  const files = new Set();
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts') && !excluded(child)) files.add(child);
    }
  };
  for (const pattern of config.include ?? []) {
    const tree = /^([\w.-]+(?:\/[\w.-]+)*)\/\*\*\/\*\.ts$/.exec(pattern);
    if (tree) {
      if (fs.existsSync(path.join(root, tree[1]))) walk(tree[1]);
    } else if (/^[\w.-]+(?:\/[\w.-]+)*\.ts$/.test(pattern)) {
      if (!excluded(pattern) && fs.existsSync(path.join(root, pattern))) files.add(pattern);
    } else {
      throw new Error(
        `tsconfig.build.json: include pattern '${pattern}' is not understood by bin/build-stamp.js (use "file.ts" or "dir/**/*.ts")`,
      );
    }
  }
  return [...files].sort();
}

/** [mtime, size] of each source and build input (null: missing), as a build records it. */
function snapshot(root) {
  const describe = (files) =>
    Object.fromEntries(
      files.map((rel) => {
        const stat = fs.statSync(path.join(root, rel), { throwIfNoEntry: false });
        return [rel, stat ? [stat.mtimeMs, stat.size] : null];
      }),
    );
  return { inputs: describe(BUILD_INPUTS), sources: describe(sourceFiles(root)) };
}

function readStamp(root) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, STAMP), 'utf8'));
  } catch {
    return undefined;
  }
}

function writeStamp(root, recorded, builder) {
  fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(root, STAMP), `${JSON.stringify({ builder, ...recorded })}\n`);
}

const same = (a, b) => Array.isArray(a) && Array.isArray(b) && a[0] === b[0] && a[1] === b[1];

/**
 * What must be rebuilt before dist/ runs: undefined when it is current, otherwise the reason and the
 * sources to compile again (every one, or those added or changed; a removed one only needs its output
 * dropped). Any difference counts, not only a newer mtime: a file restored with an older one is stale too.
 */
function changes(root, now = snapshot(root)) {
  const all = Object.keys(now.sources);
  const stamp = readStamp(root);
  if (!stamp?.sources || !stamp.inputs || !fs.existsSync(path.join(root, ENTRY))) return { reason: 'dist/ has not been built', files: all };
  const input = Object.keys(now.inputs).find((rel) => !same(now.inputs[rel], stamp.inputs[rel]));
  if (input) return { reason: `${input} changed since dist/ was built`, files: all };
  const changed = all.filter((rel) => !same(now.sources[rel], stamp.sources[rel]));
  const removed = Object.keys(stamp.sources).filter((rel) => !(rel in now.sources));
  const named = [...changed, ...removed];
  if (named.length === 0) return undefined;
  const which =
    named.length === 1 ? named[0] : `${named.length} sources (${named.slice(0, 3).join(', ')}${named.length > 3 ? ', ...' : ''})`;
  return { reason: `${which} changed since dist/ was built`, files: changed };
}

module.exports = { isClone, sourceFiles, snapshot, writeStamp, changes, STAMP, ENTRY };
