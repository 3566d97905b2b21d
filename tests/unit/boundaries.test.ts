import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The architecture's import rules are lint rules; prove they fire (docs/ARCHITECTURE.md). */
const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function restricted(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    ['entrypoints/popup/main.tsx', "import { x } from '@/src/crypto';"],
    ['entrypoints/sidepanel/main.tsx', "import { x } from '@/src/vault';"],
    ['src/ui/thing.tsx', "import { x } from '../agent';"],
    ['entrypoints/google-calendar.content.ts', "import { x } from '@/src/peers';"],
    ['src/ui/thing.tsx', "import sodium from 'libsodium-wrappers';"],
    ['src/ui/thing.tsx', "import { x } from '../account';"],
    ['entrypoints/options/main.tsx', "import { x } from 'firebase/auth/web-extension';"],
  ])('[ARC1] %s may not import %s', async (file, source) => {
    expect(await restricted(file, `${source}\nexport const y = x;`)).not.toEqual([]);
  });

  it('[ARC2] the relay imports nothing from the extension', async () => {
    expect(
      await restricted('relay/thing.ts', "import { x } from '../src/crypto';\nexport const y = x;"),
    ).not.toEqual([]);
  });

  it('[ARC3] capabilities import each other only through index.ts', async () => {
    expect(
      await restricted('src/peers/thing.ts', "import { x } from '../crypto/identity';\nexport const y = x;"),
    ).not.toEqual([]);
    expect(
      await restricted('src/peers/thing.ts', "import { x } from '../crypto';\nexport const y = x;"),
    ).toEqual([]);
    expect(
      await restricted('src/link/thing.ts', "import { x } from '../../relay/protocol';\nexport const y = x;"),
    ).toEqual([]);
    expect(
      await restricted('entrypoints/popup/main.tsx', "import { x } from '@/src/ui';\nexport const y = x;"),
    ).toEqual([]);
  });

  it.each([
    "import { x } from '@/src/agent/runtime';",
    "import { x } from '../src/agent';",
    "import { x } from 'libsodium-wrappers';",
    "import { x } from './vault-lab/scenarios';",
  ])('[ARC3] entrypoints/background.ts only wires: %s is refused', async (source) => {
    expect(await restricted('entrypoints/background.ts', `${source}\nexport const y = x;`)).not.toEqual([]);
  });

  it('[ARC3] entrypoints/background.ts may import capability index files', async () => {
    const source =
      "import { x } from '@/src/agent';\nimport { z } from '@/src/platform';\nexport const y = [x, z];";
    expect(await restricted('entrypoints/background.ts', source)).toEqual([]);
  });

  it('[ARC3] the test-only lab pages import capability index files (and the listed vault internals), and nothing imports them', async () => {
    const lab = 'entrypoints/vault-lab/thing.ts';
    expect(await restricted(lab, "import { x } from '@/src/vault';\nexport const y = x;")).toEqual([]);
    expect(await restricted(lab, "import { x } from '@/src/vault/pbkdf2';\nexport const y = x;")).toEqual([]);
    expect(
      await restricted(lab, "import { x } from '@/src/vault/keyring';\nexport const y = x;"),
    ).not.toEqual([]);
    expect(
      await restricted(lab, "import { x } from '@/src/crypto/ratchet';\nexport const y = x;"),
    ).not.toEqual([]);
    for (const [file, path] of [
      ['src/agent/thing.ts', '../../entrypoints/vault-lab/scenarios'],
      ['src/ui/thing.tsx', '@/entrypoints/vault-lab/lab-api'],
      ['entrypoints/popup/main.tsx', '../vault-lab/scenarios'],
    ] as const) {
      expect(await restricted(file, `import { x } from '${path}';\nexport const y = x;`)).not.toEqual([]);
    }
  });
});
