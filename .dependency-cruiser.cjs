/**
 * The layers, and the only directions imports may run (checked by test/architecture/import-graph.test.ts):
 *
 *   main.ts, cli/            the cdktf app and the monoenv command: may use everything below
 *   stacks/                  compose constructs from the config
 *   config/                  the config schema, composed from the constructs' prop schemas
 *   constructs/<family>/     infrastructure; know each Lambda only through its contract.ts
 *   lambdas/<function>/      runtime code: its own folder, lambdas/shared and domain/
 *   domain/                  flags, journeys, events, experiments: pure, imports nothing of ours above it
 *
 * client/ (the OpenFeature provider services run) stands apart and imports none of ours.
 */
const ours = '^(main|index)\\.ts$|^(cli|stacks|config|constructs|lambdas|domain|client|test|bench|examples|bin)/';

module.exports = {
  forbidden: [
    { name: 'no-cycle', severity: 'error', comment: 'a cycle has no layer order', from: {}, to: { circular: true } },
    {
      name: 'domain-is-the-bottom',
      severity: 'error',
      comment: 'domain/ is below everything: it imports only itself and packages',
      from: { path: '^domain/' },
      to: { path: ours, pathNot: '^domain/' },
    },
    {
      name: 'lambdas-run-alone',
      severity: 'error',
      comment: 'a function imports its own folder, lambdas/shared and domain/, never infrastructure, the CLI or another function',
      from: { path: '^lambdas/([^/]+)/' },
      to: { path: ours, pathNot: ['^lambdas/$1/', '^lambdas/shared/', '^domain/'] },
    },
    {
      name: 'contracts-carry-no-code',
      severity: 'error',
      comment: "a function's contract.ts is loaded by constructs: it imports nothing but the shared contract",
      from: { path: '^lambdas/[^/]+/contract\\.ts$' },
      to: { path: ours, pathNot: '^lambdas/shared/contract\\.ts$' },
    },
    {
      name: 'constructs-know-lambdas-by-contract',
      severity: 'error',
      comment: 'constructs bundle a Lambda by path; from its code they import only contract.ts',
      from: { path: '^constructs/' },
      to: { path: '^lambdas/', pathNot: '^lambdas/[^/]+/contract\\.ts$' },
    },
    {
      name: 'constructs-below-config-and-stacks',
      severity: 'error',
      from: { path: '^constructs/' },
      to: { path: '^(main|index)\\.ts$|^(cli|stacks|config|client)/' },
    },
    {
      name: 'config-below-stacks',
      severity: 'error',
      from: { path: '^config/' },
      to: { path: '^(main|index)\\.ts$|^(cli|stacks|client)/|^lambdas/(?!.+/contract\\.ts$)' },
    },
    {
      name: 'stacks-below-the-cli',
      severity: 'error',
      from: { path: '^stacks/' },
      to: { path: '^(main|index)\\.ts$|^(cli|client)/|^lambdas/(?!.+/contract\\.ts$)' },
    },
    {
      name: 'nothing-imports-the-entry-points',
      severity: 'error',
      comment: 'main.ts runs the app and index.ts is the package surface: code imports the modules themselves',
      from: { path: ours, pathNot: '^(test|examples)/' },
      to: { path: '^(main|index)\\.ts$' },
    },
    {
      name: 'client-stands-apart',
      severity: 'error',
      comment: 'services bundle the OpenFeature provider: it must not pull in infrastructure or CLI code',
      from: { path: '^client/' },
      to: { path: ours, pathNot: '^client/' },
    },
    {
      name: 'shipped-code-ignores-tests',
      severity: 'error',
      from: { path: '^(main|index)\\.ts$|^(cli|stacks|config|constructs|lambdas|domain|client)/' },
      to: { path: '^(test|bench|examples)/' },
    },
    {
      name: 'pure-evaluator',
      severity: 'error',
      comment: 'the flag evaluator runs in the Lambda, the CLI and tests alike: no AWS SDK, no node I/O',
      from: { path: '^domain/flags/evaluator/' },
      to: { path: '(^|/)@aws-sdk/|^(node:)?(fs|child_process|http|https|net)$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|cdktf\\.out|\\.monoenv)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
