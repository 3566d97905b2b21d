import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ParleyError } from '../errors';
import type { MessageHandler, PortLike, ScreenPort } from '../platform';
import { LayerPush, LayerSnapshot, type NegotiationView } from '../rpc';
import { type Catalog, useCatalog } from '../i18n';
import { NOTICE_TEXT, attentionChanges, createSurfaces, type AttentionMemory } from './index';

// The words of notifications and the layer come from the catalog (I18N22); English here, as in the browser.
beforeAll(() =>
  useCatalog(
    JSON.parse(
      readFileSync(
        path.resolve(import.meta.dirname, '../../assets/public/_locales/en/messages.json'),
        'utf8',
      ),
    ) as Catalog,
  ),
);

const view = (id: string, patch: Partial<NegotiationView> = {}): NegotiationView => ({
  id,
  role: 'participant',
  phase: 'querying',
  title: 'Quarterly plan with Dana',
  with: ['Dana Secret'],
  updated: 1,
  ...patch,
});
const approval = (hash: string) => ({
  actionHash: hash,
  description: 'Share 3 free times on Thursday with Dana Secret',
  slots: [{ start: 1_000, end: 2_000 }],
  expiresAt: 9_000,
});

describe('attention: badge and notifications', () => {
  it('[NTF1] the badge counts the approvals waiting, and is empty without any', () => {
    expect(attentionChanges(undefined, []).badge).toBe('');
    const two = attentionChanges(undefined, [
      view('a', { approval: approval('h1') }),
      view('b', { approval: approval('h2') }),
      view('c'),
    ]);
    expect(two.badge).toBe('2');
    expect(attentionChanges(two.next, [view('a'), view('b')]).badge).toBe('');
  });

  it('[NTF2] each new approval is announced once; booked and declined when they happen; answered ones are cleared', () => {
    const first = attentionChanges(undefined, [
      view('a', { approval: approval('h1') }),
      view('old', { outcome: 'booked', phase: 'booked' }),
    ]);
    // Booked before Parley looked: nothing happened now.
    expect(first.show.map((n) => n.id)).toEqual(['parley/approval/a']);
    const again = attentionChanges(first.next, [view('a', { approval: approval('h1') })]);
    expect(again.show).toEqual([]);
    // The next step of the same meeting asks again: announced, not cleared.
    const next = attentionChanges(again.next, [view('a', { approval: approval('h2') })]);
    expect(next.show.map((n) => n.id)).toEqual(['parley/approval/a']);
    expect(next.clear).toEqual([]);
    const booked = attentionChanges(next.next, [
      view('a', { phase: 'booked', outcome: 'booked', slot: { start: 1, end: 2 } }),
    ]);
    expect(booked.show.map((n) => n.id)).toEqual(['parley/booked/a']);
    expect(booked.clear).toEqual(['parley/approval/a']);
    const declined = attentionChanges({ approvals: [], status: { b: 'open' } } satisfies AttentionMemory, [
      view('b', { phase: 'failed', outcome: 'failed', reason: 'declined' }),
    ]);
    expect(declined.show.map((n) => [n.kind, n.negotiationId])).toEqual([['declined', 'b']]);
    expect(
      attentionChanges(declined.next, [view('b', { phase: 'failed', outcome: 'failed', reason: 'declined' })])
        .show,
    ).toEqual([]);
  });

  it('[NTF3] a notification names no one and nothing: fixed words only', () => {
    const { show } = attentionChanges(undefined, [view('a', { approval: approval('h1') })]);
    for (const notice of show) {
      expect(`${notice.title} ${notice.message}`).not.toMatch(/Dana|Secret|Quarterly|Thursday/);
      expect({ title: notice.title, message: notice.message }).toEqual(NOTICE_TEXT[notice.kind]());
    }
  });
});

