import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../relay/protocol';
import { createRelay, type Relay } from '../../relay/server';
import { generateIdentity, loadSodium, toBase64Url } from '../crypto';
import { ParleyError, toErrorShape } from '../errors';
import type { RelayLink } from '../link';
import { startAndPublish } from '../link/test-support';
import { vaultAgentStore, type AgentStore } from '../store';
import { openVault } from '../vault';
import { checkInviteRelay, encodeInvite, INVITE_TTL_MS } from './invite';
import { createPeerLink } from './peer-link';
import type { PeerService } from './peer-service';
import { isLoopbackRelay, relayKey, sameRelay } from './relay-address';

/**
 * An invite carries its relay (PAIR1); agents talk only through one relay. The accept path over two
 * real relays (Node, socket.io) with the real link, store and vault on fake-indexeddb: nothing of ours
 * is mocked. Switching relay is done as the agent's settings do it (the address the agent reports
 * changes, then the link is retargeted: src/agent/session.ts updateSettings).
 */
interface TestAgent {
  store: AgentStore;
  peers: PeerService;
  link: RelayLink;
  agentId: string;
  relayUrl: string;
}

const relays: Relay[] = [];
const agents: TestAgent[] = [];
const clock = Date.UTC(2026, 10, 23, 12);

beforeAll(() => loadSodium());

afterEach(async () => {
  agents.splice(0).forEach((a) => a.link.stop());
  await Promise.all(relays.splice(0).map((r) => r.close()));
});

async function startRelay(seen: Envelope[] = []): Promise<string> {
  const relay = createRelay({ observe: (e) => seen.push(e) });
  relays.push(relay);
  return (await relay.listen(0)).url;
}

async function makeAgent(name: string, relayUrl: string, online = true): Promise<TestAgent> {
  const identity = await generateIdentity();
  // The real vault; a low PBKDF2 count keeps set-up fast (the vault's own tests cover the KDF).
  const vault = await openVault({
    name: `vault-${crypto.randomUUID()}`,
    kdf: { iterations: 1000, allowWeakIterationsForTests: true },
  });
  await vault.setUp('test passphrase');
  const store = vaultAgentStore(vault);
  const agent = { store, agentId: identity.agentId, relayUrl } as TestAgent;
  const { peers, link } = createPeerLink({
    identity,
    store,
    relayUrl,
    currentRelayUrl: () => agent.relayUrl,
    displayName: () => name,
    notify: () => {},
    now: () => clock,
    pairingWaitMs: 5000,
  });
  Object.assign(agent, { peers, link });
  agents.push(agent);
  if (online) await startAndPublish(link);
  return agent;
}

/** What `settings.set({ relayUrl })` does to the peers and the link. */
function switchRelay(agent: TestAgent, relayUrl: string): void {
  agent.relayUrl = relayUrl;
  agent.link.retarget(relayUrl);
}

const inviteFrom = (relayUrl: string) =>
  encodeInvite({
    agentId: toBase64Url(crypto.getRandomValues(new Uint8Array(32))),
    relayUrl,
    secret: toBase64Url(crypto.getRandomValues(new Uint8Array(18))),
    expiresAt: clock + INVITE_TTL_MS,
  });

async function refusal(promise: Promise<unknown>): Promise<ParleyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ParleyError);
  return error as ParleyError;
}

