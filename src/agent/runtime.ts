import { isCalendarError } from '../calendar';
import { loadSodium } from '../crypto';
import { prepareScheduling } from '../scheduling';
import { ParleyError, type ErrorCode } from '../errors';
import type { Platform } from '../platform';
import { RPC_EVENT, createRpcServer, type AgentStatus, type RpcHandlers, type RpcTopic } from '../rpc';
import { vaultAgentStore } from '../store';
import { exportBackup, importBackup, isVaultError, type Vault } from '../vault';
import { AgentSession } from './session';

export interface AgentRuntimeDeps {
  platform: Platform;
  /** Opens the encrypted vault, resuming an unlocked session if one is live. */
  openVault(): Promise<Vault>;
  now?: () => number;
}

export interface AgentRuntime {
  /** Resolves once the vault is open (and the agent started, if it was unlocked). */
  readonly ready: Promise<void>;
}

/*
 * The agent's life follows its vault:
 *
 *   (no passphrase) --vault.setUp--> UNLOCKED <--vault.unlock / resumed from storage.session-- LOCKED
 *                                      │  └── AgentSession: identity, link, peers
 *                                      └──────── vault.lock / idle timeout / browser closed ──────▶
 *
 * The message listener is registered synchronously (a worker woken by a message
 * must find it); handlers wait for the vault to open.
 */
