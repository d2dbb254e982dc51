import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths';

// How `monoenv` starts: from dist/, rebuilt first when the sources changed, never from the sources
// directly. Each case runs bin/monoenv.js in a copy of the project, so the repository's dist/ is untouched.
const root = REPO_ROOT;
/** What the package ships (package.json `files`) but dist/, plus the build's own inputs. */
const packageFiles = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { files: string[] }).files;
const SOURCES = [
  ...packageFiles.filter((name) => name !== 'dist' && !name.includes('*')),
  'main.ts',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
];
const flagsDir = path.join(root, 'flags');
const REBUILD = /rebuilding it first/;

function copyProject(into: string) {
  mkdirSync(into, { recursive: true });
  for (const name of SOURCES) cpSync(path.join(root, name), path.join(into, name), { recursive: true });
  symlinkSync(path.join(root, 'node_modules'), path.join(into, 'node_modules'), 'dir');
}

function monoenv(project: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(project, 'bin', 'monoenv.js'), ...args], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const validate = (project: string) => monoenv(project, 'flags', 'validate', '--dir', flagsDir);
const mtime = (file: string) => statSync(file).mtimeMs;

describe('monoenv starts from compiled JavaScript', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'monoenv-start-'));
  const clone = path.join(work, 'clone');
  const entry = path.join(clone, 'dist', 'cli', 'main.js');
  const command = path.join(clone, 'cli', 'flags', 'command.ts');
  const original = readFileSync(path.join(root, 'cli', 'flags', 'command.ts'), 'utf8');
  beforeAll(() => copyProject(clone));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('builds a missing dist/ first, then runs a fresh one without rebuilding', () => {
    const first = validate(clone);
    expect(first.stderr).toMatch(/^monoenv: dist\/ has not been built; rebuilding it first/);
    expect(first.stdout).toMatch(/flags valid/);
    expect(first.status).toBe(0);

    const built = mtime(entry);
    const again = validate(clone);
    expect(again.stderr).not.toMatch(REBUILD);
    expect(again.stdout).toBe(first.stdout);
    expect(again.status).toBe(0);
    expect(mtime(entry)).toBe(built);
  });

  it('rebuilds when a source is newer than the build, before the command runs', () => {
    validate(clone); // current
    const untouched = mtime(entry);
    appendFileSync(command, "\nprocess.stderr.write('edited source ran\\n');\n");
    const later = new Date(mtime(command) + 60_000); // newer than the build, whatever the file system's clock
    utimesSync(command, later, later);

    const result = validate(clone);
    expect(result.stderr).toMatch(
      /^monoenv: cli\/flags\/command\.ts changed since dist\/ was built; rebuilding it first.*\nedited source ran\n/,
    );
    expect(result.stdout).toMatch(/flags valid/);
    expect(mtime(entry)).toBe(untouched); // only what changed is compiled again
    expect(validate(clone).stderr).not.toMatch(REBUILD);
  });

  it('notices a source added or removed, and drops what was built from a removed one', () => {
    const extra = path.join(clone, 'cli', 'flags', 'extra.ts');
    writeFileSync(extra, 'export const extra = 1;\n');
    expect(validate(clone).stderr).toMatch(REBUILD);
    expect(existsSync(path.join(clone, 'dist', 'cli', 'flags', 'extra.js'))).toBe(true);

    rmSync(extra);
    expect(validate(clone).stderr).toMatch(REBUILD);
    expect(existsSync(path.join(clone, 'dist', 'cli', 'flags', 'extra.js'))).toBe(false);
  });

  it("exits non-zero with the compiler's first errors when the build fails, running nothing", () => {
    writeFileSync(command, `${original}\nexport const = ;\n`);
    const failed = validate(clone);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(/monoenv: cannot start: building dist\/ from the sources failed with 1 error:/);
    expect(failed.stderr).toMatch(/cli\/flags\/command\.ts:\d+:\d+/);
    // The failed build is not recorded as current: once fixed, the next start rebuilds and runs.
    expect(validate(clone).status).toBe(1);
    writeFileSync(command, original);
    const fixed = validate(clone);
    expect(fixed.stderr).toMatch(REBUILD);
    expect(fixed.status).toBe(0);
  });

  it("runs an installed package's dist/ as it is, sources or not", () => {
    const installed = path.join(work, 'app', 'node_modules', 'monoenv');
    copyProject(installed);
    cpSync(path.join(clone, 'dist'), path.join(installed, 'dist'), { recursive: true });
    rmSync(path.join(installed, 'dist', '.build-stamp.json')); // a clone would rebuild now

    const result = validate(installed);
    expect(result.stderr).not.toMatch(REBUILD);
    expect(result.stdout).toMatch(/flags valid/);
    expect(result.status).toBe(0);
    expect(existsSync(path.join(installed, 'dist', '.build-stamp.json'))).toBe(false);
  });
});
