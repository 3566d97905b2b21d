// The relay link with Firebase ID tokens, end to end in Node: the real Auth emulator, a real in-process
// relay verifying tokens with firebase-admin (as `FIREBASE_PROJECT_ID` does), and two real agents —
// RelayLink + PeerService (the outbox) on the vault over fake-indexeddb — whose tokens come from our
// AccountService through the extension's own SDK entry point, `firebase/auth/web-extension`.
// Nothing of ours is mocked. Where a test needs Firebase to hand out a token the relay refuses, it wraps
// the account's token source (an unsigned, expired token as the emulator mints them).
import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { firebaseTokenVerifier } from '../../relay/firebase';
import { createRelay, type Relay } from '../../relay/server';
import {
  startAuthEmulator,
  unsignedEmulatorToken,
  type AuthEmulator,
} from '../../relay/testing/firebase-emulator';
import { AccountService } from '../account';
import { generateIdentity, loadSodium, type Identity } from '../crypto';
import { PeerService } from '../peers';
import { vaultAgentStore, type AgentStore } from '../store';
import { openVault } from '../vault';
import { RelayLink, isPermanentRefusal, tokenTimes, type FirebaseTokenSource } from '.';
import { startAndPublish } from './test-support';

let emulator: AuthEmulator;
let relay: Relay;
let url: string;
/** The relay's clock: real time, unless a test pins it (FBA5 compares it with the token's expiry). */
let relayNow: number | undefined;
const agents: TestAgent[] = [];
let apps = 0;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  await loadSodium();
  emulator = await startAuthEmulator();
  // firebase-admin reads this at verification time; this worker process is ours alone.
  process.env.FIREBASE_AUTH_EMULATOR_HOST = emulator.host;
  relay = createRelay({
    tokenVerifier: firebaseTokenVerifier(emulator.projectId),
    now: () => relayNow ?? Date.now(),
  });
  ({ url } = await relay.listen(0));
}, 300_000);

afterEach(async () => {
  relayNow = undefined;
  const done = agents.splice(0);
  done.forEach((a) => a.link.stop());
  await Promise.all(done.map((a) => a.account.close()));
});

afterAll(async () => {
  await relay?.close();
  await emulator?.stop();
  delete process.env.FIREBASE_AUTH_EMULATOR_HOST;
}, 30_000);

interface TestAgent {
  identity: Identity;
  store: AgentStore;
  account: AccountService;
  peers: PeerService;
  link: RelayLink;
  email: string;
  logins: number;
  /** The next forced token request gets this instead (a token the relay will refuse). */
  poison?: string;
}

async function makeAgent(
  name: string,
  options: { signIn?: boolean; margin?: number; now?: () => number } = {},
): Promise<TestAgent> {
  const identity = await generateIdentity();
  const vault = await openVault({
    name: `vault-${crypto.randomUUID()}`,
    kdf: { iterations: 1000, allowWeakIterationsForTests: true },
  });
  await vault.setUp('test passphrase');
  const store = vaultAgentStore(vault);
  const agent = {
    identity,
    store,
    email: `${name}-${crypto.randomUUID()}@example.com`,
    logins: 0,
  } as TestAgent;
  // As the agent session wires it: a change of user logs the link in again.
  agent.account = new AccountService({
    appName: `link-test-${++apps}`,
    onUserChange: () => agent.link?.relogin(),
  });
  await agent.account.configure({
    apiKey: 'demo-key',
    projectId: emulator.projectId,
    authDomain: '',
    emulatorUrl: `http://${emulator.host}`,
  });
  if (options.signIn ?? true) await agent.account.signIn(agent.email, PASSWORD, true);
  const firebaseToken: FirebaseTokenSource = async (force) => {
    if (force && agent.poison) {
      const poison = agent.poison;
      delete agent.poison;
      return poison;
    }
    return agent.account.idToken(force);
  };
  agent.peers = new PeerService({
    identity,
    store,
    transport: {
      send: (id, to, payload) => agent.link.send(id, to, payload),
      fetchPrekeyBundle: (agentId) => agent.link.fetchPrekeyBundle(agentId),
      publishPrekeys: (upload) => agent.link.publishPrekeys(upload),
      countPrekeys: () => agent.link.countPrekeys(),
    },
    relayUrl: () => url,
    displayName: () => name,
    notify: () => undefined,
    pairingWaitMs: 5000,
  });
  agent.link = new RelayLink({
    identity,
    url,
    onEnvelope: (e) => agent.peers.receive(e),
    onLogin: () => {
      agent.logins++;
      void agent.peers.onLogin();
    },
    firebaseToken,
    ...(options.margin === undefined ? {} : { tokenRefreshMarginMs: options.margin }),
    ...(options.now ? { now: options.now } : {}),
  });
  agents.push(agent);
  return agent;
}

