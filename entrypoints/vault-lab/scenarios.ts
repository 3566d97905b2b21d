/**
 * The e2e scenarios that need code inside the extension: secrets stored for the disk
 * scan and its clear-text control, a record altered on disk, a transaction killed
 * half-way. Each step is one call; the test restarts pages and browsers in between.
 */
import { sessionValue } from '@/src/platform';
import { vaultAgentStore } from '@/src/store';
import { exportBackup, importBackup, openHistory, openVault } from '@/src/vault';
import { done, labEvent, labVault, observedCrypto, rawDb, request, sql } from './lab-support';

// ---- on-disk scan (VLB3) -------------------------------------------------------------

/**
 * Stores the secrets the way the product does: a message body through the agent's
 * store (vaultAgentStore), an event title and an OAuth token through the vault API,
 * a history line through SQLite persisted as the encrypted blob. Production KDF.
 */
export async function storeSecrets(s: {
  message: string;
  title: string;
  token: string;
  history: string;
}): Promise<void> {
  const vault = await openVault({ name: 'lab-disk', sessionKeys: sessionValue('lab.lab-disk.keys') });
  await vault.setUp('lab disk passphrase');
  const store = vaultAgentStore(vault);
  await store.commit([
    {
      kind: 'message',
      value: { id: 'm1', contactId: 'agent-1', direction: 'in', text: s.message, at: 1, status: 'received' },
    },
  ]);
  await vault.put('events', { ...labEvent(1), title: s.title });
  await vault.put('agentConfig', { id: 'google-tokens', accessToken: s.token, refreshToken: `r-${s.token}` });
  const history = await openHistory(vault, { sqlJs: await sql() });
  history.add([{ id: 'h1', conversationId: 'agent-1', at: 1, author: 'agent-1', text: s.history }]);
  await history.close();
  // Read back: the secrets really went in (a scan that finds nothing must not be vacuous).
  const reopened = await openHistory(vault, { sqlJs: await sql() });
  const stored = [
    (await store.getMessage('m1'))?.text,
    (await vault.get('events', labEvent(1).id))?.title,
    (await vault.get('agentConfig', 'google-tokens'))?.accessToken,
    reopened.search(s.history)[0]?.text,
  ];
  await reopened.close();
  if (stored.join('|') !== [s.message, s.title, s.token, s.history].join('|')) {
    throw new Error('the secrets did not round-trip through the vault');
  }
  vault.close();
}

/** The positive control: text written in clear, same origin, same IndexedDB directory. */
export async function writeCanaries(texts: readonly string[]): Promise<void> {
  const req = indexedDB.open('lab-disk-canary', 1);
  req.onupgradeneeded = () => req.result.createObjectStore('c', { keyPath: 'id' });
  const db = await request(req);
  const tx = db.transaction('c', 'readwrite');
  texts.forEach((text, i) => tx.objectStore('c').put({ id: i, text }));
  await done(tx);
  db.close();
}

// ---- tampered record (VLB5) ----------------------------------------------------------

/** Writes `count` events, returns a backup, then flips one ciphertext byte of `victim` on disk. */
export async function tamperPrepare(count: number, victim: number): Promise<string> {
  const vault = await labVault('lab-tamper');
  await vault.setUp('lab tamper passphrase');
  await vault.putMany(
    'events',
    Array.from({ length: count }, (_, i) => labEvent(i)),
  );
  const backup = await exportBackup(vault, 'lab backup passphrase');
  vault.close();
  const db = await rawDb('lab-tamper');
  const tx = db.transaction('events', 'readwrite');
  const os = tx.objectStore('events');
  const stored = (await request(os.get(labEvent(victim).id))) as { ciphertext: ArrayBuffer };
  const bytes = new Uint8Array(stored.ciphertext.slice(0));
  bytes[bytes.length >> 1]! ^= 0x01;
  os.put({ ...stored, ciphertext: bytes.buffer });
  await done(tx);
  db.close();
  return backup;
}