describe('relay addresses', () => {
  it('[PAIR5] names one relay however it is spelled: wss/https and ws/http, case, default port, trailing slash', () => {
    expect(sameRelay('wss://Relay.Example.org', 'https://relay.example.org:443/')).toBe(true);
    expect(sameRelay('ws://127.0.0.1:8787', 'http://127.0.0.1:8787/')).toBe(true);
    expect(sameRelay('wss://relay.example.org', 'ws://relay.example.org')).toBe(false);
    expect(sameRelay('wss://relay.example.org', 'wss://relay.example.org:8443')).toBe(false);
    expect(sameRelay('wss://relay.example.org', 'wss://relay.example.net')).toBe(false);
    expect(sameRelay('wss://relay.example.org/a', 'wss://relay.example.org/b')).toBe(false);
    expect(sameRelay('not a url', 'not a url')).toBe(false);
    expect(relayKey('ftp://relay.example.org')).toBeUndefined();
  });

  it('[PAIR6] knows the addresses that only reach the computer they are used on', () => {
    for (const url of [
      'http://127.0.0.1:8787',
      'ws://127.1.2.3',
      'http://localhost:8787',
      'wss://relay.localhost',
      'http://[::1]:8787',
      'http://0.0.0.0:8787',
    ])
      expect(isLoopbackRelay(url), url).toBe(true);
    for (const url of ['wss://relay.example.org', 'http://192.168.1.10:8787', 'wss://127.example.org'])
      expect(isLoopbackRelay(url), url).toBe(false);
  });

  it('[PAIR5] an invite from another relay is refused `invite_other_relay`, carrying that relay; the message says what to do', () => {
    expect(() => checkInviteRelay('wss://relay.example.org', 'https://relay.example.org/')).not.toThrow();
    let thrown: unknown;
    try {
      checkInviteRelay('wss://relay-b.example.org', 'wss://relay-a.example.org');
    } catch (error) {
      thrown = error;
    }
    expect(toErrorShape(thrown)).toEqual({
      code: 'invite_other_relay',
      relayUrl: 'wss://relay-b.example.org',
      message: expect.stringContaining('Switch to wss://relay-b.example.org and accept'),
    });
    expect((thrown as Error).message).toContain('ask them to set wss://relay-a.example.org');
    // Someone who never chose a relay (the default is on their own computer) is offered the inviter's.
    expect(() => checkInviteRelay('wss://relay.example.org', 'http://127.0.0.1:8787')).toThrow(
      expect.objectContaining({ code: 'invite_other_relay', relayUrl: 'wss://relay.example.org' }),
    );
    // Two relays on one computer (development): switching works there, so it is offered.
    expect(() => checkInviteRelay('http://127.0.0.1:9000', 'http://127.0.0.1:8787')).toThrow(
      expect.objectContaining({ code: 'invite_other_relay' }),
    );
  });

  it('[PAIR6] an invite naming a relay on the inviter’s own computer is refused `invite_relay_local`, with no switch offered', () => {
    let thrown: unknown;
    try {
      checkInviteRelay('http://127.0.0.1:8787', 'wss://relay.example.org');
    } catch (error) {
      thrown = error;
    }
    const shape = toErrorShape(thrown);
    expect(shape.code).toBe('invite_relay_local');
    expect(shape.relayUrl).toBeUndefined();
    expect(shape.message).toContain('nobody else can reach');
    expect(shape.message).toContain('set a public relay');
  });
});

describe('accepting an invite from another relay', () => {
  it('[PAIR5] stores and sends nothing; switching to the invite’s relay and accepting again pairs, and messages flow there', async () => {
    const seenA: Envelope[] = [];
    const seenB: Envelope[] = [];
    const [relayA, relayB] = [await startRelay(seenA), await startRelay(seenB)];
    const alice = await makeAgent('Alice', relayA);
    const bob = await makeAgent('Bob', relayB);
    const { code } = await alice.peers.createInvite();

    const error = await refusal(bob.peers.acceptInvite(code));
    expect(error).toMatchObject({ code: 'invite_other_relay', relayUrl: relayA });
    expect(await bob.peers.listContacts()).toEqual([]);
    expect(await bob.store.listOutbox()).toEqual([]);
    expect([...seenA, ...seenB]).toEqual([]);

    switchRelay(bob, error.relayUrl!);
    const { contact } = await bob.peers.acceptInvite(code);
    expect(contact).toMatchObject({ agentId: alice.agentId, name: 'Alice', status: 'paired' });
    await bob.peers.sendChat(alice.agentId, 'found you on your relay');
    await expect
      .poll(async () => (await alice.peers.listMessages(bob.agentId)).map((m) => m.text))
      .toEqual(['found you on your relay']);
    expect(seenB).toEqual([]);
  });

  it('[PAIR5] the same relay spelled another way is the same relay: the invite pairs at once', async () => {
    const relay = await startRelay();
    const alice = await makeAgent('Alice', relay.replace('http://', 'ws://') + '/');
    const bob = await makeAgent('Bob', relay);
    const { code } = await alice.peers.createInvite();
    expect((await bob.peers.acceptInvite(code)).contact.status).toBe('paired');
  });

  it('[PAIR6] an invite naming a relay on its creator’s computer, accepted on a public relay, stores and sends nothing', async () => {
    const bob = await makeAgent('Bob', 'wss://relay.example.org', false);
    const error = await refusal(bob.peers.acceptInvite(inviteFrom('http://127.0.0.1:8787')));
    expect(error.code).toBe('invite_relay_local');
    expect(await bob.peers.listContacts()).toEqual([]);
    expect(await bob.store.listOutbox()).toEqual([]);
  });

  it('[PAIR6] a new invite says which relay it names and whether that relay is on this computer (the side panel warns)', async () => {
    const local = await makeAgent('Alice', 'http://127.0.0.1:8787', false);
    expect(await local.peers.createInvite()).toMatchObject({
      relayUrl: 'http://127.0.0.1:8787',
      relayOnThisComputer: true,
    });
    const public_ = await makeAgent('Bob', 'wss://relay.example.org', false);
    expect(await public_.peers.createInvite()).toMatchObject({
      relayUrl: 'wss://relay.example.org',
      relayOnThisComputer: false,
    });
  });
});
