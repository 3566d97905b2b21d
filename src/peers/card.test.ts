import 'fake-indexeddb/auto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRelay, type Relay } from '../../relay/server';
import { generateIdentity, loadSodium, type Identity } from '../crypto';
import { startAndPublish } from '../link/test-support';
import type { RelayLink } from '../link';
import { vaultAgentStore, type AgentStore, type ContactRecord } from '../store';
import { openVault } from '../vault';
import { AgentCard, signCard, verifyCard, withCard } from './card';
import { createPeerLink } from './peer-link';
import { decodePeerMessage, encodePeerMessage } from './peer-message';
import type { PeerService } from './peer-service';

/** The signed agent card (docs/protocol/scheduling.md ATT4, ATT5), alone and over a real relay. */
beforeAll(() => loadSodium());

describe('agent card', () => {
  it('[ATT4] the signature covers the agent, the shared address and the time; the schema takes only an address', async () => {
    const [ana, ben] = [await generateIdentity(), await generateIdentity()];
    const card = signCard(ana, { email: 'ana@example.com', issuedAt: 1_000 });
    expect(AgentCard.parse(card)).toEqual(card);
    expect(verifyCard(ana.agentId, card)).toBe(true);
    expect(verifyCard(ben.agentId, card)).toBe(false);
    expect(verifyCard(ana.agentId, { ...card, email: 'mallory@example.com' })).toBe(false);
    expect(verifyCard(ana.agentId, { ...card, issuedAt: 2_000 })).toBe(false);
    const { email: _dropped, ...withoutAddress } = card;
    expect(verifyCard(ana.agentId, withoutAddress)).toBe(false);
    expect(verifyCard(ana.agentId, signCard(ana, { issuedAt: 3_000 }))).toBe(true);
    expect(AgentCard.safeParse({ ...card, email: 'not an address' }).success).toBe(false);
    expect(AgentCard.safeParse({ ...card, extra: 1 }).success).toBe(false);
    // A pairing message from an agent that predates the card has none, and is still a pairing message.
    const old = { type: 'pair.accept', v: 1, name: 'Ana' } as const;
    expect(decodePeerMessage(encodePeerMessage(old))).toEqual(old);
  });

  it('[ATT5] a contact keeps the newest card its own agent signed; a forged or older one changes nothing', async () => {
    const [ana, mallory] = [await generateIdentity(), await generateIdentity()];
    const contact: ContactRecord = { agentId: ana.agentId, name: 'Ana', status: 'paired', addedAt: 1 };
    const first = withCard(contact, ana.agentId, signCard(ana, { email: 'ana@example.com', issuedAt: 10 }));
    expect(first).toMatchObject({ email: 'ana@example.com', cardAt: 10 });
    expect(withCard(first, ana.agentId, signCard(mallory, { email: 'x@example.com', issuedAt: 20 }))).toBe(
      first,
    );
    expect(withCard(first, ana.agentId, signCard(ana, { email: 'old@example.com', issuedAt: 5 }))).toBe(
      first,
    );
    expect(withCard(first, ana.agentId, undefined)).toBe(first);
    const withdrawn = withCard(first, ana.agentId, signCard(ana, { issuedAt: 30 }));
    expect(withdrawn.email).toBeUndefined();
    expect(withdrawn.cardAt).toBe(30);
  });
});

interface TestAgent {
  identity: Identity;
  store: AgentStore;
  peers: PeerService;
  link: RelayLink;
  share: { email: string };
}
let relay: Relay;
let url: string;
let clock: number;
const agents: TestAgent[] = [];

beforeEach(async () => {
  clock = Date.UTC(2026, 10, 23, 12);
  relay = createRelay({});
  ({ url } = await relay.listen(0));
});
afterEach(async () => {
  agents.splice(0).forEach((a) => a.link.stop());
  await relay.close();
});

async function makeAgent(name: string, email = ''): Promise<TestAgent> {
  const identity = await generateIdentity();
  const vault = await openVault({
    name: `card-${crypto.randomUUID()}`,
    kdf: { iterations: 1000, allowWeakIterationsForTests: true },
  });
  await vault.setUp('test passphrase');
  const store = vaultAgentStore(vault);
  const share = { email };
  const { peers, link } = createPeerLink({
    identity,
    store,
    relayUrl: url,
    currentRelayUrl: () => url,
    displayName: () => name,
    sharedEmail: () => share.email,
    notify: () => undefined,
    now: () => clock,
    pairingWaitMs: 5000,
  });
  const agent = { identity, store, peers, link, share };
  agents.push(agent);
  await startAndPublish(link);
  return agent;
}

describe('agent card between agents', () => {
  it('[ATT4] pairing carries each side’s card: the address shared is listed, none when nothing is shared', async () => {
    const [ana, ben] = [await makeAgent('Ana'), await makeAgent('Ben', 'ben@example.com')];
    const { code } = await ana.peers.createInvite();
    const { contact } = await ben.peers.acceptInvite(code);
    expect(contact.email).toBeUndefined();
    expect((await ana.peers.listContacts())[0]).toMatchObject({ name: 'Ben', email: 'ben@example.com' });
  });

  it('[ATT5] an address shared, changed or withdrawn later reaches every paired contact in a new card', async () => {
    const [ana, ben] = [await makeAgent('Ana'), await makeAgent('Ben')];
    const { code } = await ana.peers.createInvite();
    await ben.peers.acceptInvite(code);
    expect((await ana.peers.listContacts())[0]?.email).toBeUndefined();
    ben.share.email = 'ben@example.com';
    clock += 1_000;
    await ben.peers.publishCard();
    await expect.poll(async () => (await ana.peers.listContacts())[0]?.email).toBe('ben@example.com');
    ben.share.email = '';
    clock += 1_000;
    await ben.peers.publishCard();
    await expect.poll(async () => (await ana.peers.listContacts())[0]?.email).toBeUndefined();
  });
});