/** After a reload: resume from storage.session, verify, keep working, restore from the backup. */
export async function tamperCheck(backup: string, victim: number) {
  const vault = await labVault('lab-tamper');
  const resumed = vault.isUnlocked;
  const quarantinedEvents: string[] = [];
  vault.subscribe((e) => {
    if (e.type === 'quarantined') quarantinedEvents.push(`${e.store}/${String(e.key)}`);
  });
  const report = await vault.verifyIntegrity();
  const afterVerify = (await vault.query('events')).length;
  const victimAfter = await vault.get('events', labEvent(victim).id);
  const quarantine = (await vault.listQuarantine()).map((q) => `${q.store}/${String(q.key)}/${q.reason}`);
  await vault.put('events', labEvent(100_000));
  const stillWorks = (await vault.get('events', labEvent(100_000).id))?.title;
  const restored = await importBackup(vault, backup, 'lab backup passphrase', { mode: 'merge' });
  const victimRestored = (await vault.get('events', labEvent(victim).id))?.title;
  await vault.deleteAllData();
  vault.close();
  return {
    resumed,
    checked: report.checked,
    reported: report.quarantined.map((q) => `${q.store}/${String(q.key)}/${q.reason}`),
    quarantinedEvents,
    afterVerify,
    victimAfter: victimAfter === undefined ? null : victimAfter,
    quarantine,
    stillWorks,
    restored,
    victimRestored,
  };
}

// ---- killed mid-transaction (VLB6, VLB7) ---------------------------------------------

type Phase = 'sealing' | 'writing' | 'committed' | 'failed';

/** Phases of the long write, readable from outside while it runs (the crash tests poll it). */
const progress = {
  phase: 'idle' as 'idle' | Phase,
  /** performance.now() when each phase began. */
  at: {} as Partial<Record<Phase, number>>,
};
const enter = (phase: Phase): void => {
  progress.phase = phase;
  progress.at[phase] = performance.now();
};

export const crashProgress = () => ({ phase: progress.phase, at: { ...progress.at } });

/** Sets up a crash-test vault and commits `base` events and audit lines. */
export async function crashPrepare(name: string, base: number): Promise<void> {
  const vault = await labVault(name);
  await vault.setUp('lab crash passphrase');
  await vault.transaction(['events', 'audit'], (tx) => {
    for (let i = 0; i < base; i++) {
      tx.put('events', labEvent(i));
      tx.put('audit', { id: `a-${i}`, at: i, what: `base ${i}` });
    }
  });
  vault.close();
}

/**
 * Starts one atomic transaction of `n` large events plus `n` audit lines and returns at
 * once; `crashProgress()` says when every record is sealed and the IndexedDB write runs.
 */
export function crashStart(name: string, base: number, n: number, fillerBytes: number): void {
  const filler = 'x'.repeat(fillerBytes);
  let sealed = 0;
  progress.at = {};
  enter('sealing');
  const observed = observedCrypto({
    encrypted: () => {
      if (++sealed === 2 * n) enter('writing');
    },
  });
  // The page reports its phase to the test driving it: a failure is a phase it asserts on, not a crash.
  void (async () => {
    const vault = await labVault(name, { crypto: observed });
    await vault.transaction(['events', 'audit'], (tx) => {
      for (let i = base; i < base + n; i++) {
        tx.put('events', labEvent(i, filler));
        tx.put('audit', { id: `a-${i}`, at: i, what: `crash ${i}` });
      }
    });
    enter('committed');
  })().catch(() => enter('failed'));
}

/** After the page or browser died: what is there, and does all of it decrypt? */
export async function crashInspect(name: string) {
  const vault = await labVault(name);
  const resumed = vault.isUnlocked;
  if (!vault.isUnlocked) await vault.unlock('lab crash passphrase');
  const integrity = await vault.verifyIntegrity();
  const events = await vault.count('events');
  const audit = await vault.count('audit');
  const first = (await vault.get('events', labEvent(0).id))?.title ?? null;
  vault.close();
  return {
    resumed,
    events,
    audit,
    first,
    checked: integrity.checked,
    quarantined: integrity.quarantined.length,
  };
}