/** The browser's side, in memory: what a real ScreenPort would show, and ports a test opens. */
function fakeScreen() {
  const shown = new Map<string, { title: string; message: string }>();
  const opened: { path: string; windowId?: number }[] = [];
  const badge = { text: '' };
  const clicks = new Set<(id: string) => void>();
  const portHandlers = new Map<string, (port: PortLike) => void>();
  const windows: string[] = [];
  const screen: ScreenPort = {
    setBadge: async (text) => void (badge.text = text),
    notify: async (id, content) => void shown.set(id, content),
    clearNotification: async (id) => void shown.delete(id),
    onNotificationClicked: (h) => void clicks.add(h),
    onPort: (name, h) => void portHandlers.set(name, h),
    openWindow: async (path) => void windows.push(path),
    openPanel: async (path, windowId) =>
      void opened.push({ path, ...(windowId !== undefined && { windowId }) }),
  };
  function connect(name: string, sender: PortLike['sender']) {
    const received: unknown[] = [];
    const listeners = new Set<(m: unknown) => void>();
    let disconnected = false;
    const port: PortLike = {
      sender,
      post: (m) => void received.push(structuredClone(m)),
      onMessage: (h) => void listeners.add(h),
      onDisconnect: () => undefined,
      disconnect: () => void (disconnected = true),
    };
    portHandlers.get(name)?.(port);
    return {
      received,
      send: (m: unknown) => listeners.forEach((l) => l(structuredClone(m))),
      get disconnected() {
        return disconnected;
      },
    };
  }
  return {
    screen,
    shown,
    opened,
    badge,
    windows,
    click: (id: string) => clicks.forEach((c) => c(id)),
    connect,
  };
}

const EXT = 'parleytestextensionidparleytest';
const CALENDAR_TAB = {
  id: EXT,
  url: 'https://calendar.google.com/calendar/u/0/r/week',
  tab: { id: 7, windowId: 3 },
};

function surfaces(views: () => NegotiationView[] | Error) {
  const fake = fakeScreen();
  let memory: AttentionMemory | undefined;
  const decided: unknown[] = [];
  const glances: unknown[] = [];
  const messages = new Set<MessageHandler>();
  const s = createSurfaces({
    screen: fake.screen,
    extensionId: EXT,
    negotiations: async () => {
      const v = views();
      if (v instanceof Error) throw v;
      return v;
    },
    decide: async (input) => {
      decided.push(input);
      if (input.actionHash === 'stale')
        throw new ParleyError(
          'bad_request',
          'That request changed or expired; look at it again before deciding.',
        );
      return {};
    },
    eventIdOf: async (id) => `ev${id}`.padEnd(52, '0'),
    memory: { load: async () => memory, save: async (m) => void (memory = m) },
    status: async () => ({ lock: 'locked' }),
    glance: { save: async (status) => void glances.push(status) },
    onMessage: (h) => void messages.add(h),
  });
  const message = (m: unknown, sender: PortLike['sender']) =>
    [...messages].map((h) => h(m, sender)).find(Boolean);
  return { s, fake, decided, message, glances };
}

const settle = () => new Promise((r) => setTimeout(r, 0));
const lastSnapshot = (received: unknown[]) =>
  received
    .map((m) => LayerPush.parse(m))
    .filter((m) => m.type === 'snapshot')
    .at(-1) as { snapshot: LayerSnapshot } | undefined;

