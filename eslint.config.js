// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Architecture boundaries are lint rules, not memory (docs/ARCHITECTURE.md):
 * - UI surfaces and content scripts talk to the agent only through `src/rpc`;
 *   they may not import the vault, crypto or agent internals.
 * - `relay/` imports nothing from the extension.
 * - Capabilities import each other only through their public `index.ts`.
 */
const INTERNALS = 'vault|crypto|agent|peers|link|store|calendar|scheduling|account';
const uiBoundary = {
  patterns: [
    {
      // '@/src/vault', '../../src/crypto/x', and from inside src/ui: '../agent'.
      regex: `(^|/)src/(${INTERNALS})(/|$)|^\\.\\./(${INTERNALS})(/|$)`,
      message: 'UI and content scripts reach the agent only through src/rpc (docs/ARCHITECTURE.md).',
    },
    {
      regex: '^(libsodium-wrappers|idb|sql\\.js)$',
      message: 'Keys and storage live in the background only.',
    },
    {
      regex: '^firebase(/|$)',
      message: 'Firebase sign-in runs in the background (src/account); UI pages call account.* over src/rpc.',
    },
  ],
};
const deepImport = {
  // '../crypto/identity' or '@/src/crypto/identity' (but '../crypto' and '../../relay/protocol' are fine).
  regex: '^(\\.\\./|@/src/)[^./][^/]*/(?!index$)(?!.*\\.css$).+|^\\.\\./\\.\\./relay/(?!protocol$)',
  message:
    'Import another capability only through its public index.ts (and the relay only through relay/protocol).',
};

export default tseslint.config(
  { ignores: ['.output/**', '.wxt/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepImport] }] },
  },
  {
    files: [
      'src/ui/**',
      'entrypoints/popup/**',
      'entrypoints/sidepanel/**',
      'entrypoints/options/**',
      'entrypoints/*.content.ts',
      'entrypoints/*.content/**',
    ],
    rules: { 'no-restricted-imports': ['error', { patterns: [...uiBoundary.patterns, deepImport] }] },
  },
  {
    files: ['relay/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/**', '**/entrypoints/**', '@/*'],
              message: 'The relay imports nothing from the extension.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'tests/**', 'bench/**', 'scripts/**', 'relay/test-client.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-console': 'off' },
  },
);
