import type { Identity } from '../crypto';
import { createLogger, errorFields } from '../log';
import { RelayLink, type FirebaseTokenSource } from '../link';
import type { RpcTopic } from '../rpc';
import type { AgentStore, MessageRecord } from '../store';
import { PeerService } from './peer-service';

const log = createLogger('peers').child('link');

export interface PeerLinkDeps {
  identity: Identity;
  store: AgentStore;
  /** The relay's address at start (the link follows `retarget` after that). */
  relayUrl: string;
  /** The address an invite carries: the one in settings now. */
  currentRelayUrl(): string;
  displayName(): string;
  sharedEmail?(): string;
  notify(topic: RpcTopic): void;
  now: () => number;
  firebaseToken?: FirebaseTokenSource;
  pairingWaitMs?: number;
  onNegotiationMessage?(from: string, body: string): void;
  onMessageStored?(message: MessageRecord): void;
}

/**
 * The peers and the relay link, wired to each other: the link hands envelopes to the peers and tells
 * them when it logged in; the peers send, fetch and publish keys through the link. The agent's session
 * and the peers' tests build them here, so the tests run the wiring that ships.
 */
export function createPeerLink(deps: PeerLinkDeps): { peers: PeerService; link: RelayLink } {
  const peers: PeerService = new PeerService({
    identity: deps.identity,
    store: deps.store,
    transport: {
      send: (id, to, payload) => link.send(id, to, payload),
      fetchPrekeyBundle: (agentId) => link.fetchPrekeyBundle(agentId),
      publishPrekeys: (upload) => link.publishPrekeys(upload),
      countPrekeys: () => link.countPrekeys(),
    },
    relayUrl: deps.currentRelayUrl,
    displayName: deps.displayName,
    ...(deps.sharedEmail && { sharedEmail: deps.sharedEmail }),
    notify: deps.notify,
    now: deps.now,
    ...(deps.pairingWaitMs !== undefined && { pairingWaitMs: deps.pairingWaitMs }),
    ...(deps.onNegotiationMessage && { onNegotiationMessage: deps.onNegotiationMessage }),
    ...(deps.onMessageStored && { onMessageStored: deps.onMessageStored }),
  });
  const link: RelayLink = new RelayLink({
    identity: deps.identity,
    url: deps.relayUrl,
    onEnvelope: (envelope) => peers.receive(envelope),
    // Publishing prekeys and flushing the outbox after a login may fail (the vault locked meanwhile,
    // the relay dropped again): the next login or the minute alarm tries again.
    onLogin: () =>
      void peers.onLogin().catch((error: unknown) => log.warn('after_login_failed', errorFields(error))),
    onStatus: () => deps.notify('status'),
    ...(deps.firebaseToken && { firebaseToken: deps.firebaseToken }),
  });
  return { peers, link };
}
