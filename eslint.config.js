import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'console/dist/**', '*.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // Fastify handlers are async by contract even when they only throw.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // SCIM documents are JSON keyed by schema-defined names; deleting an unassigned attribute is the point.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // Driver rows are typed as we expect them, but pg returns BIGINT as text unless told otherwise:
      // the Number() calls at the store boundary are deliberate.
      '@typescript-eslint/no-unnecessary-type-conversion': 'off',
      // Exhaustiveness is checked where a switch has no default; a default is a deliberate catch-all.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
    },
  },
  {
    // Layering (DESIGN §2): the SCIM core knows neither HTTP, SQL nor the directory; the store never knows HTTP.
    files: ['src/scim/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '**/store/**',
            '**/http/**',
            '**/directory/**',
            '**/cli/**',
            'fastify',
            'pg',
            'better-sqlite3',
          ],
        },
      ],
    },
  },
  {
    // The store knows neither the edges nor the directory's rules (DESIGN §2).
    files: ['src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/http/**', '**/cli/**', '**/directory/**', '**/main.js', 'fastify'] },
      ],
    },
  },
  {
    // The product's records: plain types the directory and the store share.
    files: ['src/model/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '**/store/**',
            '**/http/**',
            '**/directory/**',
            '**/cli/**',
            'fastify',
            'pg',
            'better-sqlite3',
          ],
        },
      ],
    },
  },
  {
    // One service boundary: the edges call directory services and never hold the store.
    files: ['src/http/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/store/**', 'pg', 'better-sqlite3'] }],
    },
  },
  {
    // The directory works against the store's interface, never its SQL implementation.
    files: ['src/directory/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/http/**', '**/cli/**', '**/store/sql/**', 'fastify'] },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'src/**/*.test.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly' } },
  },
);
