import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelay, type Relay } from '../../relay/server';
import type { Envelope } from '../../relay/protocol';
import {
  configure,
  ensureBuilt,
  launchAgent,
  makeProfileDir,
  removeProfileDir,
  setInput,
  threadTexts,
  waitFor,
  type AgentBrowser,
} from './harness';
import type { Page } from 'puppeteer-core';

/**
 * The walking skeleton end to end: two real Chromium profiles with the built
 * extension, one real relay. Pair by invite, talk both ways, deliver to an
 * agent whose browser was closed, and check the relay never saw plaintext.
 */
let relay: Relay;
let relayUrl: string;
const seen: Envelope[] = [];
const profiles = {
  alice: makeProfileDir('alice'),
  bob: makeProfileDir('bob'),
  carol: makeProfileDir('carol'),
};
let alice: AgentBrowser;
let bob: AgentBrowser;
let alicePanel: Page;
let bobsCode = '';
let bobPanel: Page;
const secrets = [
  'Lunch on Thursday at the usual place?',
  'Thursday works, see you at noon',
  'Bring the quarterly numbers while you were away',
];

beforeAll(async () => {
  ensureBuilt();
  relay = createRelay({ observe: (e) => seen.push(e) });
  ({ url: relayUrl } = await relay.listen(0));
  [alice, bob] = await Promise.all([launchAgent(profiles.alice), launchAgent(profiles.bob)]);
  await configure(alice, relayUrl, 'Alice');
  await configure(bob, relayUrl, 'Bob');
  alicePanel = await alice.open('sidepanel');
  bobPanel = await bob.open('sidepanel');
  await Promise.all(
    [alicePanel, bobPanel].map((p) => p.waitForSelector('[data-testid=relay-status][data-connected=true]')),
  );
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await relay?.close();
  Object.values(profiles).forEach(removeProfileDir);
});

async function openThread(panel: Page, name: string) {
  await panel.waitForFunction(
    (n) =>
      [...document.querySelectorAll('[data-testid=contact][data-status=paired]')].some((b) =>
        b.textContent?.includes(n),
      ),
    {},
    name,
  );
  await panel.evaluate((n) => {
    const button = [...document.querySelectorAll<HTMLButtonElement>('[data-testid=contact]')].find((b) =>
      b.textContent?.includes(n),
    );
    button!.click();
  }, name);
  await panel.waitForSelector('[data-testid=composer]');
}

async function send(panel: Page, text: string) {
  await setInput(panel, '[data-testid=composer]', text);
  await panel.click('[data-testid=send]');
}

const waitForText = (panel: Page, text: string) =>
  panel.waitForFunction(
    (t) => [...document.querySelectorAll('[data-testid=message]')].some((m) => m.textContent?.includes(t)),
    {},
    text,
  );

