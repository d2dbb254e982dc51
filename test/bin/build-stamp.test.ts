import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import * as ts from 'typescript';
import { REPO_ROOT } from '../support/paths';

// What the freshness check counts as "the sources" must be what the build compiles and what the CLI loads.
type Snapshot = { inputs: Record<string, unknown>; sources: Record<string, unknown> };
const { changes, isClone, snapshot, sourceFiles, writeStamp } = require('../../bin/build-stamp') as {
  changes(root: string): { reason: string; files: string[] } | undefined;
  isClone(root: string): boolean;
  snapshot(root: string): Snapshot;
  sourceFiles(root: string): string[];
  writeStamp(root: string, recorded: Snapshot, builder: string): void;
};
const root = REPO_ROOT;

describe('the sources of dist/', () => {
  const files = sourceFiles(root);

  it('are the files TypeScript reads from tsconfig.build.json', () => {
    const config = ts.readConfigFile(path.join(root, 'tsconfig.build.json'), ts.sys.readFile).config;
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root);
    expect(files).toEqual(parsed.fileNames.map((file) => path.relative(root, file).split(path.sep).join('/')).sort());
    expect(files).toEqual(expect.arrayContaining(['cli/main.ts', 'main.ts', 'index.ts', 'client/index.ts']));
  });

  it('include every file of this repository that they import (nothing the CLI loads is left unbuilt)', () => {
    const { metafile } = buildSync({
      absWorkingDir: root,
      entryPoints: files,
      bundle: true,
      packages: 'external',
      platform: 'node',
      write: false,
      metafile: true,
      outdir: path.join(os.tmpdir(), 'unused'),
      logLevel: 'silent',
    });
    expect(Object.keys(metafile.inputs).filter((input) => !files.includes(input))).toEqual([]);
  });

  it('refuse an include pattern the check does not understand, rather than skip files', () => {
    const project = mkdtempSync(path.join(os.tmpdir(), 'monoenv-stamp-'));
    try {
      writeFileSync(path.join(project, 'tsconfig.build.json'), JSON.stringify({ include: ['src/*.ts'] }));
      expect(() => sourceFiles(project)).toThrow(/include pattern 'src\/\*\.ts' is not understood/);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

describe('changes since the last build', () => {
  let project: string;
  const file = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
    writeFileSync(path.join(project, rel), text);
  };
  /** Sets a file's mtime `seconds` away from what it is, without touching its contents. */
  const shift = (rel: string, seconds: number) => {
    const when = new Date(statSync(path.join(project, rel)).mtimeMs + seconds * 1000);
    utimesSync(path.join(project, rel), when, when);
  };
  const build = () => {
    file('dist/cli/main.js', '');
    writeStamp(project, snapshot(project), 'test');
  };

  beforeEach(() => {
    project = mkdtempSync(path.join(os.tmpdir(), 'monoenv-stamp-'));
    file('tsconfig.json', '{}');
    file('tsconfig.build.json', JSON.stringify({ include: ['main.ts', 'cli/**/*.ts'], exclude: ['**/*.test.ts'] }));
    file('bin/build.js', '');
    file('main.ts', 'export {};\n');
    file('cli/main.ts', 'export {};\n');
    file('cli/flags.ts', 'export {};\n');
    file('cli/flags.test.ts', 'export {};\n');
  });
  afterEach(() => rmSync(project, { recursive: true, force: true }));

  it('wants everything built when there is no build', () => {
    expect(changes(project)).toEqual({ reason: 'dist/ has not been built', files: ['cli/flags.ts', 'cli/main.ts', 'main.ts'] });
  });

  it('finds nothing to do right after a build, and ignores files the build excludes', () => {
    build();
    shift('cli/flags.test.ts', 60);
    expect(changes(project)).toBeUndefined();
  });

  it('names the one source that changed, newer or older (a file restored from elsewhere)', () => {
    build();
    shift('cli/flags.ts', 60);
    expect(changes(project)).toEqual({ reason: 'cli/flags.ts changed since dist/ was built', files: ['cli/flags.ts'] });
    build();
    shift('cli/flags.ts', -3600);
    expect(changes(project)?.files).toEqual(['cli/flags.ts']);
  });

  it('sees a source added or removed', () => {
    build();
    file('cli/new.ts', 'export {};\n');
    expect(changes(project)).toEqual({ reason: 'cli/new.ts changed since dist/ was built', files: ['cli/new.ts'] });
    build();
    rmSync(path.join(project, 'cli', 'flags.ts'));
    expect(changes(project)).toEqual({ reason: 'cli/flags.ts changed since dist/ was built', files: [] });
  });

  it('rebuilds everything when the compiler settings change', () => {
    build();
    shift('tsconfig.json', 60);
    expect(changes(project)).toEqual({
      reason: 'tsconfig.json changed since dist/ was built',
      files: ['cli/flags.ts', 'cli/main.ts', 'main.ts'],
    });
  });
});

describe('isClone', () => {
  it('is a folder with the sources outside node_modules; an installed package is not, sources or not', () => {
    expect(isClone(root)).toBe(true);
    const work = mkdtempSync(path.join(os.tmpdir(), 'monoenv-stamp-'));
    try {
      const installed = path.join(work, 'node_modules', 'monoenv');
      mkdirSync(path.join(installed, 'cli'), { recursive: true });
      writeFileSync(path.join(installed, 'tsconfig.build.json'), '{}');
      writeFileSync(path.join(installed, 'cli', 'main.ts'), '');
      expect(isClone(installed)).toBe(false);
      expect(isClone(path.join(work, 'nothing-here'))).toBe(false);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
