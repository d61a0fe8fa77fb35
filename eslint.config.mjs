// ESLint: typescript-eslint's strict type-checked rules over the TypeScript of the project. Tests,
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
      '.cluster-test/**',
      '.cluster-chaos/**',
      '.data/**',
      'coverage/**',
      'libs/testing/src/api-schema.d.ts',
      'libs/testing/src/control-plane-schema.d.ts',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Nest modules are empty classes that carry a decorator, and response classes describe the
      // OpenAPI document while handlers return plain objects of their shape.
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-misused-spread': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  {
    // Product code: imports run apps -> libs -> migrations, and never reach the development
    // libraries (the embedded database is loaded with a dynamic import, only without DATABASE_URL).
    files: ['apps/*/src/**/*.ts', 'libs/{config,http-edge,persistence,reference-data,schema-doctor,tenancy,telemetry,tenants,usage}/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@app/testing', '@app/testing/*', '@app/dev-database', '@app/dev-database/*'], message: 'development and test code only' },
            { group: ['**/apps/**', '../../apps/*', '../../{api,analytics,control-plane}/**'], message: 'libs and apps import libs, never an app' },
            { group: ['../*/src/*', '../../*/src/*'], message: 'another lib through its @app/ name' },
          ],
        },
      ],
    },
  },
  {
    // Tests read what they just wrote, by index and through supertest's untyped bodies.
    files: ['**/test/**/*.ts', '**/*.spec.ts', '**/*.*-spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-unnecessary-condition': 'off' },
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