export function createAgentRuntime(deps: AgentRuntimeDeps): AgentRuntime {
  const now = deps.now ?? Date.now;
  const notify = (topic: RpcTopic) => deps.platform.broadcast({ kind: RPC_EVENT, topic });
  let session: AgentSession | undefined;
  let starting: Promise<AgentSession> | undefined;

  const opened = (async () => {
    await loadSodium();
    await prepareScheduling();
    const vault = await deps.openVault();
    vault.subscribe((event) => {
      if (event.type === 'locked' || event.type === 'reset') stopSession();
    });
    if (vault.isUnlocked) await startSession(vault);
    deps.platform.onAlarm('parley-minute', 1, () => {
      void vault.checkIdle();
      session?.link.ensureConnected();
      // [FBA7] Timers die with an MV3 worker: the relay's copy of the Firebase token is checked here too.
      void session?.link.refreshTokenIfDue();
      void session?.peers.flush(); // what could not be sealed or sent yet
      void session?.negotiator.tick(); // timeouts, retransmissions, expiry
    });
    // [SYN10] Calendars sync every 15 minutes while the agent is unlocked.
    deps.platform.onAlarm('parley-calendar', 15, () => void session?.calendar.sync());
    return vault;
  })();

  function startSession(vault: Vault): Promise<AgentSession> {
    // [DAT1] Every unlock checks every record's tag; what fails is set aside, the rest works.
    starting ??= vault
      .verifyIntegrity()
      .then(() => AgentSession.start(vault, vaultAgentStore(vault), deps.platform, notify, now))
      .then(
        (s) => {
          session = s;
          notify('status');
          return s;
        },
        (error: unknown) => {
          starting = undefined; // let the next call try again
          throw error;
        },
      );
    return starting;
  }

  function stopSession(): void {
    session?.stop();
    session = undefined;
    starting = undefined;
    notify('status');
  }

  async function status(vault: Vault): Promise<AgentStatus> {
    if (!(await vault.isSetUp())) return { lock: 'setup_required' };
    if (!vault.isUnlocked || !session) return { lock: 'locked' };
    // Counted from the vault's quarantine store, so a restarted worker still reports it.
    const quarantined = (await vault.listQuarantine()).length;
    return { lock: 'unlocked', agent: await session.status(), ...(quarantined ? { quarantined } : {}) };
  }

  const unlocked = async (): Promise<AgentSession> => {
    const vault = await opened;
    if (!vault.isUnlocked) {
      throw (await vault.isSetUp())
        ? new ParleyError('locked', 'Parley is locked. Unlock it with your passphrase.')
        : new ParleyError('setup_required', 'Set a passphrase first: it encrypts everything Parley keeps.');
    }
    return session ?? startSession(vault);
  };

  const handlers: RpcHandlers = {
    'status.get': async () => status(await opened),
    'vault.setUp': async ({ passphrase }) => {
      const vault = await opened;
      await vaultCall(() => vault.setUp(passphrase));
      await startSession(vault);
      return status(vault);
    },
    'vault.unlock': async ({ passphrase }) => {
      const vault = await opened;
      if (!vault.isUnlocked) await vaultCall(() => vault.unlock(passphrase));
      await startSession(vault);
      return status(vault);
    },
    'vault.lock': async () => {
      const vault = await opened;
      await vault.lock();
      stopSession();
      return status(vault);
    },
    'contacts.list': async () => (await unlocked()).peers.listContacts(),
    'conversations.list': async () => (await unlocked()).peers.listConversations(),
    'invite.create': async () => (await unlocked()).peers.createInvite(),
    'invite.accept': async ({ code }) => (await unlocked()).peers.acceptInvite(code),
    'messages.list': async ({ contactId }) => (await unlocked()).peers.listMessages(contactId),
    'messages.search': async ({ text }) => (await unlocked()).search(text),
    'contacts.verify': async ({ contactId, verified }) =>
      (await unlocked()).peers.verifyContact(contactId, verified),
    'messages.send': async ({ contactId, text }) => (await unlocked()).peers.sendChat(contactId, text),
    'calendar.overview': async () => (await unlocked()).calendar.overview(),
    'calendar.connect': async () => calendarCall(async () => (await unlocked()).calendar.connect()),
    'calendar.disconnect': async () => (await unlocked()).calendar.disconnect(),
    'calendar.sync': async () => {
      const { calendar } = await unlocked();
      await calendar.sync();
      return calendar.overview();
    },
    'calendar.select': async ({ calendarId, selected }) =>
      (await unlocked()).calendar.select(calendarId, selected),
    'negotiations.list': async () => (await unlocked()).negotiator.list(),
    'negotiations.start': async (input) => {
      const session = await unlocked();
      const contacts = await session.peers.listContacts();
      const unknown = input.contactIds.filter(
        (id) => !contacts.some((c) => c.agentId === id && c.status === 'paired'),
      );
      if (unknown.length) throw new ParleyError('contact_unknown', 'Choose people who are paired contacts.');
      return session.negotiator.start(input);
    },
    'negotiations.decide': async ({ negotiationId, actionHash, approved }) =>
      (await unlocked()).negotiator.decide(negotiationId, actionHash, approved),
    'data.export': async ({ passphrase }) => {
      await unlocked();
      const vault = await opened;
      const file = await vaultCall(() => exportBackup(vault, passphrase, now()));
      return { fileName: `parley-backup-${new Date(now()).toISOString().slice(0, 10)}.json`, file };
    },
    'data.import': async ({ file, passphrase, mode }) => {
      await unlocked();
      const vault = await opened;
      const report = await vaultCall(() => importBackup(vault, file, passphrase, { mode }));
      await vault.clearQuarantine(); // restored from the backup
      notify('contacts');
      notify('messages');
      return { written: report.written, skipped: report.skipped };
    },
    'data.prune': async ({ olderThanDays }) => {
      await unlocked();
      const session = await unlocked();
      const report = await (await opened).prune({ olderThanMs: olderThanDays * 86_400_000 });
      session.history?.prune(olderThanDays * 86_400_000);
      notify('messages');
      return { deleted: Object.values(report.deleted).reduce((a, b) => a + b, 0) };
    },
    'data.deleteAll': async () => {
      const vault = await opened;
      // [DAT3] Firebase keeps its signed-in user outside the vault: sign out, which deletes it too.
      await session?.account.signOut().catch(() => undefined);
      stopSession();
      await vault.deleteAllData();
      return status(vault);
    },
    'negotiations.cancel': async ({ negotiationId }) => (await unlocked()).negotiator.cancel(negotiationId),
    'negotiations.reschedule': async ({ negotiationId, withinDays }) =>
      (await unlocked()).negotiator.reschedule(negotiationId, withinDays),
    'preferences.get': async () => (await unlocked()).negotiator.meetingPreferences(),
    'preferences.set': async (form) => (await unlocked()).negotiator.setMeetingPreferences(form),
    'settings.get': async () => (await unlocked()).currentSettings,
    'settings.set': async (patch) => {
      const settings = await (await unlocked()).updateSettings(withoutUndefined(patch));
      notify('status');
      notify('account');
      return settings;
    },
    'account.status': async () => (await unlocked()).account.status(),
    // The account's user-change hook logs the relay link in again with the new token (or none).
    'account.signIn': async ({ email, password, create }) =>
      (await unlocked()).account.signIn(email, password, create ?? false),
    'account.signOut': async () => (await unlocked()).account.signOut(),
  };

  const serve = createRpcServer(handlers, {
    extensionId: deps.platform.extensionId,
    extensionOrigin: deps.platform.extensionOrigin,
  });
  deps.platform.onMessage((message, sender) => {
    if ((message as { kind?: unknown } | null)?.kind !== 'parley/rpc') return undefined;
    return serve(message, sender);
  });

  return { ready: opened.then(() => undefined) };
}

const VAULT_CODES: Partial<Record<string, ErrorCode>> = {
  wrong_passphrase: 'wrong_passphrase',
  unlock_throttled: 'unlock_throttled',
  already_set_up: 'already_set_up',
  not_set_up: 'setup_required',
  locked: 'locked',
  backup_wrong_passphrase: 'wrong_passphrase',
  backup_invalid: 'backup_invalid',
  backup_tampered: 'backup_invalid',
  backup_incompatible: 'backup_invalid',
};

/** Calendar failures cross the RPC as `calendar_failed` with the calendar's own message. */
async function calendarCall<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (isCalendarError(error)) throw new ParleyError('calendar_failed', error.message, { cause: error });
    throw error;
  }
}

/** Vault failures the person can act on cross the RPC with their message; others stay internal. */
async function vaultCall<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const code = isVaultError(error) ? VAULT_CODES[error.code] : undefined;
    if (!code || !isVaultError(error)) throw error;
    throw new ParleyError(code, error.message, { cause: error, retryAfterMs: error.retryAfterMs });
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
