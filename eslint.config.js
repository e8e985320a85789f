import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers' boundaries, checked on every import (test/ and bench/ may reach anywhere):
 * - src/oauth, the core, imports only itself, node: modules and its chosen libraries (jose;
 *   @node-rs/bcrypt for client secrets imported from Passport) — never Fastify, Kysely,
 *   storage, accounts or HTTP;
 * - nothing but src/services.ts (the composition root) and src/storage itself imports src/storage;
 * - nothing but src/main.ts (and src/http itself) imports src/http;
 * - src/resource-server ships to other people's servers: it imports nothing else of Authgate.
 */
const up = (levels) => `^${'\\.\\./'.repeat(levels)}`;
const leavesFolder = (depth) => ({ regex: `${up(depth)}`, message: 'This folder may not import from outside itself.' });
const coreOnly = {
  regex: '^(?!node:|jose$|@node-rs/bcrypt$|\\.)',
  message: 'The OAuth core imports only node: modules, jose, @node-rs/bcrypt and its own files.',
};
const noStorage = { regex: '^(\\.\\./)+storage/', message: 'Only src/services.ts and src/storage may import src/storage: call a use case.' };
const noHttp = { regex: '^(\\.\\./)+http/', message: 'Only src/main.ts imports src/http.' };
const restrict = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'storage/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  restrict(['src/oauth/*.ts'], [coreOnly, leavesFolder(1)]),
  restrict(['src/oauth/*/*.ts'], [coreOnly, leavesFolder(2)]),
  restrict(['src/oauth/*/*/*.ts'], [coreOnly, leavesFolder(3)]),
  restrict(['src/resource-server/**/*.ts'], [leavesFolder(1)]),
  restrict(['src/accounts/**/*.ts', 'src/cli/**/*.ts', 'src/web/**/*.ts', 'src/presenters/**/*.ts', 'src/cache/**/*.ts', 'src/net/**/*.ts'], [noStorage, noHttp]),
  restrict(['src/http/**/*.ts'], [noStorage]),
  restrict(['src/config.ts', 'src/duration.ts', 'src/health.ts'], [noStorage, noHttp]),
  restrict(['src/services.ts'], [noHttp]),
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly', setTimeout: 'readonly' } },
  },
);
