import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthEmulator, type AuthEmulator } from '../../relay/testing/firebase-emulator';
import { startRelayProcess, type RelayProcess } from '../../relay/testing/relay-process';
import {
  configure,
  ensureBuilt,
  launchAgent,
  makeProfileDir,
  pairPanels,
  removeProfileDir,
  setInput,
  waitFor,
  type AgentBrowser,
} from './harness';

/**
 * Firebase sign-in end to end: the real Auth emulator, a real relay process started as an operator
 * would (`FIREBASE_PROJECT_ID=demo-parley`, the emulator, `RELAY_DEV_MODE=1`), and the built extension
 * in Chromium, whose background worker signs in with `firebase/auth/web-extension`. What the relay
 * verified is read from the outside: its Prometheus metrics (logins accepted, refusals by code) and the
 * emulator's own account list.
 */
let emulator: AuthEmulator;
let relay: RelayProcess;
const profiles = { alice: makeProfileDir('account-alice'), bob: makeProfileDir('account-bob') };
let alice: AgentBrowser;
let bob: AgentBrowser | undefined;
const PASSWORD = 'correct horse battery';
const emails = {
  alice: `alice-${Date.now()}@example.com`,
  other: `other-${Date.now()}@example.com`,
  bob: `bob-${Date.now()}@example.com`,
};

beforeAll(async () => {
  ensureBuilt();
  emulator = await startAuthEmulator('demo-parley');
  relay = await startRelayProcess({
    FIREBASE_PROJECT_ID: emulator.projectId,
    FIREBASE_AUTH_EMULATOR_HOST: emulator.host,
    RELAY_DEV_MODE: '1',
  });
  alice = await launchAgent(profiles.alice);
  await configure(alice, relay.url, 'Alice');
}, 300_000);

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await relay?.kill('SIGTERM');
  await emulator?.stop();
  Object.values(profiles).forEach(removeProfileDir);
});

/** One series of the relay's Prometheus metrics (0 when absent). */
async function metric(name: string, code?: string): Promise<number> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  const series = code ? `${name}{code="${code}"}` : name;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** The emulator's accounts (its REST API, as the Admin SDK would list them). */
async function emulatorAccounts(): Promise<{ localId: string; email: string }[]> {
  const response = await fetch(
    `http://${emulator.host}/identitytoolkit.googleapis.com/v1/projects/${emulator.projectId}/accounts:query`,
    {
      method: 'POST',
      headers: { authorization: 'Bearer owner', 'content-type': 'application/json' },
      body: '{}',
    },
  );
  return ((await response.json()) as { userInfo?: { localId: string; email: string }[] }).userInfo ?? [];
}

/** Fills in the Firebase project in the options page's Account section. */
async function configureFirebase(agent: AgentBrowser): Promise<Page> {
  const options = await agent.open('options');
  await options.waitForSelector('[data-testid=account-state][data-state=off]');
  await setInput(options, 'input[name="firebase.apiKey"]', 'demo-api-key');
  await setInput(options, 'input[name="firebase.projectId"]', emulator.projectId);
  await setInput(options, 'input[name="firebase.emulatorUrl"]', `http://${emulator.host}`);
  await options.click('[data-testid=firebase-save]');
  await options.waitForSelector('[data-testid=firebase-saved]');
  await options.waitForSelector('[data-testid=account-state][data-state=signed-out]');
  return options;
}

/** Signs in (or creates the account) through the Account section; waits for the signed-in email. */
async function signIn(options: Page, email: string, create: boolean): Promise<void> {
  await options.waitForSelector('[data-testid=account-form]');
  await setInput(options, 'input[name="account.email"]', email);
  await setInput(options, 'input[name="account.password"]', PASSWORD);
  await options.click(create ? '[data-testid=account-create]' : '[data-testid=account-signin]');
  // (Waiting for the email alone: an error shown by an earlier attempt may still be on the page.)
  await options.waitForSelector('[data-testid=account-email]', { timeout: 30_000 }).catch(async () => {
    const shown = await options
      .$eval('[data-testid=error]', (el) => `${el.getAttribute('data-code')}: ${el.textContent}`)
      .catch(() => 'no error shown');
    throw new Error(`Signing in failed: ${shown}`);
  });
  expect(await options.$eval('[data-testid=account-email]', (el) => el.textContent)).toBe(email);
}

async function signOut(options: Page): Promise<void> {
  await options.click('[data-testid=account-signout]');
  await options.waitForSelector('[data-testid=account-state][data-state=signed-out]');
}

const relayStatus = (page: Page) =>
  page.$eval('[data-testid=relay-status]', (el) => ({
    connected: el.getAttribute('data-connected'),
    error: el.getAttribute('data-error'),
  }));

