import { AccountService } from '../account';
import {
  CalendarService,
  effectiveClientId,
  GOOGLE_CALENDAR_BASE_URL,
  GOOGLE_OAUTH_DEFAULTS,
  GoogleOAuth,
  vaultCalendarCache,
} from '../calendar';
import {
  Assistant,
  ChatThread,
  ProposalBook,
  builtinUnderstanding,
  onDeviceUnderstanding,
  openAiUnderstanding,
  type LanguageModelLike,
  type OnDeviceUnderstanding,
  tokenBucket,
  type ChatTurn,
  type Understanding,
  type UnderstandingCache,
} from '../assistant';
import { fingerprint, generateIdentity, identityFromSecretKey, type Identity } from '../crypto';
import { ParleyError } from '../errors';
import type { RelayLink } from '../link';
import { createLogger, errorFields } from '../log';
import { createPeerLink, type PeerService } from '../peers';
import type { Platform } from '../platform';
import type { AgentStatus, MessageSearchHit, RpcTopic, Settings } from '../rpc';
import {
  auditStore,
  chatStore,
  modelCacheStore,
  modelKeyStore,
  modelRequestLog,
  negotiationStore,
  preferenceStore,
  tokenStore,
  type AgentStore,
  type MessageRecord,
  type ModelKeyStore,
  type ModelRequestLog,
} from '../store';
import { Mutex, openHistory, type ConversationHistory, type Vault } from '../vault';
import { Negotiator } from './negotiator';

const log = createLogger('agent').child('session');

/** The history's conversation id for the chat with the agent (contacts' conversations use agent ids). */
export const ASSISTANT_CONVERSATION = 'assistant';

