import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import * as ts from 'typescript';

// What the freshness check counts as "the sources" must be what the build compiles and what the CLI loads.
const { isClone, sourceFiles } = require('../../bin/build-stamp') as {
  isClone(root: string): boolean;
  sourceFiles(root: string): { files: string[]; dirs: string[] };
};
const root = path.resolve(__dirname, '..', '..');

describe('the sources of dist/', () => {
  const { files } = sourceFiles(root);

  it('are the files TypeScript reads from tsconfig.build.json', () => {
    const config = ts.readConfigFile(path.join(root, 'tsconfig.build.json'), ts.sys.readFile).config;
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root);
    expect(files).toEqual(parsed.fileNames.map((file) => path.relative(root, file).split(path.sep).join('/')).sort());
    expect(files).toEqual(expect.arrayContaining(['cli/main.ts', 'main.ts', 'index.ts', 'client/index.ts']));
  });

  it('include every file of this repository that they import (nothing the CLI loads is left unbuilt)', () => {
    const { metafile } = buildSync({
      absWorkingDir: root, entryPoints: files, bundle: true, packages: 'external', platform: 'node',
      write: false, metafile: true, outdir: path.join(os.tmpdir(), 'unused'), logLevel: 'silent',
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
