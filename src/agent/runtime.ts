import { fingerprint, generateIdentity, identityFromSecretKey, loadSodium, type Identity } from '../crypto';
import { ParleyError } from '../errors';
import { RelayLink } from '../link';
import { PeerService } from '../peers';
import type { Platform } from '../platform';
import { RPC_EVENT, createRpcServer, type RpcHandlers, type RpcTopic, type Settings } from '../rpc';
import type { AgentStore } from '../store';

export const DEFAULT_SETTINGS: Settings = {
  relayUrl: 'http://127.0.0.1:8787',
  displayName: 'Parley user',
};

export interface AgentRuntimeDeps {
  platform: Platform;
  openStore(): Promise<AgentStore>;
  now?: () => number;
}

export interface AgentRuntime {
  /** Resolves once the identity is loaded and the link started. */
  readonly ready: Promise<void>;
  readonly agentId: () => string | undefined;
}

/**
 * The agent: the one object the background entry point creates. The message
 * listener is registered synchronously (a worker woken by a message must find
 * it); handlers wait for start-up.
 */
export function createAgentRuntime(deps: AgentRuntimeDeps): AgentRuntime {
  const now = deps.now ?? Date.now;
  const notify = (topic: RpcTopic) => deps.platform.broadcast({ kind: RPC_EVENT, topic });

  let identity: Identity | undefined;
  const started = start();

  async function start() {
    await loadSodium();
    const store = await deps.openStore();
    identity = await loadOrCreateIdentity(store, now);
    let settings: Settings = { ...DEFAULT_SETTINGS, ...(await store.getSettings()) };
    const me = identity;

    const peers: PeerService = new PeerService({
      identity: me,
      store,
      transport: { send: (id, to, payload) => link.send(id, to, payload) },
      relayUrl: () => settings.relayUrl,
      displayName: () => settings.displayName,
      notify,
      now,
    });
    const link: RelayLink = new RelayLink({
      identity: me,
      url: settings.relayUrl,
      onEnvelope: (envelope) => peers.receive(envelope),
      onLogin: () => void peers.flush(),
      onStatus: () => notify('status'),
    });
    link.start();
    deps.platform.onAlarm('parley-link', 1, () => link.ensureConnected());

    const handlers: RpcHandlers = {
      'status.get': async () => ({
        agentId: me.agentId,
        fingerprint: fingerprint(me.agentId),
        displayName: settings.displayName,
        relay: link.status,
        contacts: (await peers.listContacts()).filter((c) => c.status === 'paired').length,
      }),
      'contacts.list': () => peers.listContacts(),
      'conversations.list': () => peers.listConversations(),
      'invite.create': () => peers.createInvite(),
      'invite.accept': ({ code }) => peers.acceptInvite(code),
      'messages.list': ({ contactId }) => peers.listMessages(contactId),
      'messages.send': ({ contactId, text }) => peers.sendChat(contactId, text),
      'settings.get': async () => settings,
      'settings.set': async (patch) => {
        settings = { ...settings, ...withoutUndefined(patch) };
        await store.putSettings(settings);
        link.retarget(settings.relayUrl);
        notify('status');
        return settings;
      },
    };
    return createRpcServer(handlers, {
      extensionId: deps.platform.extensionId,
      extensionOrigin: deps.platform.extensionOrigin,
    });
  }

  deps.platform.onMessage((message, sender) => {
    if ((message as { kind?: unknown } | null)?.kind !== 'parley/rpc') return undefined;
    return started.then(
      (serve) => serve(message, sender),
      () => ({
        id: (message as { id?: string }).id,
        ok: false,
        error: new ParleyError('not_ready', 'The agent failed to start. Reload the extension.').toJSON(),
      }),
    );
  });

  return {
    ready: started.then(() => undefined),
    agentId: () => identity?.agentId,
  };
}

async function loadOrCreateIdentity(store: AgentStore, now: () => number): Promise<Identity> {
  const saved = await store.getIdentity();
  if (saved) return identityFromSecretKey(saved.secretKey);
  const identity = await generateIdentity();
  await store.putIdentity({ secretKey: identity.secretKey, createdAt: now() });
  return identity;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