describe('surfaces', () => {
  it('[NTF1] [NTF2] a change of meetings updates the badge and shows the notification; locked clears the badge', async () => {
    let current: NegotiationView[] | Error = [view('a', { approval: approval('h1') })];
    const { s, fake } = surfaces(() => current);
    s.changed('negotiations');
    await s.settled();
    expect(fake.badge.text).toBe('1');
    expect([...fake.shown.keys()]).toEqual(['parley/approval/a']);
    current = new ParleyError('locked', 'Parley is locked.');
    s.changed('status');
    await s.settled();
    expect(fake.badge.text).toBe('');
  });

  it('[UIS1] every change leaves the agent’s status where the popup reads it first', async () => {
    const { s, glances } = surfaces(() => []);
    s.changed('status');
    await s.settled();
    expect(glances).toEqual([{ lock: 'locked' }]);
  });

  it('[NTF4] a click opens the side panel for an approval, the meeting for a booking', async () => {
    const { fake } = surfaces(() => []);
    fake.click('parley/approval/n1');
    fake.click('parley/booked/n2');
    fake.click('someone-else/1');
    await settle();
    expect(fake.opened).toEqual([{ path: 'sidepanel.html' }, { path: 'sidepanel.html?meeting=n2' }]);
  });

  it('[PAL1] the palette command opens the palette page as its own window', async () => {
    const { s, fake } = surfaces(() => []);
    await s.openPalette();
    expect(fake.windows).toEqual(['/palette.html']);
  });

  it('[GCL1] the layer port is refused to anything but a Google Calendar tab of this extension', async () => {
    const { fake } = surfaces(() => []);
    for (const sender of [
      { ...CALENDAR_TAB, id: 'another-extension' },
      { ...CALENDAR_TAB, url: 'https://evil.example/calendar.google.com/' },
      { ...CALENDAR_TAB, tab: undefined },
    ]) {
      const port = fake.connect('parley/calendar-layer', sender);
      expect(port.disconnected).toBe(true);
    }
    expect(fake.connect('parley/calendar-layer', CALENDAR_TAB).disconnected).toBe(false);
  });

  it('[GCL2] [GCL4] the layer gets only what it shows, and a decision on an approval it was shown', async () => {
    const views = [
      view('a', { approval: approval('h1') }),
      view('b', {
        role: 'organizer',
        phase: 'booked',
        outcome: 'booked',
        slot: { start: 5, end: 6 },
        title: 'Plan',
      }),
      view('c', { phase: 'querying', title: 'Later' }),
    ];
    const { fake, decided } = surfaces(() => views);
    const port = fake.connect('parley/calendar-layer', CALENDAR_TAB);
    port.send({ type: 'hello' });
    await settle();
    await settle();
    const snapshot = lastSnapshot(port.received)!.snapshot;
    expect(snapshot).toEqual({
      state: 'ready',
      booked: [{ eventId: 'evb'.padEnd(52, '0'), title: 'Plan', slot: { start: 5, end: 6 } }],
      pending: [{ negotiationId: 'c', title: 'Later', status: 'asking for free times' }],
      approvals: [
        {
          negotiationId: 'a',
          actionHash: 'h1',
          text: approval('h1').description,
          slots: [{ start: 1_000, end: 2_000 }],
        },
      ],
    });
    // Exactly that (toEqual above): no `with` list, no agent ids, no contacts, no messages.
    port.send({ type: 'decide', negotiationId: 'a', actionHash: 'h1', approved: true });
    port.send({ type: 'decide', negotiationId: 'a', actionHash: 'stale', approved: false });
    port.send({ type: 'decide', negotiationId: 'a', actionHash: 'h1', approved: 'yes' }); // not the contract
    port.send({ type: 'run', method: 'vault.lock' }); // not the contract either
    await settle();
    await settle();
    expect(decided).toEqual([
      { negotiationId: 'a', actionHash: 'h1', approved: true },
      { negotiationId: 'a', actionHash: 'stale', approved: false },
    ]);
    const answers = port.received.map((m) => LayerPush.parse(m)).filter((m) => m.type === 'decided');
    expect(answers).toEqual([
      { type: 'decided', negotiationId: 'a', ok: true },
      {
        type: 'decided',
        negotiationId: 'a',
        ok: false,
        message: 'That request changed or expired; look at it again before deciding.',
      },
    ]);
  });

  it('[GCL5] "Find a time with…" from a Calendar tab opens the side panel in its window, filled', async () => {
    const { fake, message } = surfaces(() => []);
    expect(await message({ kind: 'parley/calendar-layer', type: 'findTime' }, CALENDAR_TAB)).toEqual({
      ok: true,
    });
    expect(fake.opened).toEqual([{ path: 'sidepanel.html?ask=Find%20a%20time%20with%20', windowId: 3 }]);
    expect(
      await message(
        { kind: 'parley/calendar-layer', type: 'findTime' },
        { ...CALENDAR_TAB, url: 'https://evil.example/' },
      ),
    ).toEqual({ ok: false });
    expect(message({ kind: 'parley/rpc' }, CALENDAR_TAB)).toBeUndefined();
  });
});
