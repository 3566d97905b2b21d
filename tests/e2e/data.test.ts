import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelay, type Relay } from '../../relay/server';
import {
  PASSPHRASE,
  configure,
  ensureBuilt,
  launchAgent,
  makeProfileDir,
  pairPanels,
  removeProfileDir,
  rpc,
  setInput,
  unlock,
  type AgentBrowser,
} from './harness';

/**
 * The person's data controls in the real extension: integrity check at unlock,
 * backup to another profile, a wrong passphrase and a tampered file refused,
 * and "delete all my data".
 */
let relay: Relay;
const profiles = { a: makeProfileDir('data-a'), b: makeProfileDir('data-b'), c: makeProfileDir('data-c') };
let a: AgentBrowser;
let b: AgentBrowser;
let backup = '';

beforeAll(async () => {
  ensureBuilt();
  relay = createRelay();
  const { url } = await relay.listen(0);
  [a, b] = await Promise.all([launchAgent(profiles.a), launchAgent(profiles.b)]);
  await configure(a, url, 'Alice');
  await configure(b, url, 'Bob');
  const [pa, pb] = [await a.open('sidepanel'), await b.open('sidepanel')];
  await Promise.all(
    [pa, pb].map((p) => p.waitForSelector('[data-testid=relay-status][data-connected=true]')),
  );
  await pairPanels(pa, pb, 'Alice');
});

afterAll(async () => {
  await Promise.allSettled([a?.close(), b?.close()]);
  await relay?.close();
  Object.values(profiles).forEach(removeProfileDir);
});

describe('data controls', () => {
  it('[DAT2] a backup restores on another profile; a wrong passphrase or a tampered file changes nothing', async () => {
    const page = await a.open('options');
    const exported = await rpc(page, 'data.export', { passphrase: 'backup passphrase 1' });
    expect(exported.ok).toBe(true);
    backup = exported.output.file;
    // Only the sealed parts are secret, and nothing outside them names anyone.
    const { payload, check, ...header } = JSON.parse(backup) as Record<string, unknown>;
    expect(payload).toEqual({ iv: expect.any(String), data: expect.any(String) });
    expect(check).toBeDefined();
    expect(JSON.stringify(header)).not.toMatch(/Alice|Bob/);

    const c = await launchAgent(profiles.c);
    try {
      const target = await c.open('options');
      const before = await rpc(target, 'contacts.list', {});
      expect(before.output).toEqual([]);
      const wrong = await rpc(target, 'data.import', { file: backup, passphrase: 'not it', mode: 'merge' });
      expect(wrong.error.code).toBe('wrong_passphrase');
      // Flip one character of the sealed payload.
      const parsed = JSON.parse(backup) as { payload: { data: string } };
      const data = parsed.payload.data;
      parsed.payload.data = data.slice(0, 10) + (data[10] === 'A' ? 'B' : 'A') + data.slice(11);
      const flipped = JSON.stringify(parsed);
      expect(flipped).not.toBe(backup);
      const tampered = await rpc(target, 'data.import', {
        file: flipped,
        passphrase: 'backup passphrase 1',
        mode: 'merge',
      });
      expect(tampered.ok).toBe(false);
      expect((await rpc(target, 'contacts.list', {})).output).toEqual([]);

      const restored = await rpc(target, 'data.import', {
        file: backup,
        passphrase: 'backup passphrase 1',
        mode: 'replace',
      });
      expect(restored.ok).toBe(true);
      expect(restored.output.written).toBeGreaterThan(0);
      expect((await rpc(target, 'contacts.list', {})).output.map((x: { name: string }) => x.name)).toEqual([
        'Bob',
      ]);
    } finally {
      await c.close();
    }
  });

  it('[DAT1] a record altered on disk is set aside at the next unlock and reported; the rest keeps working', async () => {
    const page = await a.open('popup');
    await page.waitForSelector('[data-testid=fingerprint]');
    // Flip one byte of one contact's ciphertext, behind the vault's back.
    const flipped = await page.evaluate(
      () =>
        new Promise<boolean>((resolve, reject) => {
          const open = indexedDB.open('parley-vault');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('contacts', 'readwrite');
            const cursor = tx.objectStore('contacts').openCursor();
            cursor.onsuccess = () => {
              const c = cursor.result;
              if (!c) return resolve(false);
              const record = c.value as { ciphertext: ArrayBuffer };
              const bytes = new Uint8Array(record.ciphertext.slice(0));
              bytes[0] = bytes[0]! ^ 1;
              c.update({ ...record, ciphertext: bytes.buffer });
              tx.oncomplete = () => resolve(true);
            };
          };
        }),
    );
    expect(flipped).toBe(true);
    await rpc(page, 'vault.lock', {});
    await page.reload();
    await unlock(page, PASSPHRASE);
    await page.waitForSelector('[data-testid=quarantined]');
    expect(await page.$eval('[data-testid=quarantined]', (el) => el.textContent)).toContain(
      '1 stored record',
    );
    // The rest works: identity, settings and the conversation list still answer.
    expect((await rpc(page, 'status.get', {})).output.agent.displayName).toBe('Alice');
    expect((await rpc(page, 'contacts.list', {})).ok).toBe(true);
  });

  it('[CTC1][CTC2] the side panel renames and blocks a contact through its actions', async () => {
    const panel = await b.open('sidepanel');
    await panel.waitForSelector('[data-testid=contact]');
    await panel.click('[data-testid=contact]');
    await panel.click('[data-testid=contact-controls] summary');
    await setInput(panel, '[data-testid=contact-name]', 'Alice at work');
    await panel.click('[data-testid=contact-rename]');
    await panel.waitForFunction(() =>
      document.querySelector('[data-testid=contact]')?.textContent?.includes('Alice at work'),
    );
    await panel.click('[data-testid=contact-block]');
    await panel.waitForSelector('[data-testid=contact][data-status=blocked]');
    await panel.click('[data-testid=contact-block]');
    await panel.waitForSelector('[data-testid=contact][data-status=paired]');
    await panel.close();
  });

  it('[LOG3] the options page shows diagnostics with versions and log lines and no names or passphrase', async () => {
    const page = await b.open('options');
    await page.waitForSelector('[data-testid=diagnostics-collect]');
    await page.click('[data-testid=diagnostics-collect]');
    await page.waitForSelector('[data-testid=diagnostics]');
    const text = await page.$eval('[data-testid=diagnostics]', (el) => (el as HTMLTextAreaElement).value);
    const report = JSON.parse(text) as { extensionVersion: string; lines: unknown[]; lock: string };
    expect(report).toMatchObject({ extensionVersion: expect.stringMatching(/^\d+\.\d+/), lock: 'unlocked' });
    expect(Array.isArray(report.lines)).toBe(true);
    expect(text).not.toMatch(/Alice|Bob/);
    expect(text).not.toContain(PASSPHRASE);
    await page.close();
  });

  it('[DAT3] "delete all my data" leaves nothing: the agent starts over; pruning answers', async () => {
    const page = await b.open('options');
    const pruned = await rpc(page, 'data.prune', { olderThanDays: 1 });
    expect(pruned.output).toEqual({ deleted: 0 }); // nothing is a day old yet
    expect((await rpc(page, 'contacts.list', {})).output).toHaveLength(1);
    expect((await rpc(page, 'data.deleteAll', { confirm: 'yes' })).error.code).toBe('bad_request');
    const result = await rpc(page, 'data.deleteAll', { confirm: 'delete everything' });
    expect(result.output).toEqual({ lock: 'setup_required' });
    expect((await rpc(page, 'contacts.list', {})).error.code).toBe('setup_required');
  });
});
