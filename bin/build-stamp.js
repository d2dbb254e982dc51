// Is dist/ built from the sources as they are now? Answered on every `monoenv` start, so it only reads
// directory listings and mtimes (a few ms for ~150 files); it never loads a compiler.
//
// "The sources" are the files tsconfig.build.json includes (the CLI, and what it imports: lambdas/,
// constructs/, config/, stacks/, client/, index.ts, main.ts), plus what decides how they are compiled.
// A build records their fingerprint as it was *before* it read them, so an edit made during a build is
// seen by the next start.
const fs = require('node:fs');
const path = require('node:path');

const STAMP = path.join('dist', '.build-stamp.json');
const ENTRY = path.join('dist', 'cli', 'main.js');
/** Besides the sources, these change what a build writes. */
const BUILD_INPUTS = ['tsconfig.json', 'tsconfig.build.json', path.join('bin', 'build.js')];

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
 * The .ts files tsconfig.build.json includes (relative, `/`-separated, sorted), and the folders walked to
 * find them. Only the include forms this project uses are understood ("file.ts" and "dir/**\/*.ts");
 * anything else throws, rather than silently leaving files out of the freshness check.
 */
function sourceFiles(root) {
  const config = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8'));
  const exclude = config.exclude ?? [];
  const excluded = (rel) => rel.endsWith('.d.ts') || exclude.some((pattern) => (
    pattern.startsWith('**/*') ? rel.endsWith(pattern.slice(4)) : rel === pattern || rel.startsWith(`${pattern}/`)));
  const files = new Set();
  const dirs = [];
  const walk = (rel) => {
    dirs.push(rel);
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
      throw new Error(`tsconfig.build.json: include pattern '${pattern}' is not understood by bin/build-stamp.js (use "file.ts" or "dir/**/*.ts")`);
    }
  }
  return { files: [...files].sort(), dirs };
}

/**
 * What a build depends on, cheaply: how many sources there are and the newest mtime among them, the
 * folders holding them (a file added, removed or renamed changes its folder's mtime) and the build inputs.
 */
function fingerprint(root) {
  const { files, dirs } = sourceFiles(root);
  let newest = -Infinity;
  let newestPath = '';
  for (const rel of [...files, ...dirs, ...BUILD_INPUTS]) {
    const mtime = fs.statSync(path.join(root, rel)).mtimeMs;
    if (mtime > newest) [newest, newestPath] = [mtime, rel];
  }
  return { sources: files.length, newest, newestPath };
}

function readStamp(root) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, STAMP), 'utf8'));
  } catch {
    return undefined;
  }
}

function writeStamp(root, print, builder) {
  fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(root, STAMP), `${JSON.stringify({ ...print, builder }, null, 2)}\n`);
}

/** Why dist/ must be rebuilt before it runs, or undefined when it is current. */
function staleReason(root) {
  const stamp = readStamp(root);
  if (!stamp || !fs.existsSync(path.join(root, ENTRY))) return 'dist/ has not been built';
  const now = fingerprint(root);
  if (now.sources !== stamp.sources || now.newest !== stamp.newest) return `the sources changed since dist/ was built (newest: ${now.newestPath})`;
  return undefined;
}

module.exports = { isClone, sourceFiles, fingerprint, writeStamp, staleReason, STAMP, ENTRY };
