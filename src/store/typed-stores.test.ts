import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EMPTY_GATE,
  EMPTY_LEDGER,
  parsePreferences,
  recordDisclosure,
  toldRecently,
  prepareScheduling,
  startNegotiation,
  type AuditEntry,
  type NegotiationRecord,
} from '../scheduling';
import { openVault, type Vault } from '../vault';
import { StoreError, auditStore, negotiationStore, preferenceStore, tokenStore } from '.';

beforeAll(prepareScheduling);

async function vault(): Promise<Vault> {
  const v = await openVault({
    name: `stores-${crypto.randomUUID()}`,
    kdf: { iterations: 1000, allowWeakIterationsForTests: true },
  });
  await v.setUp('test passphrase');
  return v;
}

const T0 = Date.UTC(2024, 5, 3, 8);

function record(id: string): NegotiationRecord {
  const { state, effects } = startNegotiation({
    negotiationId: id,
    self: 'alice-agent',
    participants: ['alice-agent', 'bob-agent'],
    window: { start: T0, end: T0 + 86_400_000 },
    durationMin: 30,
    title: 'Sync',
    expiresAt: T0 + 86_400_000,
    now: T0,
  });
  return {
    id,
    updated: T0,
    state,
    pending: effects.map((effect, i) => ({ key: `1.${i}`, effect })),
    steps: 1,
  };
}

describe('typed stores on the vault', () => {
  it('negotiation records round-trip, list, and a damaged one is refused with a typed error', async () => {
    const v = await vault();
    const store = negotiationStore(v);
    expect(await store.get('neg-00000001')).toBeUndefined();
    await store.put(record('neg-00000001'));
    await store.put(record('neg-00000002'));
    expect(await store.get('neg-00000001')).toEqual(record('neg-00000001'));
    expect((await store.list()).map((r) => r.id).sort()).toEqual(['neg-00000001', 'neg-00000002']);
    await v.put('negotiations', { id: 'neg-broken', updated: T0, state: { role: 'organiser' } });
    await expect(store.get('neg-broken')).rejects.toBeInstanceOf(StoreError);
    await expect(store.list()).rejects.toThrow(/not readable/);
  });

  it('the inbound gate persists, empty until written', async () => {
    const store = negotiationStore(await vault());
    expect(await store.gate()).toEqual(EMPTY_GATE);
    const gate = { buckets: [{ peer: 'mallory', tokens: 2.5, at: T0 }] };
    await store.putGate(gate);
    expect(await store.gate()).toEqual(gate);
  });

  it('[DIS6] the disclosure ledger persists across store objects, empty until written; a damaged one is refused', async () => {
    const v = await vault();
    expect(await negotiationStore(v).ledger()).toEqual(EMPTY_LEDGER);
    const slots = [{ start: T0, end: T0 + 1_800_000 }];
    await negotiationStore(v).putLedger(recordDisclosure(EMPTY_LEDGER, 'mallory', slots, T0));
    // A new store object, as after a restart: what mallory learnt is still counted.
    expect(toldRecently(await negotiationStore(v).ledger(), 'mallory', T0 + 1)).toEqual(slots);
    await v.put('agentConfig', { id: 'disclosure-ledger', ledger: { entries: [{ contact: 1 }] } });
    await expect(negotiationStore(v).ledger()).rejects.toBeInstanceOf(StoreError);
  });

  it('audit entries are written once per id and listed oldest first', async () => {
    const store = auditStore(await vault());
    const entry = (at: number): AuditEntry => ({
      at,
      negotiationId: 'neg-00000001',
      action: 'disclosed',
      counterparts: ['bob-agent'],
      slots: [{ start: at, end: at + 1_800_000 }],
    });
    await store.append('b', entry(T0 + 2));
    await store.append('a', entry(T0 + 1));
    await store.append('a', entry(T0 + 1));
    expect(await store.list()).toEqual([entry(T0 + 1), entry(T0 + 2)]);
  });

  it('Google tokens load, save and clear; a malformed record is refused', async () => {
    const v = await vault();
    const store = tokenStore(v);
    expect(await store.load()).toBeUndefined();
    const tokens = { accessToken: 'at', refreshToken: 'rt', expiresAt: T0, scope: 'calendar' };
    await store.save(tokens);
    expect(await store.load()).toEqual(tokens);
    await store.clear();
    expect(await store.load()).toBeUndefined();
    await v.put('agentConfig', { id: 'google-tokens', tokens: { accessToken: 42 } });
    await expect(store.load()).rejects.toBeInstanceOf(StoreError);
  });

  it('scheduling preferences go through the engine parser; calendar choices are checked', async () => {
    const v = await vault();
    const store = preferenceStore(v);
    expect(await store.scheduling()).toBeUndefined();
    expect(await store.calendars()).toBeUndefined();
    const prefs = parsePreferences({
      timeZone: 'Europe/Paris',
      workingHours: {
        mon: [{ start: '09:00', end: '17:00' }],
        tue: [],
        wed: [],
        thu: [],
        fri: [],
        sat: [],
        sun: [],
      },
    });
    await store.saveScheduling(prefs);
    expect(await store.scheduling()).toEqual(prefs);
    const choices = [{ id: 'primary', summary: 'Me', primary: true, selected: true }];
    await store.saveCalendars(choices);
    expect(await store.calendars()).toEqual(choices);
    await v.put('preferences', { id: 'scheduling', preferences: { timeZone: 'Not/AZone' } });
    await expect(store.scheduling()).rejects.toBeInstanceOf(StoreError);
    await v.put('preferences', { id: 'calendars', choices: [{ id: 1 }] });
    await expect(store.calendars()).rejects.toBeInstanceOf(StoreError);
  });
});

describe('[AST7] the model response cache', () => {
  it('keeps answers in the vault, across a new store object, bounded, least recently used out', async () => {
    const { modelCacheStore } = await import('.');
    const { commandOf } = await import('../assistant');
    const v = await vault();
    const cache = modelCacheStore(v, 2);
    await cache.set('a', commandOf('help'));
    await cache.set('b', commandOf('invite'));
    expect(await modelCacheStore(v, 2).get('a')).toEqual(commandOf('help'));
    await cache.set('c', commandOf('unknown'));
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('c')).toEqual(commandOf('unknown'));
    await expect(cache.set('d', { intent: 'nonsense' } as never)).rejects.toThrow();
  });
});
