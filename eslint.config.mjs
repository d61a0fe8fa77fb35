// ESLint: typescript-eslint's type-checked rules over the TypeScript of the project. Tests,
// benchmarks and scripts read untyped HTTP bodies (supertest's `any`) all the time, so the
// no-unsafe-* family is off there and on for the product code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.cluster/**',
      '.cluster-faults/**',
      '.data/**',
      'coverage/**',
      'libs/testing/src/api-schema.d.ts',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }] },
  },
  {
    // Product code: imports run apps -> libs -> migrations, and never reach the development
    // libraries (the embedded database is loaded with a dynamic import, only without DATABASE_URL).
    files: ['apps/*/src/**/*.ts', 'libs/{config,http-edge,persistence,schema-doctor,tenancy}/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@app/testing', '@app/testing/*', '@app/dev-database', '@app/dev-database/*'], message: 'development and test code only' },
            { group: ['**/apps/**', '../../apps/*'], message: 'libs and apps import libs, never an app' },
            { group: ['../*/src/*', '../../*/src/*'], message: 'another lib through its @app/ name' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'libs/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
);