describe('two browsers, one relay', () => {
  it('[PAIR4][E2E1][MSG1] pairs through an invite code while the inviter is offline: the first message is built from its prekeys', async () => {
    await alicePanel.click('[data-testid=create-invite]');
    await alicePanel.waitForSelector('[data-testid=invite-code]');
    const code = await alicePanel.$eval(
      '[data-testid=invite-code]',
      (el) => (el as HTMLTextAreaElement).value,
    );
    expect(code).toMatch(/^parley1\./);
    bobsCode = code;
    await alice.close();

    await setInput(bobPanel, '[data-testid=invite-input]', code);
    await bobPanel.click('[data-testid=accept-invite]');
    await bobPanel.waitForSelector('[data-testid=pair-result]', { timeout: 20_000 });
    expect(await bobPanel.$eval('[data-testid=pair-result]', (el) => el.textContent)).toContain(
      'will confirm',
    );

    alice = await launchAgent(profiles.alice);
    alicePanel = await alice.open('sidepanel');
    await openThread(alicePanel, 'Bob');
    await openThread(bobPanel, 'Alice');

    const popup = await alice.open('popup');
    await popup.waitForFunction(
      () => document.querySelector('[data-testid=contact-count]')?.textContent === '1',
    );
    expect(await popup.$eval('[data-testid=fingerprint]', (el) => el.textContent)).toMatch(
      /^([0-9a-f]{4} ){7}[0-9a-f]{4}$/,
    );
    await popup.close();
  });

  it('[SAF5] both side panels show the same safety number, and marking it verified sticks', async () => {
    const number = (panel: Page) => panel.$eval('[data-testid=safety-number]', (el) => el.textContent);
    const aliceSees = await number(alicePanel);
    expect(aliceSees).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(await number(bobPanel)).toBe(aliceSees);
    await alicePanel.click('[data-testid=safety] summary');
    await alicePanel.click('[data-testid=verify]');
    await alicePanel.waitForSelector('[data-testid=verified]');
  });

  it('[PAIR2] refuses a reused code and a malformed one with clear messages', async () => {
    const carol = await launchAgent(profiles.carol);
    try {
      await configure(carol, relayUrl, 'Carol');
      const carolPanel = await carol.open('sidepanel');
      await carolPanel.waitForSelector('[data-testid=relay-status][data-connected=true]');
      // The code Bob already used to pair with Alice.
      await setInput(carolPanel, '[data-testid=invite-input]', bobsCode);
      await carolPanel.click('[data-testid=accept-invite]');
      await carolPanel.waitForSelector('[data-testid=error][data-code=invite_used]');
      expect(await carolPanel.$eval('[data-testid=error]', (el) => el.textContent)).toContain('already used');

      await setInput(carolPanel, '[data-testid=invite-input]', 'parley1.not-a-real-code');
      await carolPanel.click('[data-testid=accept-invite]');
      await carolPanel.waitForSelector('[data-testid=error][data-code=invite_invalid]');
    } finally {
      await carol.close();
    }
  });

  it('[MSG1] a message typed in A’s side panel appears in B’s, and B’s reply in A’s', async () => {
    await send(alicePanel, secrets[0]!);
    await waitForText(bobPanel, secrets[0]!);
    await send(bobPanel, secrets[1]!);
    await waitForText(alicePanel, secrets[1]!);
    expect(await threadTexts(alicePanel)).toEqual([
      { text: secrets[0], direction: 'out' },
      { text: secrets[1], direction: 'in' },
    ]);
  });

  it('[MSG2] a message to an agent whose browser is closed arrives when it starts again', async () => {
    await bob.close();
    await send(alicePanel, secrets[2]!);
    await alicePanel.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid=message][data-direction=out]')]
          .at(-1)
          ?.getAttribute('data-status') === 'sent',
    );
    bob = await launchAgent(profiles.bob);
    bobPanel = await bob.open('sidepanel');
    await openThread(bobPanel, 'Alice');
    await waitForText(bobPanel, secrets[2]!);
    expect((await threadTexts(bobPanel)).map((m) => m.text)).toEqual(secrets);
  });

  it('[SRC1] finds a message by a word in it, across conversations, and opens its thread', async () => {
    await setInput(bobPanel, '[data-testid=search]', 'quarter');
    await bobPanel.click('[data-testid=search-submit]');
    await bobPanel.waitForSelector('[data-testid=search-result]');
    const results = await bobPanel.$$eval('[data-testid=search-result]', (items) =>
      items.map((i) => i.textContent),
    );
    expect(results).toHaveLength(1);
    expect(results[0]).toContain(secrets[2]);
    await setInput(bobPanel, '[data-testid=search]', 'nothing-like-this');
    await bobPanel.click('[data-testid=search-submit]');
    await bobPanel.waitForFunction(() => document.body.textContent?.includes('Nothing found.'));
  });

  it('[ENV5][MSG1] every envelope the relay saw is opaque: no plaintext, in any encoding', async () => {
    await waitFor(() => seen.length >= 7, 5000, 'envelopes');
    const needles = [...secrets, 'Alice', 'Bob', 'pair.request', 'chat'];
    for (const envelope of seen) {
      const raw = JSON.stringify(envelope);
      const decoded = Buffer.from(envelope.payload, 'base64url').toString('latin1');
      for (const needle of needles) {
        expect(raw).not.toContain(needle);
        expect(decoded).not.toContain(needle);
      }
    }
  });
});
