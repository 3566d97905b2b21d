import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

const resolveFile = createRequire(import.meta.url).resolve;

// The manifest carries, from the start, everything later capabilities need
// (side panel, the palette shortcut, the Google Calendar content script, the
// CSP that lets libsodium and sql.js compile WebAssembly).
/**
 * `PARLEY_LAB=1` builds a lab copy of the extension into `.output/lab/`: the same
 * extension plus test-only pages (`entrypoints/*-lab`) that run suites and
 * benchmarks inside the real extension. Production builds never contain them.
 */
const LAB = process.env.PARLEY_LAB === '1';
const LAB_ALIASES: Record<string, string> = LAB
  ? { vitest: fileURLToPath(new URL('entrypoints/vault-lab/vitest-shim.ts', import.meta.url)) }
  : {};
const PRODUCT_ENTRYPOINTS = ['background', 'popup', 'sidepanel', 'options', 'palette', 'google-calendar'];

export default defineConfig({
  srcDir: '.',
  entrypointsDir: 'entrypoints',
  publicDir: 'assets/public',
  outDir: LAB ? '.output/lab' : '.output',
  ...(LAB ? {} : { filterEntrypoints: PRODUCT_ENTRYPOINTS }),
  vite: () => ({
    plugins: [preact()],
    // [PERF1] Each page loads only its own code: the UI and the RPC contract are declared free of side effects
    // at import (they declare components, schemas and constants; tests/unit/perf-build.test.ts keeps them so),
    // which lets the bundler give each page its own chunk instead of one shared chunk of every page's code
    // (and zod's schemas, which no page evaluates). Without it the palette loaded 202 KB; now ≈ 48 KB.
    build: {
      rollupOptions: {
        treeshake: { moduleSideEffects: (id: string) => !/[\\/]src[\\/](ui|rpc)[\\/]/.test(id) },
      },
    },
    // A published build signs in to Google without settings: its OAuth client id is set at build time
    // (calendar rule ICS10). Only this one variable is written into the bundle.
    define: {
      'import.meta.env.PARLEY_GOOGLE_CLIENT_ID': JSON.stringify(process.env.PARLEY_GOOGLE_CLIENT_ID ?? ''),
      // Lab builds only: the agent's clock can be moved forward by a test (entrypoints/background.ts).
      'import.meta.env.PARLEY_LAB': JSON.stringify(LAB ? '1' : ''),
    },
    // Lab pages run suites written for vitest (src/**/*.contract.ts) inside the
    // extension; there `vitest` is a small in-page runner. Production never imports it.
    resolve: {
      alias: LAB_ALIASES,
    },
  }),
  hooks: {
    // sql.js (history) fetches its wasm at run time: ship it at the extension's root.
    'build:publicAssets': (_, assets) => {
      assets.push({
        absoluteSrc: resolveFile('sql.js/dist/sql-wasm-browser.wasm'),
        relativeDest: 'sql-wasm-browser.wasm',
      });
    },
  },
  manifest: ({ browser }) => ({
    // The manifest's own words come from assets/public/_locales (I18N3), English by default.
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    // Firefox has no side panel: WXT writes entrypoints/sidepanel as its `sidebar_action` (FFX2), the same page.
    permissions: [
      'storage',
      'alarms',
      'identity',
      'notifications',
      ...(browser === 'firefox' ? [] : ['sidePanel']),
    ],
    // Local relays, fakes and the Firebase Auth emulator; Google's APIs; Firebase Auth (sign-in at
    // identitytoolkit, token refresh at securetoken). Other relays are reached over websockets,
    // which need no host permission.
    host_permissions: [
      'http://127.0.0.1/*',
      'http://localhost/*',
      'https://www.googleapis.com/*',
      'https://calendar.google.com/*',
      'https://identitytoolkit.googleapis.com/*',
      'https://securetoken.googleapis.com/*',
    ],
    // A model endpoint the person chooses (OpenAI, a local Ollama…) is asked for at run time, one origin.
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self';",
    },
    commands: {
      'open-palette': {
        // Alt+Shift+P is neither Chrome's nor Firefox's own (Ctrl+Shift+K opens Firefox's Web Console);
        // the person can change it (README, docs/protocol/interface.md PAL1).
        suggested_key: { default: 'Alt+Shift+P', mac: 'Alt+Shift+P' },
        description: '__MSG_commandOpenPalette__',
      },
    },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'parley@parley.dev',
              strict_min_version: '128.0',
              data_collection_permissions: { required: ['none'] },
            },
          },
        }
      : {}),
  }),
});
