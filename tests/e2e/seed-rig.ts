/**
 * The seed suite's rig (docs/protocol/seed.md), shared by tests/e2e/seed.test.ts (the journey, FLT1–FLT2) and
 * tests/e2e/seed-faults.test.ts (FLT4–FLT6): two Chromium profiles with the lab build, each reaching the relay
 * through a small TCP load balancer in front of two relay processes that share one Redis (append-only file
 * on), a fake Google Calendar each; the journey step by step with a place for a fault between the steps, and
 * what each person sees. `useSeedRig()` starts it all before a file's tests and stops it after them.
 */
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { startRedis, type TestRedis } from '../../relay/testing/redis-server';
import { startRelayProcess, type RelayProcess } from '../../relay/testing/relay-process';
import { startFakeGoogleCalendar, type FakeGoogleCalendar } from '../fakes/google-calendar';
import {
  calendarEvents,
  configure,
  connectCalendar,
  launchAgent,
  makeProfileDir,
  openConnectedPanel,
  pairPanels,
  removeProfileDir,
  rpc,
  setInput,
  waitFor,
  type AgentBrowser,
} from './harness';
import { LAB_EXTENSION, ensureLabBuilt } from './lab';

export const WATCH = process.env.PARLEY_WATCH === '1';
/** Watching: a pause at each step so a person can follow it. */
export const step = async (what: string) => {
  if (!WATCH) return;
  console.log(`seed: ${what}`);
  await new Promise((r) => setTimeout(r, 1500));
};

export const names = ['Ana', 'Ben'] as const;
export type Name = (typeof names)[number];
export const other = (name: Name): Name => (name === 'Ana' ? 'Ben' : 'Ana');

/** The lab build's clock offset (entrypoints/background.ts). */
export const CLOCK_KEY = 'parley.lab.clockOffsetMs';
export const HOUR = 3_600_000;

// These tests are about the journey, not the relay's rate limits.
export const RELAY_ENV = {
  RELAY_RATE_BURST: '5000',
  RELAY_RATE_PER_SECOND: '5000',
  REDIS_KEY_PREFIX: 'seed:',
};

/**
 * A TCP load balancer with health checks, as in docs/relay-at-scale.md, in front of the relay's nodes: each
 * new connection goes to the live node with the fewest connections (so the two browsers sit on different
 * nodes and their messages cross through Redis), or the next one when a node refuses it. `down()` makes the
 * relay unreachable (open connections cut, new ones refused) until `up()`.
 */
export class Balancer {
  readonly #server: Server;
  readonly #open = new Set<Socket>();
  /** Open connections per node port. */
  readonly load = new Map<number, number>();
  #up = true;
  url = '';

  constructor(readonly ports: () => number[]) {
    this.#server = createServer((client) => {
      const order = [...this.ports()].sort((a, b) => (this.load.get(a) ?? 0) - (this.load.get(b) ?? 0));
      this.#route(client, order);
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  #route(client: Socket, order: number[]): void {
    const [port, ...rest] = order;
    if (!this.#up || port === undefined) {
      client.destroy();
      return;
    }
    client.pause();
    const upstream = tcpConnect(port, '127.0.0.1');
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      this.load.set(port, (this.load.get(port) ?? 0) + 1);
      this.#open.add(client).add(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      if (!connected) this.#route(client, rest);
      else client.destroy();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('close', () => {
      this.#open.delete(upstream);
      if (connected) {
        this.load.set(port, (this.load.get(port) ?? 1) - 1);
        client.destroy();
      }
    });
    client.on('close', () => {
      this.#open.delete(client);
      upstream.destroy();
    });
  }