export const DEFAULT_SETTINGS: Settings = {
  relayUrl: 'http://127.0.0.1:8787',
  displayName: 'Parley user',
  // ATT4: nothing is shared until the person types an address.
  sharedEmail: '',
  google: {
    clientId: '',
    ...GOOGLE_OAUTH_DEFAULTS,
    apiBaseUrl: GOOGLE_CALENDAR_BASE_URL,
  },
  // Off until the person fills it in: a relay started without FIREBASE_PROJECT_ID needs no account.
  firebase: { apiKey: '', projectId: '', authDomain: '', emulatorUrl: '' },
  // No model until the person chooses one: the built-in parser needs nothing.
  assistant: { provider: 'builtin', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini' },
};

/**
 * Everything that exists only while the vault is unlocked: the identity key, the
 * relay link (it signs the login), the peers, the calendar and the negotiator.
 * [LIF1] All of it hangs off one AbortSignal: `stop` (on lock, reset or the
 * runtime stopping) aborts it, and the link, the sync, the negotiator's queue and
 * every listener the session added stop with it.
 */
export class AgentSession {
  readonly #lifetime: AbortController;
  /** The person's words → commands, through the way chosen in settings; the built-in parser behind it. */
  readonly assistant = new Assistant(() => this.#understanding(), builtinUnderstanding);
  #modelKey: ModelKeyStore | undefined;
  #modelCache: UnderstandingCache | undefined;
  /** What left the device for a cloud model (AST10). */
  modelRequests: ModelRequestLog | undefined;
  #model: { id: string; way: Understanding } | undefined;
  #onDevice: OnDeviceUnderstanding | undefined;
  /** What the agent proposed from those words and waits for the person to confirm. */
  readonly proposals = new ProposalBook();
  /** The conversation with the agent (docs/protocol/chat.md). */
  chat!: ChatThread;

  private constructor(
    readonly identity: Identity,
    readonly store: AgentStore,
    readonly peers: PeerService,
    readonly link: RelayLink,
    readonly account: AccountService,
    readonly calendar: CalendarService,
    readonly negotiator: Negotiator,
    readonly history: ConversationHistory | undefined,
    private settings: Settings,
    private readonly notify: (topic: RpcTopic) => void,
    lifetime: AbortController,
  ) {
    this.#lifetime = lifetime;
  }

  /**
   * The way chosen in settings. A cloud provider is kept while its endpoint, model and key stay the same,
   * so its response cache and its rate limit carry over from one command to the next.
   */
  async #understanding(): Promise<Understanding> {
    const { provider, baseUrl, model } = this.settings.assistant;
    if (provider === 'builtin') return builtinUnderstanding;
    if (provider === 'on-device') {
      // Chrome's built-in model where the browser has one (`LanguageModel`); elsewhere it says so and falls back.
      this.#onDevice ??= onDeviceUnderstanding({
        model: (globalThis as { LanguageModel?: LanguageModelLike }).LanguageModel,
        fallback: builtinUnderstanding,
      });
      return this.#onDevice;
    }
    const apiKey = (await this.#modelKey?.load()) ?? '';
    const id = JSON.stringify([baseUrl, model, apiKey]);
    if (this.#model?.id !== id) {
      this.#model = {
        id,
        way: openAiUnderstanding({
          baseURL: baseUrl,
          apiKey,
          model,
          fallback: builtinUnderstanding,
          cache: this.#modelCache!,
          // [AST10] What left the device, for the person to see.
          record: (request) =>
            void this.modelRequests!.append(request).catch((error: unknown) =>
              log.warn('model_request_log_failed', errorFields(error)),
            ),
          limiter: tokenBucket({ capacity: 10, refillPerMinute: 20 }),
        }),
      };
    }
    return this.#model.way;
  }

  /** Aborts when the session stops. */
  get signal(): AbortSignal {
    return this.#lifetime.signal;
  }

  static async start(
    vault: Vault,
    store: AgentStore,
    platform: Pick<Platform, 'launchWebAuthFlow' | 'redirectUri' | 'assetUrl'>,
    notify: (topic: RpcTopic) => void,
    now: () => number,
  ): Promise<AgentSession> {
    const lifetime = new AbortController();
    const signal = lifetime.signal;
    const identity = await loadOrCreateIdentity(store, now);
    const saved = await store.getSettings();
    const settings: Settings = {
      ...DEFAULT_SETTINGS,
      ...saved,
      google: { ...DEFAULT_SETTINGS.google, ...saved.google },
      firebase: { ...DEFAULT_SETTINGS.firebase, ...saved.firebase },
      assistant: { ...DEFAULT_SETTINGS.assistant, ...saved.assistant },
    };
    const ref: { session?: AgentSession } = {};
    const { peers, link } = createPeerLink({
      identity,
      store,
      relayUrl: settings.relayUrl,
      currentRelayUrl: () => ref.session!.settings.relayUrl,
      displayName: () => ref.session!.settings.displayName,
      sharedEmail: () => ref.session!.settings.sharedEmail,
      notify,
      now,
      firebaseToken: (force) => account.idToken(force),
      // A message lost here (locked meanwhile) is sent again by the peer's retransmission ticks (NEG11).
      onNegotiationMessage: (from, body) =>
        void ref.session?.negotiator
          .receive(from, body)
          .catch((error: unknown) => log.warn('negotiation_message_failed', errorFields(error))),
      onMessageStored: (m) => ref.session?.indexMessages([m]),
    });
    // The Firebase account (FBA6): its ID token rides on the relay login and is refreshed on the same
    // connection before it expires. A change of user (sign-in, sign-out) logs the link in again.
    const account = new AccountService({
      onUserChange: () => {
        notify('account');
        link.relogin();
      },
    });
    await account.configure(settings.firebase).catch((error: unknown) => {
      // The settings were valid when saved; the account page shows why Firebase is not running.
      log.warn('account_configure_failed', errorFields(error));
    });
    const preferences = preferenceStore(vault);
    const calendar = new CalendarService({
      oauth: new GoogleOAuth({
        // [ICS10] A client id left empty in the settings is the one this build was made with (if any).
        config: () => {
          const google = ref.session!.settings.google;
          return { ...google, clientId: effectiveClientId(google.clientId) };
        },
        launchWebAuthFlow: (url, interactive) => platform.launchWebAuthFlow(url, interactive),
        redirectUri: platform.redirectUri(),
        ...tokenStore(vault),
        now,
      }),
      cache: vaultCalendarCache(vault),
      apiBaseUrl: () => ref.session!.settings.google.apiBaseUrl,
      loadChoices: () => preferences.calendars(),
      saveChoices: (choices) => preferences.saveCalendars(choices),
      onChange: () => notify('calendar'),
      signal,
    });
    const negotiationMutex = new Mutex();
    const negotiator = new Negotiator({
      me: identity.agentId,
      negotiations: negotiationStore(vault),
      audit: auditStore(vault),
      preferences,
      calendar,
      send: (to, body) => peers.sendNegotiationMessage(to, body),
      names: async () => new Map((await store.listContacts()).map((c) => [c.agentId, c.name])),
      // ATT2: the addresses contacts shared in their signed cards; they are invited there.
      emails: async () =>
        new Map(
          (await store.listContacts()).flatMap((c) =>
            c.email !== undefined && c.status === 'paired' ? [[c.agentId, c.email] as const] : [],
          ),
        ),
      // ASK2: "accept without asking" holds only for a contact whose safety number the person verified.
      verified: async (id) =>
        (await store.listContacts()).some((c) => c.agentId === id && c.verifiedAt !== undefined),
      notify,
      now,
      // [LIF1] One step at a time, and none once the session stopped.
      serialize: (task) =>
        negotiationMutex.run(() => {
          if (signal.aborted)
            throw new ParleyError('locked', 'Parley is locked. Unlock it with your passphrase.');
          return task();
        }),
    });
    // [SRC1] Conversation history, searchable (SQLite FTS4 via sql.js), kept as an encrypted blob in
    // the vault. Without it (the wasm failed to load) the agent still works, unsearchable.
    const history = await openHistory(vault, { locateFile: (file) => platform.assetUrl(file) }).catch(
      (error: unknown) => {
        log.warn('history_unavailable', errorFields(error));
        return undefined;
      },
    );
    const session = new AgentSession(
      identity,
      store,
      peers,
      link,
      account,
      calendar,
      negotiator,
      history,
      settings,
      notify,
      lifetime,
    );
    session.#modelKey = modelKeyStore(vault);
    session.#modelCache = modelCacheStore(vault);
    session.modelRequests = modelRequestLog(vault);
    const chat = chatStore(vault);
    session.chat = new ChatThread({
      store: chat,
      index: (turns) => session.indexTurns(turns),
      unindex: () => session.history?.removeConversation(ASSISTANT_CONVERSATION),
      notify: () => notify('chat'),
      now,
    });
    await session.#catchUpHistory(chat.since);
    ref.session = session;
    link.start();
    return session;
  }

  /** Adds stored messages to the searchable history (idempotent by id; persisted in the background). */
  indexMessages(messages: readonly MessageRecord[]): void {
    this.history?.add(
      messages.map((m) => ({
        id: m.id,
        conversationId: m.contactId,
        at: m.at,
        author: m.direction === 'out' ? this.identity.agentId : m.contactId,
        text: m.text,
      })),
    );
  }

  /** [CHT1] The chat with the agent, searchable beside the conversations with contacts. */
  indexTurns(turns: readonly ChatTurn[]): void {
    this.history?.add(
      turns.map((t) => ({
        id: t.id,
        conversationId: ASSISTANT_CONVERSATION,
        at: t.at,
        author: t.role,
        text: t.text,
      })),
    );
  }

  /** The history is written in the background: after a crash, re-add what it missed. */
  async #catchUpHistory(turnsSince: (at: number) => Promise<ChatTurn[]>): Promise<void> {
    if (!this.history) return;
    // Only what the history may have missed, through the vault's time index (not every conversation).
    const since = this.history.latestAt() ?? -Infinity;
    this.indexMessages(await this.store.messagesSince(since));
    this.indexTurns(await turnsSince(since));
  }

  async search(text: string): Promise<MessageSearchHit[]> {
    if (!this.history) return [];
    const names = new Map((await this.store.listContacts()).map((c) => [c.agentId, c.name]));
    return this.history.search(text, { limit: 30 }).map((hit) => {
      const withAgent = hit.conversationId === ASSISTANT_CONVERSATION;
      return {
        id: hit.id,
        conversation: withAgent ? 'assistant' : 'contact',
        contactId: withAgent ? '' : hit.conversationId,
        contactName: withAgent ? 'your agent' : (names.get(hit.conversationId) ?? 'Unknown'),
        direction: hit.author === this.identity.agentId || hit.author === 'person' ? 'out' : 'in',
        text: hit.text,
        at: hit.at,
      };
    });
  }

  get currentSettings(): Settings {
    return this.settings;
  }

  async updateSettings(
    patch: Partial<Omit<Settings, 'google' | 'assistant'>> & {
      google?: Partial<Settings['google']>;
      assistant?: Partial<Settings['assistant']>;
    },
  ): Promise<Settings> {
    const sharedBefore = this.settings.sharedEmail;
    this.settings = {
      ...this.settings,
      ...patch,
      google: { ...this.settings.google, ...patch.google },
      firebase: patch.firebase ?? this.settings.firebase,
      assistant: { ...this.settings.assistant, ...patch.assistant },
    };
    await this.store.putSettings(this.settings);
    // ATT5: contacts learn a shared, changed or withdrawn address from a newly signed card.
    if (this.settings.sharedEmail !== sharedBefore)
      await this.peers
        .publishCard()
        .catch((error: unknown) => log.warn('card_not_published', errorFields(error)));
    const accountChanged = await this.account.configure(this.settings.firebase);
    const relayUrl = this.link.status.url;
    this.link.retarget(this.settings.relayUrl);
    // Another Firebase project (or none): the relay must see the new account's token, or none.
    if (accountChanged && relayUrl === this.settings.relayUrl) this.link.relogin();
    this.notify('status');
    this.notify('account');
    return this.settings;
  }

  async status(): Promise<NonNullable<AgentStatus['agent']>> {
    return {
      agentId: this.identity.agentId,
      fingerprint: fingerprint(this.identity.agentId),
      displayName: this.settings.displayName,
      relay: this.link.status,
      // Counted from the store: the contact views would compute a safety number each, for nothing.
      contacts: (await this.store.listContacts()).filter((c) => c.status === 'paired').length,
    };
  }

  /** [LIF1] Stops everything this session started; idempotent. */
  stop(): void {
    if (this.#lifetime.signal.aborted) return;
    this.#lifetime.abort();
    this.#onDevice?.dispose();
    this.link.stop();
    this.account.close().catch((error: unknown) => log.warn('account_close_failed', errorFields(error)));
    this.history?.flush().catch((error: unknown) => log.warn('history_flush_failed', errorFields(error)));
  }

  /**
   * [DAT3] Before every record is deleted: Firebase keeps its signed-in user outside the vault, so
   * sign out, which deletes it. A failure is logged and does not stop the deletion.
   */
  async signOutForDeletion(): Promise<void> {
    await this.account.signOut().catch((error: unknown) => log.warn('sign_out_failed', errorFields(error)));
  }
}

async function loadOrCreateIdentity(store: AgentStore, now: () => number): Promise<Identity> {
  const saved = await store.getIdentity();
  if (saved) return identityFromSecretKey(saved.secretKey);
  const identity = await generateIdentity();
  await store.putIdentity({ secretKey: identity.secretKey, createdAt: now() });
  return identity;
}
