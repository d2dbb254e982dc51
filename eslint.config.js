// ESLint (flat config): typescript-eslint's recommended rules on every TypeScript file, formatting left to
// Prettier. Type-aware rules are off on purpose: they would type-check @cdktf/provider-aws once more per run.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const prettier = require('eslint-config-prettier');
const globals = require('globals');

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdktf.out/', '.monoenv/', 'coverage/', 'examples/library-consumer/out/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Lazy require() keeps cold starts and CLI start-up short (an AWS SDK client loaded only when used).
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // `x != null` is the idiom for null-or-undefined.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
    },
  },
  {
    // Lambdas and constructs write through injected writers (LambdaIo, the guardrails' report), never straight to the console.
    files: ['lambdas/**/*.ts', 'constructs/**/*.ts', 'domain/**/*.ts'],
    // lambda-io.ts is where the writers' defaults are bound to the console, once.
    ignores: ['lambdas/shared/lambda-io.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // cdktf's own test apps write to the temp dir and never clean up; test/support/temp.ts has ones that do.
      'no-restricted-properties': [
        'error',
        { object: 'Testing', property: 'app', message: 'use testApp() from test/support/temp.ts' },
        { object: 'Testing', property: 'synthScope', message: 'use synthScope() from test/support/temp.ts' },
        { object: 'Testing', property: 'fullSynth', message: 'use fullSynth() from test/support/temp.ts' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
);