describe('Firebase sign-in in the extension, verified by the relay', () => {
  it('[FBA6] a relay that needs an account: the popup says to sign in and opens the settings', async () => {
    const popup = await alice.open('popup');
    await popup.waitForSelector('[data-testid=relay-account-problem][data-code=firebase_token_required]', {
      timeout: 30_000,
    });
    expect(await relayStatus(popup)).toEqual({ connected: 'false', error: 'firebase_token_required' });
    expect(await popup.$eval('[data-testid=relay-status]', (el) => el.textContent)).toContain(
      'sign-in required',
    );
    expect(await metric('relay_rejections_total', 'firebase_token_required')).toBeGreaterThan(0);
    expect(await metric('relay_authenticated_connections')).toBe(0);
    await popup.click('[data-testid=open-account]');
    const opened = await alice.browser.waitForTarget((t) => t.url().endsWith('/options.html'));
    await (await opened.page())?.close();
    await popup.close();
  });

  it('[FBA6][FBA1] creating an account in the options page logs the agent in with a token the relay verified', async () => {
    const options = await configureFirebase(alice);
    // Saving the project alone changes nothing at the relay: still nobody signed in.
    await options.waitForSelector('[data-testid=account-relay-problem][data-code=firebase_token_required]');
    await signIn(options, emails.alice, true);
    await options.waitForSelector('[data-testid=account-relay-ok]', { timeout: 30_000 });
    const popup = await alice.open('popup');
    await popup.waitForSelector('[data-testid=relay-status][data-connected=true]', { timeout: 30_000 });
    expect(await popup.$('[data-testid=relay-account-problem]')).toBeNull();
    await popup.close();
    // The emulator holds the account; the relay accepted a login, which FBA1 allows only with a valid token.
    expect((await emulatorAccounts()).map((a) => a.email)).toContain(emails.alice);
    await waitFor(async () => (await metric('relay_authenticated_connections')) === 1, 10_000, 'relay login');
    await options.close();
  });

  it('[FBA6][FBA3] the relay bound the agent to that account: another account is refused until the first signs in again', async () => {
    const options = await alice.open('options');
    await options.waitForSelector('[data-testid=account-email]');
    const mismatches = await metric('relay_rejections_total', 'firebase_uid_mismatch');
    await signOut(options);
    await signIn(options, emails.other, true);
    await options.waitForSelector('[data-testid=account-relay-problem][data-code=firebase_uid_mismatch]', {
      timeout: 30_000,
    });
    expect(await metric('relay_rejections_total', 'firebase_uid_mismatch')).toBe(mismatches + 1);
    await signOut(options);
    await signIn(options, emails.alice, false);
    await options.waitForSelector('[data-testid=account-relay-ok]', { timeout: 30_000 });
    // Wrong password: a typed error saying what to do, and the person stays signed out.
    await signOut(options);
    await setInput(options, 'input[name="account.email"]', emails.alice);
    await setInput(options, 'input[name="account.password"]', 'not the password');
    await options.click('[data-testid=account-signin]');
    await options.waitForSelector('[data-testid=error][data-code=account_wrong_password]');
    await signIn(options, emails.alice, false);
    await options.close();
  });

  it('[FBA6][MSG1] the sign-in survives a browser restart, and two signed-in agents exchange a message', async () => {
    await alice.close();
    alice = await launchAgent(profiles.alice); // Firebase restores the user from its own IndexedDB
    const alicePanel = await alice.open('sidepanel');
    await alicePanel.waitForSelector('[data-testid=relay-status][data-connected=true]', { timeout: 30_000 });

    bob = await launchAgent(profiles.bob);
    await configure(bob, relay.url, 'Bob');
    await signIn(await configureFirebase(bob), emails.bob, true);
    const bobPanel = await bob.open('sidepanel');
    await bobPanel.waitForSelector('[data-testid=relay-status][data-connected=true]', { timeout: 30_000 });
    expect(await metric('relay_authenticated_connections')).toBe(2);

    await pairPanels(alicePanel, bobPanel, 'Alice');
    // The contact list renders a moment after the pairing result: click Alice once she is listed.
    await bobPanel.waitForFunction(
      () => {
        const contact = [...document.querySelectorAll<HTMLButtonElement>('[data-testid=contact]')].find((b) =>
          b.textContent?.includes('Alice'),
        );
        contact?.click();
        return Boolean(contact);
      },
      { timeout: 20_000 },
    );
    await bobPanel.waitForSelector('[data-testid=composer]');
    await setInput(bobPanel, '[data-testid=composer]', 'signed in on both sides');
    await bobPanel.click('[data-testid=send]');
    await alicePanel.waitForFunction(
      () => {
        const contact = [...document.querySelectorAll<HTMLButtonElement>('[data-testid=contact]')].find((b) =>
          b.textContent?.includes('Bob'),
        );
        contact?.click();
        return [...document.querySelectorAll('[data-testid=message]')].some((m) =>
          m.textContent?.includes('signed in on both sides'),
        );
      },
      { timeout: 30_000, polling: 500 },
    );
    const accounts = (await emulatorAccounts()).map((a) => a.email);
    expect(accounts).toEqual(expect.arrayContaining([emails.alice, emails.other, emails.bob]));
  });
});
