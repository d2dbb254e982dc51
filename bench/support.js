// Shared by the benches: load TypeScript modules through esbuild (no ts-node in benches), and measure a
// handler bundle with the settings `bundleHandler` (constructs/core/monoenv-function.ts) ships it with.
const { buildSync } = require('esbuild');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

/** Bundles `contents` (TypeScript re-exports, resolved from `resolveDir`) to CommonJS and requires it. */
function loadTypeScript(contents, resolveDir) {
  const dir = mkdtempSync(join(tmpdir(), 'monoenv-bench-'));
  const outfile = join(dir, 'modules.js');
  buildSync({
    stdin: { contents, resolveDir, loader: 'ts' },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    outfile,
    logLevel: 'error',
  });
  try {
    return require(outfile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Minified size in bytes of a handler as it ships: node22, tree-shaken, AWS SDK v3 left external. */
function handlerBundleBytes(entry) {
  const out = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    treeShaking: true,
    write: false,
    external: ['@aws-sdk/*', '@smithy/*'],
    legalComments: 'none',
    logLevel: 'error',
  });
  return out.outputFiles[0].contents.byteLength;
}

/** An on-demand `pk`/`sk` table: the layout of monoenv's flag and analytics tables. */
async function createPkSkTable(client, tableName) {
  const { CreateTableCommand } = require('@aws-sdk/client-dynamodb');
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
    }),
  );
}

module.exports = { loadTypeScript, handlerBundleBytes, createPkSkTable };