  down(): void {
    this.#up = false;
    for (const socket of this.#open) socket.destroy();
  }

  up(): void {
    this.#up = true;
  }

  async close(): Promise<void> {
    this.down();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/** The Redis both relay nodes share (started by `useSeedRig`). */
export const rig = {} as { redis: TestRedis };
export const nodes: RelayProcess[] = [];
export const portOf = (node: RelayProcess) => Number(new URL(node.url).port);
export const balancer = new Balancer(() => nodes.map(portOf));
export const fakes = {} as Record<Name, FakeGoogleCalendar>;
export const agents = {} as Record<Name, AgentBrowser>;
export const panels = {} as Record<Name, Page>;
/** Each person's Chromium profile (made by `useSeedRig`). */
export const profiles = {} as Record<Name, string>;

export const launch = (name: Name) =>
  launchAgent(profiles[name], undefined, {
    extension: LAB_EXTENSION,
    headless: !WATCH,
    ...(WATCH && {
      args: [`--window-size=620,940`, `--window-position=${name === 'Ana' ? 0 : 630},0`],
    }),
  });

/** Starts the rig before the calling file's tests (profiles named `<tag>-ana`, …) and stops it after them. */
export function useSeedRig(tag: string): void {
  beforeAll(async () => {
    for (const name of names) profiles[name] = makeProfileDir(`${tag}-${name.toLowerCase()}`);
    ensureLabBuilt();
    rig.redis = await startRedis({ appendonly: true });
    for (let i = 0; i < 2; i++)
      nodes.push(await startRelayProcess({ ...RELAY_ENV, REDIS_URL: rig.redis.url }));
    await balancer.listen();
    for (const name of names) fakes[name] = await startFakeGoogleCalendar({ port: 0 });
    // One after the other: two browsers starting at once on a busy machine were seen to miss start-up waits.
    for (const name of names) {
      agents[name] = await launch(name);
      await configure(agents[name], balancer.url, name);
      await connectCalendar(agents[name], fakes[name].url);
      panels[name] = await openConnectedPanel(agents[name]);
    }
    await pairPanels(panels.Ana, panels.Ben, 'Ana');
  });

  afterAll(async () => {
    await Promise.allSettled(names.map((n) => agents[n]?.close()));
    await Promise.allSettled(names.map((n) => fakes[n]?.close()));
    await balancer.close();
    await Promise.allSettled(nodes.map((n) => n.kill()));
    await rig.redis?.stop();
    Object.values(profiles).forEach(removeProfileDir);
  });
}

// ---------------------------------------------------------------------------------------------------------
// What each person sees, read the way they would read it.

export interface Meeting {
  id: string;
  role: 'organizer' | 'participant';
  phase: string;
  title: string;
  outcome?: string;
  slot?: { start: number; end: number };
  waiting?: {
    name: string;
    askedAt: number;
    silentSince: number;
    followedUpAt?: number;
  }[];
  approval?: { description: string; slots: { start: number; end: number }[] };
}

export async function meetings(name: Name): Promise<Meeting[]> {
  const answer = await rpc(panels[name], 'negotiations.list', {});
  if (!answer.ok) throw new Error(`negotiations.list failed: ${JSON.stringify(answer.error)}`);
  return answer.output as Meeting[];
}

export interface Activity {
  kind: string;
  negotiationId?: string;
  slots: { start: number; end: number }[];
}

/** The person's activity log (what the agent disclosed, proposed, accepted, booked), through the action layer. */
export async function activity(name: Name, negotiationId: string): Promise<Activity[]> {
  const answer = await rpc(panels[name], 'activity.list', {});
  if (!answer.ok) throw new Error(`activity.list failed: ${JSON.stringify(answer.error)}`);
  return (answer.output as Activity[]).filter((a) => a.negotiationId === negotiationId);
}

/** The meeting's line in a side panel's Meetings list: its result and the words the person reads. */
export const meetingLine = (name: Name, id: string) =>
  panels[name].evaluate((negotiation) => {
    const item = document.querySelector(`[data-testid=negotiation][data-negotiation="${negotiation}"]`);
    const told = item?.querySelector('[data-testid=negotiation-outcome]');
    return {
      shown: item !== null,
      outcome: item?.getAttribute('data-outcome') ?? '',
      kind: told?.getAttribute('data-kind') ?? '',
      words: told?.textContent ?? '',
    };
  }, id);

/** The approval a side panel shows for a meeting: what it asks and the times it lists. */
export const approvalShown = (name: Name, id: string) =>
  panels[name].evaluate((negotiation) => {
    const card = document.querySelector(`[data-testid=approval][data-negotiation="${negotiation}"]`);
    return card
      ? {
          asks: card.querySelector('div')?.textContent ?? '',
          times: [...card.querySelectorAll('li')].map((li) => li.textContent ?? ''),
        }
      : undefined;
  }, id);

export async function serviceWorker(browser: Browser) {
  const target = await browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'),
    { timeout: 30_000 },
  );
  return (await target.worker())!;
}

// Read from the person's side panel page (an extension page sees the same badge and notifications): a
// worker that was just terminated is never evaluated in.
export const badge = async (name: Name): Promise<string> =>
  panels[name].evaluate(() => (globalThis as any).chrome.action.getBadgeText({}));
export const notifications = async (name: Name): Promise<string[]> =>
  Object.keys(await panels[name].evaluate(() => (globalThis as any).chrome.notifications.getAll()));

/** Moves a person's agent clock `offsetMs` ahead of the wall clock (lab build only). */
export const setClock = (name: Name, offsetMs: number) =>
  panels[name].evaluate(
    (key, value) => (globalThis as any).chrome.storage.local.set({ [key]: value }),
    CLOCK_KEY,
    offsetMs,
  );

export const eventsOf = (name: Name, organizer: Name) =>
  calendarEvents(
    fakes[name].url,
    name === organizer ? `Meeting with ${other(organizer)}` : `Meeting with ${name} (with ${organizer})`,
  );

// ---------------------------------------------------------------------------------------------------------
// The journey, step by step, with a place for a fault between the steps.

export interface Faults {
  /** The request was confirmed; the participant's agent has not been asked yet. */
  afterRequest?: (j: Journey) => Promise<void>;
  /** The participant's person sees the approval and has not answered yet. */
  beforeApproval?: (j: Journey) => Promise<void>;
  /** The participant's person approved; the answer, proposal and acceptance are in flight. */
  afterApproval?: (j: Journey) => Promise<void>;
}

export interface Journey {
  organizer: Name;
  participant: Name;
  /** Each person's record of this meeting (ids are each agent's own). */
  ids: Record<Name, string>;
  before: Record<Name, number>;
}

/** How the organizer asks: typed in the side panel (the default) or the palette, or by a model. */
export type Ask = (organizer: Name, words: string) => Promise<void>;

/** The organizer types the request in plain words into the side panel and confirms what the agent proposes. */
export const askInSidePanel: Ask = async (organizer, words) => {
  const panel = panels[organizer];
  // A fresh view: the previous request's "Done" is not this one's.
  await panel.reload();
  await panel.waitForSelector('[data-testid=command-input]', {
    timeout: 30_000,
  });
  await setInput(panel, '[data-testid=command-input]', words);
  await step(`${organizer} types “${words}” in the side panel`);
  await panel.click('[data-testid=command-submit]');
  await panel.waitForSelector('[data-testid=command-reply][data-intent=schedule] [data-testid=proposal]', {
    timeout: 60_000,
  });
  const proposal = await panel.$eval('[data-testid=command-reply] [data-testid=proposal]', (el) =>
    (el.textContent ?? '').replace(/\s+/g, ' '),
  );
  expect(proposal).toMatch(new RegExp(`${other(organizer)}.*30 minutes`));
  await step(`${organizer}'s agent shows what it will do: ${proposal}`);
  await panel.click('[data-testid=command-confirm]');
  await panel.waitForSelector('[data-testid=command-done]', {
    timeout: 60_000,
  });
};

export async function newMeeting(name: Name, known: Set<string>, timeoutMs = 60_000): Promise<Meeting> {
  let found: Meeting | undefined;
  await waitFor(
    async () => {
      found = (await meetings(name)).find((m) => !known.has(m.id));
      return found !== undefined;
    },
    timeoutMs,
    `a new meeting in ${name}'s agent`,
  );
  return found!;
}

/**
 * The whole journey: `organizer` asks for 30 minutes with the other person next week; returns once both
 * see it booked, after checking every step the people see and every calendar.
 */
export async function journey(
  organizer: Name,
  { ask = askInSidePanel, faults = {} }: { ask?: Ask; faults?: Faults } = {},
): Promise<Journey> {
  const participant = other(organizer);
  const known = {
    Ana: new Set((await meetings('Ana')).map((m) => m.id)),
    Ben: new Set((await meetings('Ben')).map((m) => m.id)),
  };
  const before = {
    [organizer]: (await eventsOf(organizer, organizer)).length,
    [participant]: (await eventsOf(participant, organizer)).length,
  } as Record<Name, number>;

  // 1. The person asks their agent, in plain words.
  await ask(organizer, `find 30 minutes with ${participant} next week`);
  const mine = await newMeeting(organizer, known[organizer]);
  const j: Journey = {
    organizer,
    participant,
    ids: { [organizer]: mine.id } as Record<Name, string>,
    before,
  };
  expect(mine.role).toBe('organizer');
  await faults.afterRequest?.(j);

  // 2–3. Over the channel, the organizer's agent queries the participant's agent, whose person is asked once.
  const theirs = await newMeeting(participant, known[participant], 180_000);
  j.ids[participant] = theirs.id;
  expect(theirs.role).toBe('participant');
  await waitFor(
    async () => (await approvalShown(participant, theirs.id)) !== undefined,
    60_000,
    'the approval',
  );
  const approval = (await approvalShown(participant, theirs.id))!;
  expect(approval.asks).toContain(organizer);
  expect(approval.times.length).toBeGreaterThan(0);
  await waitFor(async () => (await badge(participant)) === '1', 30_000, `${participant}'s badge`);
  await waitFor(
    async () => (await notifications(participant)).includes(`parley/approval/${theirs.id}`),
    30_000,
    `${participant}'s approval notification`,
  );
  // Meanwhile the organizer reads that the meeting waits for the other agent (SIL2).
  await waitFor(
    async () => (await meetingLine(organizer, mine.id)).kind === 'waiting',
    30_000,
    `${organizer} told the meeting waits`,
  );
  expect((await meetingLine(organizer, mine.id)).words).toMatch(
    new RegExp(`Waiting for ${participant}.s agent`),
  );
  await step(`${participant} is asked: ${approval.asks} (${approval.times.join('; ')})`);
  await faults.beforeApproval?.(j);

  // 4. The participant's person approves: the times go to the organizer's agent, which picks one (its person
  // consented to any time inside the request), proposes it, and the participant's agent accepts it.
  await panels[participant].evaluate((negotiation) => {
    document
      .querySelector(`[data-testid=approval][data-negotiation="${negotiation}"] [data-testid=approve]`)
      ?.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  }, theirs.id);
  await step(`${participant} approves`);
  await faults.afterApproval?.(j);

  // 5. Both agents book it and both people see it booked, at the same time, and are notified.
  for (const name of [organizer, participant]) {
    await waitFor(
      async () => (await meetingLine(name, j.ids[name])).outcome === 'booked',
      240_000,
      `${name} sees the meeting booked`,
    );
  }
  const lines = {
    [organizer]: await meetingLine(organizer, mine.id),
    [participant]: await meetingLine(participant, theirs.id),
  };
  for (const name of [organizer, participant]) expect(lines[name]!.words).toMatch(/^Booked for /);
  await step(`Both side panels: ${lines[organizer]!.words}`);
  for (const name of [organizer, participant]) {
    await waitFor(
      async () => (await notifications(name)).includes(`parley/booked/${j.ids[name]}`),
      30_000,
      `${name}'s booked notification`,
    );
  }
  expect(await notifications(participant)).not.toContain(`parley/approval/${theirs.id}`);
  expect(await badge(participant)).toBe('');

  await expectBookedOnce(j);
  return j;
}

/** Nothing lost, nothing duplicated: one new event per calendar, at one time; one audit entry per disclosure. */
export async function expectBookedOnce(j: Journey): Promise<void> {
  const { organizer, participant } = j;
  await waitFor(
    async () => (await eventsOf(participant, organizer)).length > j.before[participant]!,
    60_000,
    `the event in ${participant}'s calendar`,
  );
  const events = {
    [organizer]: await eventsOf(organizer, organizer),
    [participant]: await eventsOf(participant, organizer),
  } as Record<Name, Awaited<ReturnType<typeof eventsOf>>>;
  const booked = (await meetings(organizer)).find((m) => m.id === j.ids[organizer])!;
  for (const name of names) {
    expect(events[name]).toHaveLength(j.before[name]! + 1);
    const at = events[name].filter((e) => Date.parse(e.start.dateTime!) === booked.slot!.start);
    expect(at).toHaveLength(1);
    expect(Date.parse(at[0]!.end.dateTime!) - Date.parse(at[0]!.start.dateTime!)).toBe(30 * 60_000);
  }
  for (const name of names) {
    const log = await activity(name, j.ids[name]);
    const keys = log.map((a) => `${a.kind} ${a.slots.map((s) => s.start).join(',')}`);
    expect(new Set(keys).size, `${name}'s activity: ${keys.join(' | ')}`).toBe(keys.length);
  }
  // The organizer proposed and booked once; the participant accepted once.
  const kinds = async (name: Name, kind: string) =>
    (await activity(name, j.ids[name])).filter((a) => a.kind === kind).length;
  expect(await kinds(organizer, 'proposed')).toBe(1);
  expect(await kinds(organizer, 'booked')).toBe(1);
  expect(await kinds(participant, 'accepted')).toBe(1);
  expect(await kinds(participant, 'disclosed')).toBeGreaterThanOrEqual(1);
}

// ---------------------------------------------------------------------------------------------------------
// The same journey under faults: each ends booked once per calendar, each disclosure audited once, and the
// people told what is true.

/** The organizer types the request into the command palette instead (Alt+Shift+P; dispatched, as headless). */
export const askInPalette: Ask = async (organizer, words) => {
  const { browser } = agents[organizer];
  await (
    await serviceWorker(browser)
  ).evaluate(() => (globalThis as any).chrome.commands.onCommand.dispatch('open-palette'));
  const target = await browser.waitForTarget((t) => t.url().endsWith('/palette.html'), { timeout: 30_000 });
  const palette = (await target.page())!;
  await palette.waitForFunction(
    () => document.activeElement?.getAttribute('data-testid') === 'palette-input',
    { timeout: 30_000 },
  );
  await palette.keyboard.type(words);
  await step(`${organizer} types “${words}” in the palette`);
  await palette.keyboard.press('ArrowUp'); // the last row: ask the agent
  await palette.keyboard.press('Enter');
  await palette.waitForSelector('[data-testid=palette-reply] [data-testid=palette-proposal]', {
    timeout: 60_000,
  });
  expect(await palette.$eval('[data-testid=palette-proposal]', (el) => el.textContent ?? '')).toMatch(
    new RegExp(`${other(organizer)}.*30 minutes`),
  );
  await palette.waitForFunction(
    () => document.activeElement?.getAttribute('data-testid') === 'palette-confirm',
  );
  await palette.keyboard.press('Enter');
  await palette.waitForSelector('[data-testid=palette-done]', {
    timeout: 60_000,
  });
  await palette.close();
};

export const relayConnected = (name: Name) =>
  panels[name].evaluate(
    () => document.querySelector('[data-testid=relay-status]')?.getAttribute('data-connected') ?? '',
  );
