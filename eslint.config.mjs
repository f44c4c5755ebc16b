// Lint rules. The block for shared/domain is the purity fence: the core may not read the clock,
// draw random numbers, touch the environment or import anything outside itself.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/**', '.serverless/**', '.esbuild/**', 'dist/**', '.venv/**', '.tools/**', 'coverage/**', 'test-output/**', 'cli/bin/**', 'functions/local/dashboard/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // CommonJS entry points (jest's config, the simulator workers' tsx bootstrap) load with require.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['shared/domain/**/*.ts'],
    ignores: ['shared/domain/**/*.test.ts'],
    rules: {
      // Only relative imports (and zod, which is pure); dependency-cruiser checks they stay inside shared/domain.
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\.{1,2}/|zod$)', message: 'shared/domain imports only itself (and zod).' }] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'No process.env in the core: config comes in as values.' }, { name: 'setTimeout', message: 'No timers in the core.' }, { name: 'fetch', message: 'No I/O in the core.' }],
      'no-restricted-syntax': ['error',
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'No clock in the core: pass nowMs in.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'No clock in the core: pass nowMs in.' },
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'No randomness in the core: pass a random source in.' },
        { selector: "MemberExpression[object.name='crypto']", message: 'No randomness in the core.' },
      ],
    },
  },
);