const connect = (agent: TestAgent) => startAndPublish(agent.link);

async function pairedPair(options: { margin?: number; now?: () => number } = {}) {
  const alice = await makeAgent('alice', options);
  const bob = await makeAgent('bob');
  await Promise.all([connect(alice), connect(bob)]);
  const { code } = await alice.peers.createInvite();
  await bob.peers.acceptInvite(code);
  await expect.poll(async () => (await alice.peers.listContacts())[0]?.status).toBe('paired');
  return { alice, bob };
}

/** The relay's side of an agent's (one) logged-in connection. */
function atRelay(agent: TestAgent) {
  const sockets = [...relay.io.sockets.sockets.values()].filter(
    (s) => s.data.agentId === agent.identity.agentId,
  );
  expect(sockets).toHaveLength(1);
  return { id: sockets[0]!.id, uid: sockets[0]!.data.uid, tokenExpiresAt: sockets[0]!.data.tokenExpiresAt };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Alice writes to Bob, one message after another, until `done()` holds and a few more have gone;
 * returns what she wrote.
 */
async function writeUntil(from: TestAgent, to: TestAgent, label: string, done: () => boolean) {
  const texts: string[] = [];
  let after = 5;
  while (!done() || after-- > 0) {
    if (texts.length > 2000) throw new Error(`${label}: gave up waiting`);
    const text = `${label} ${texts.length}`;
    texts.push(text);
    await from.peers.sendChat(to.identity.agentId, text);
    await pause(25); // a steady stream, not a burst
  }
  return texts;
}

/** Every message arrived, once each. */
async function expectAllOnce(from: TestAgent, to: TestAgent, texts: string[]) {
  const received = async () =>
    (await to.peers.listMessages(from.identity.agentId))
      .filter((m) => m.direction === 'in')
      .map((m) => m.text);
  await expect.poll(async () => (await received()).length, { timeout: 20_000 }).toBe(texts.length);
  expect([...(await received())].sort()).toEqual([...texts].sort());
  expect(await from.store.listOutbox()).toEqual([]);
}

/** An unsigned token for `uid` as the emulator mints them, already expired. */
const expiredToken = (uid: string) => unsignedEmulatorToken(emulator.projectId, uid);

const rejections = async (code: string) =>
  (await relay.metrics.rejections.get()).values.find((v) => v.labels.code === code)?.value ?? 0;

describe('relay link with Firebase ID tokens', () => {
  it('[FBA6] the login carries the signed-in user’s token, which the relay verifies and binds', async () => {
    const alice = await makeAgent('alice');
    await connect(alice);
    const uid = (await alice.account.status()).user!.uid;
    const relaySide = atRelay(alice);
    expect(relaySide.uid).toBe(uid);
    expect(relaySide.tokenExpiresAt).toBeGreaterThan(Date.now());
    // The link schedules its refresh from the same expiry the relay holds.
    expect(alice.link.tokenExpiresAt).toBe(relaySide.tokenExpiresAt);
    expect(alice.link.tokenExpiresAt).toBe(tokenTimes((await alice.account.idToken(false))!)?.expiresAt);
  });

  it('[FBA6] without a sign-in the link reports firebase_token_required and waits; signing in logs it in', async () => {
    const alice = await makeAgent('alice', { signIn: false });
    const before = await rejections('firebase_token_required');
    alice.link.start();
    await expect.poll(() => alice.link.status.lastError).toBe('firebase_token_required');
    expect(alice.link.status.connected).toBe(false);
    expect(await rejections('firebase_token_required')).toBe(before + 1);
    // The person signs in (the options page): the account's change hook logs the link in.
    await alice.account.signIn(alice.email, PASSWORD, true);
    await expect.poll(() => alice.link.status).toEqual({ url, connected: true });
    expect(atRelay(alice).uid).toBe((await alice.account.status()).user!.uid);
  });

  it('[FBA7] refreshes the relay’s copy before expiry on the same connection; a stream of messages crosses it intact', async () => {
    // A margin of 59 min 58 s: the refresh is due about two seconds after each token is minted.
    const { alice, bob } = await pairedPair({ margin: 3600_000 - 2000 });
    const first = atRelay(alice);
    const logins = alice.logins;
    const texts = await writeUntil(
      alice,
      bob,
      'refresh',
      () => (atRelay(alice).tokenExpiresAt ?? 0) > first.tokenExpiresAt!,
    );
    const later = atRelay(alice);
    expect(later.id).toBe(first.id); // the same connection…
    expect(alice.logins).toBe(logins); // …with no second login
    expect(later.tokenExpiresAt).toBeGreaterThan(first.tokenExpiresAt!);
    expect(alice.link.tokenExpiresAt).toBe(later.tokenExpiresAt);
    await expectAllOnce(alice, bob, texts);
  }, 60_000);

  it('[FBA7] the minute alarm’s check refreshes when the (injected) clock says it is due, not before', async () => {
    let skew = 0;
    const alice = await makeAgent('alice', { now: () => Date.now() + skew });
    await connect(alice);
    const first = atRelay(alice);
    await alice.link.refreshTokenIfDue(); // 60 min left: not due
    expect(atRelay(alice).tokenExpiresAt).toBe(first.tokenExpiresAt);
    // Token times are whole seconds: let a second pass so a new token expires later than the first.
    await expect.poll(() => Date.now() >= first.tokenExpiresAt! - 3600_000 + 1000).toBe(true);
    skew = 51 * 60_000; // 9 minutes left by the link's clock
    await alice.link.refreshTokenIfDue();
    const later = atRelay(alice);
    expect(later.id).toBe(first.id);
    expect(later.tokenExpiresAt).toBeGreaterThan(first.tokenExpiresAt!);
  });

  it('[FBA8] a send refused with firebase_token_expired refreshes on the same connection and is retried, not dropped', async () => {
    const { alice, bob } = await pairedPair();
    const first = atRelay(alice);
    const logins = alice.logins;
    // The relay's clock passes Alice's token's expiry (her link's clock does not: no refresh is due).
    await expect.poll(() => Date.now() >= first.tokenExpiresAt! - 3600_000 + 1000).toBe(true);
    const before = await rejections('firebase_token_expired');
    relayNow = first.tokenExpiresAt! + 500;
    const texts = await writeUntil(
      alice,
      bob,
      'expired',
      () => (atRelay(alice).tokenExpiresAt ?? 0) > relayNow!,
    );
    expect(await rejections('firebase_token_expired')).toBeGreaterThan(before);
    expect(atRelay(alice).id).toBe(first.id);
    expect(alice.logins).toBe(logins);
    await expectAllOnce(alice, bob, texts);
  }, 60_000);

  it('[FBA8] a refused refresh logs in again with a fresh token; the stream loses nothing', async () => {
    let skew = 0;
    const { alice, bob } = await pairedPair({ now: () => Date.now() + skew });
    const first = atRelay(alice);
    const logins = alice.logins;
    alice.poison = expiredToken(first.uid!);
    const texts = await writeUntil(alice, bob, 'relogin', () => {
      if (skew === 0 && alice.logins === logins) {
        skew = 55 * 60_000; // due now
        void alice.link.refreshTokenIfDue();
      }
      return alice.logins > logins && alice.link.status.connected;
    });
    expect(alice.poison).toBeUndefined(); // the refused token was tried
    expect(atRelay(alice).id).not.toBe(first.id); // a new connection, same account
    expect(atRelay(alice).uid).toBe(first.uid);
    await expectAllOnce(alice, bob, texts);
  }, 60_000);

  it('[FBA9] while sign-in is required messages wait in the outbox, and leave once the person signs in', async () => {
    expect(
      ['firebase_token_required', 'firebase_token_expired', 'firebase_token_invalid'].some(
        isPermanentRefusal,
      ),
    ).toBe(false);
    const { alice, bob } = await pairedPair();
    await alice.account.signOut();
    await expect.poll(() => alice.link.status.lastError).toBe('firebase_token_required');
    const queued = await alice.peers.sendChat(bob.identity.agentId, 'written while signed out');
    expect(queued.status).toBe('queued');
    expect(await alice.store.listOutbox()).toHaveLength(1);
    await alice.account.signIn(alice.email, PASSWORD);
    await expectAllOnce(alice, bob, ['written while signed out']);
  });

  it('[FBA9] another account for the same agent surfaces firebase_uid_mismatch, and the link waits', async () => {
    const alice = await makeAgent('alice');
    await connect(alice);
    await alice.account.signOut();
    await alice.account.signIn(`other-${alice.email}`, PASSWORD, true);
    await expect.poll(() => alice.link.status.lastError).toBe('firebase_uid_mismatch');
    expect(alice.link.status.connected).toBe(false);
    // Back with the first account: accepted again.
    await alice.account.signOut();
    await alice.account.signIn(alice.email, PASSWORD);
    await expect.poll(() => alice.link.status).toEqual({ url, connected: true });
  });
});
