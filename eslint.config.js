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
const INTERNALS = 'vault|crypto|agent|peers|link|store|calendar|scheduling|account|assistant';
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

/** The test-only lab pages (`entrypoints/*-lab`, built only with PARLEY_LAB=1): nothing else may import them. */
const labPages = {
  regex: '(^|/)entrypoints/[^/]+-lab(/|$)|^\\.\\./[^/]+-lab(/|$)',
  message: 'entrypoints/*-lab are test-only pages: the extension never imports them.',
};
/** entrypoints/background.ts only wires: `@/src/<capability>` (a public index.ts), nothing else. */
const wiringOnly = {
  regex: '^(?!@/src/[a-z][a-z0-9-]*$)',
  message:
    'entrypoints/background.ts only wires: import a capability through its public index (`@/src/<capability>`); behaviour belongs in src/.',
};
/**
 * The lab pages run the vault's suites and benchmarks in a real browser: capability index files, plus the
 * vault's test-only internals they exist to exercise (its contract suite, bench core and primitives).
 */
const labDeepImport = {
  regex: '^(@/src/|(\\.\\./)+src/)(?!vault/(vault\\.contract|bench-core|aes-gcm|bytes|pbkdf2)$)[^/]+/.+',
  message:
    'Lab pages import capabilities through their index.ts (only the vault internals listed in eslint.config.js are exempt).',
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
    rules: { 'no-restricted-imports': ['error', { patterns: [deepImport, labPages] }] },
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
    rules: {
      'no-restricted-imports': ['error', { patterns: [...uiBoundary.patterns, deepImport, labPages] }],
    },
  },
  {
    files: ['entrypoints/background.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [wiringOnly] }] },
  },
  {
    files: ['entrypoints/*-lab/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [labDeepImport] }],
      // Test-only pages: the same latitude as tests.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-console': 'off',
    },
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
