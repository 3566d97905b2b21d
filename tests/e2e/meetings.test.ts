import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelay, type Relay } from '../../relay/server';
import { GoogleDirectory, startFakeGoogleCalendar, type FakeGoogleCalendar } from '../fakes/google-calendar';
import {
  approveUntilBooked,
  configure,
  connectCalendar,
  ensureBuilt,
  launchAgent,
  makeProfileDir,
  openConnectedPanel,
  pairPanels,
  removeProfileDir,
  rpc,
  setInput,
  type AgentBrowser,
} from './harness';

/**
 * Real meetings (docs/protocol/scheduling.md ATT, ADP): two real browsers, each with its own Google
 * account on one Google (two fakes sharing a directory of accounts, so an invitation from one reaches
 * the other). Ben shares his address with his contacts; Ana books a meeting with him; Google puts the
 * invitation in Ben's calendar and Ben's agent adopts it instead of booking its own copy.
 */
const names = ['Ana', 'Ben'] as const;
type Name = (typeof names)[number];
const accounts: Record<Name, string> = { Ana: 'ana@example.com', Ben: 'ben@example.com' };
let relay: Relay;
const directory = new GoogleDirectory();
const fakes = {} as Record<Name, FakeGoogleCalendar>;
const agents = {} as Record<Name, AgentBrowser>;
const panels = {} as Record<Name, Page>;
const profiles = Object.fromEntries(names.map((n) => [n, makeProfileDir(n.toLowerCase())])) as Record<
  Name,
  string
>;

interface Event {
  id: string;
  status: string;
  summary?: string;
  description?: string;
  iCalUID: string;
  start: { dateTime: string };
  organizer?: { email?: string; self?: boolean };
  attendees?: { email: string; displayName?: string; responseStatus?: string; self?: boolean }[];
}

async function events(name: Name): Promise<Event[]> {
  const response = await fetch(
    `${fakes[name].url}/calendar/v3/calendars/primary/events?singleEvents=true&maxResults=2500`,
    { headers: { authorization: 'Bearer test' } },
  );
  return ((await response.json()) as { items: Event[] }).items.filter((e) => e.status !== 'cancelled');
}

/** Shares `email` with contacts through the options page, as a person would. */
async function shareEmail(agent: AgentBrowser, email: string): Promise<void> {
  const options = await agent.open('options');
  await options.waitForSelector('input[name=sharedEmail]');
  await setInput(options, 'input[name=sharedEmail]', email);
  await options.click('[data-testid=settings-save]');
  await options.waitForSelector('[data-testid=saved]');
  await options.close();
}

beforeAll(async () => {
  ensureBuilt();
  relay = createRelay({});
  const { url } = await relay.listen(0);
  for (const name of names)
    fakes[name] = await startFakeGoogleCalendar({ port: 0, account: accounts[name], directory });
  for (const name of names) {
    agents[name] = await launchAgent(profiles[name]);
    await configure(agents[name], url, name);
    await connectCalendar(agents[name], fakes[name].url);
    panels[name] = await openConnectedPanel(agents[name]);
  }
  // Ben shares his address before pairing: his card (in his pairing request) carries it.
  await shareEmail(agents.Ben, accounts.Ben);
  await pairPanels(panels.Ana, panels.Ben, 'Ana');
});

afterAll(async () => {
  await Promise.allSettled(names.map((n) => agents[n]?.close()));
  await Promise.allSettled(names.map((n) => fakes[n]?.close()));
  await relay?.close();
  Object.values(profiles).forEach(removeProfileDir);
});

describe('real meetings', () => {
  it('[ATT4] a contact’s shared address arrives in its signed card and the contact list shows it', async () => {
    await expect
      .poll(async () => {
        const listed = await rpc(panels.Ana, 'contacts.list', {});
        return (listed.output as { name: string; email?: string }[]).find((c) => c.name === 'Ben')?.email;
      })
      .toBe(accounts.Ben);
    // Ana shares nothing (the default): Ben's contact for her has no address.
    const bens = await rpc(panels.Ben, 'contacts.list', {});
    expect((bens.output as { name: string; email?: string }[]).find((c) => c.name === 'Ana')?.email).toBe(
      undefined,
    );
  });

  it('[ATT1][ATT2][ATT3][ADP1] an invited contact’s agent adopts the organizer’s event: one event in each calendar, the invitee’s with the organizer’s iCalUID', async () => {
    const panel = panels.Ana;
    await panel.waitForSelector('[data-testid=find-time]');
    const box = await panel.waitForSelector('[data-testid=find-time-contact][data-name="Ben"]', {
      timeout: 15_000,
    });
    await box!.click();
    await panel.$eval('input[name=title]', (el) => {
      const input = el as HTMLInputElement;
      input.value = 'Roadmap';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await panel.click('[data-testid=find-time-submit]');
    await approveUntilBooked(panels, ['Ana', 'Ben'], 'Roadmap');

    // Ben's agent adopted the invitation: it answered "accepted" on it.
    await expect
      .poll(async () => (await events('Ben')).map((e) => e.attendees?.find((a) => a.self)?.responseStatus))
      .toEqual(['accepted']);
    const [ana, ben] = [await events('Ana'), await events('Ben')];
    expect(ana).toHaveLength(1);
    expect(ben).toHaveLength(1);
    const [organizers, invitees] = [ana[0]!, ben[0]!];
    expect(invitees.iCalUID).toBe(organizers.iCalUID);
    expect(invitees.organizer?.email).toBe(accounts.Ana);
    expect(invitees.organizer?.self).not.toBe(true);
    expect(Date.parse(invitees.start.dateTime)).toBe(Date.parse(organizers.start.dateTime));
    // The organizer's event names who it is with and that Parley arranged it, and invites Ben.
    expect(organizers.summary).toBe('Roadmap');
    expect(organizers.description).toBe('With Ben.\nArranged by Parley.');
    expect(organizers.attendees?.map((a) => [a.email, a.displayName])).toEqual([[accounts.Ben, 'Ben']]);
    // Google sent the invitation: the insert asked for it (sendUpdates=all).
    expect(fakes.Ana.store.invitationsSent).toEqual([{ to: accounts.Ben, iCalUID: organizers.iCalUID }]);
    expect(
      fakes.Ana.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/events')).map((r) => r.query),
    ).toEqual([expect.objectContaining({ sendUpdates: 'all' })]);
    // Ben's agent found the invitation by its iCalUID and never inserted a copy of its own.
    expect(fakes.Ben.requests.some((r) => r.method === 'GET' && r.query.iCalUID === organizers.iCalUID)).toBe(
      true,
    );
    expect(fakes.Ben.requests.some((r) => r.method === 'POST' && r.path.endsWith('/events'))).toBe(false);
    // The organizer sees Ben's answer.
    await expect.poll(async () => (await events('Ana'))[0]?.attendees?.[0]?.responseStatus).toBe('accepted');
  });
});
