import { loadSodium } from '../crypto';
import { ParleyError } from '../errors';
import { createLogger, errorFields, recentLogLines } from '../log';
import type { Platform } from '../platform';
import { RPC_EVENT, createRpcServer, type AgentStatus, type DiagnosticsView, type RpcTopic } from '../rpc';
import { prepareScheduling } from '../scheduling';
import { vaultAgentStore } from '../store';
import type { Vault } from '../vault';
import { createAgentActions, type RuntimeContext } from './actions';
import { AgentSession } from './session';

const log = createLogger('agent').child('runtime');

/** The manifest's keyboard command that opens the palette (the palette itself is the interface's). */
export const OPEN_PALETTE_COMMAND = 'open-palette';
export const MINUTE_ALARM = 'parley-minute';
export const CALENDAR_ALARM = 'parley-calendar';

export interface AgentRuntimeDeps {
  platform: Platform;
  /** Opens the encrypted vault, resuming an unlocked session if one is live. */
  openVault(): Promise<Vault>;
  now?: () => number;
  /** What the user agent is, for diagnostics (the worker's `navigator.userAgent`). */
  userAgent?: string;
  /** [LIF2] Aborting stops the runtime: the session, every listener and alarm handler it added. */
  signal?: AbortSignal;
  /** The palette shortcut was pressed (the interface opens its palette; by default nothing). */
  onPaletteCommand?(): void;
  /** Something the surfaces show changed (the same topics the UI pages hear): badge, notifications. */
  onChange?(topic: RpcTopic): void;
}

export interface AgentRuntime {
  /** Resolves once the vault is open (and the agent started, if it was unlocked). */
  readonly ready: Promise<void>;
  /** The one action registry: the RPC server dispatches here, and so do the palette and the model's tools. */
  readonly actions: ReturnType<typeof createAgentActions>;
}

/*
 * The agent's life follows its vault:
 *
 *   (no passphrase) --vault.setUp--> UNLOCKED <--vault.unlock / resumed from storage.session-- LOCKED
 *                                      │  └── AgentSession: identity, link, peers, calendar, negotiator
 *                                      └──────── vault.lock / idle timeout / browser closed ──────▶
 *
 * The message and command listeners are registered synchronously (a worker woken by a message must
 * find them); actions wait for the vault to open.
 */
export function createAgentRuntime(deps: AgentRuntimeDeps): AgentRuntime {
  const now = deps.now ?? Date.now;
  const { platform, signal } = deps;
  const notify = (topic: RpcTopic) => {
    platform.broadcast({ kind: RPC_EVENT, topic });
    deps.onChange?.(topic);
  };
  let session: AgentSession | undefined;
  let starting: Promise<AgentSession> | undefined;
  let vaultRef: Vault | undefined;

  const opened = (async () => {
    await loadSodium();
    await prepareScheduling();
    const vault = await deps.openVault();
    vaultRef = vault;
    vault.subscribe((event) => {
      if (event.type === 'locked' || event.type === 'reset') stopSession();
    }, signal);
    if (vault.isUnlocked) await startSession(vault);
    platform.onAlarm(MINUTE_ALARM, 1, () => minute(vault), signal);
    // [SYN10] Calendars sync every 15 minutes while the agent is unlocked.
    platform.onAlarm(CALENDAR_ALARM, 15, () => background('calendar_sync', session?.calendar.sync()), signal);
    return vault;
  })();
  // A vault that cannot open leaves every action answering with the error; it is logged once here.
  opened.catch((error: unknown) => log.error('vault_open_failed', errorFields(error)));

  function minute(vault: Vault): void {
    background('idle_check', vault.checkIdle());
    session?.link.ensureConnected();
    // [FBA7] Timers die with an MV3 worker: the relay's copy of the Firebase token is checked here too.
    background('token_refresh', session?.link.refreshTokenIfDue());
    background('outbox_flush', session?.peers.flush()); // what could not be sealed or sent yet
    background('negotiation_tick', session?.negotiator.tick()); // timeouts, retransmissions, expiry
  }

  /** Work the alarms start in the background: failures are logged, never dropped. */
  function background(event: string, work: Promise<unknown> | undefined): void {
    work?.catch((error: unknown) => {
      if (error instanceof ParleyError && error.code === 'locked') return; // locked meanwhile: nothing to do
      log.warn(`${event}_failed`, errorFields(error));
    });
  }

  function startSession(vault: Vault): Promise<AgentSession> {
    // [DAT1] Every unlock checks every record's tag; what fails is set aside, the rest works.
    starting ??= vault
      .verifyIntegrity()
      .then(() => AgentSession.start(vault, vaultAgentStore(vault), platform, notify, now))
      .then(
        (s) => {
          if (signal?.aborted) s.stop();
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

  async function unlocked(): Promise<AgentSession> {
    const vault = await opened;
    if (!vault.isUnlocked) {
      throw (await vault.isSetUp())
        ? new ParleyError('locked', 'Parley is locked. Unlock it with your passphrase.')
        : new ParleyError('setup_required', 'Set a passphrase first: it encrypts everything Parley keeps.');
    }
    return session ?? startSession(vault);
  }

  function diagnostics(): DiagnosticsView {
    return {
      generatedAt: now(),
      extensionVersion: platform.version,
      userAgent: deps.userAgent ?? 'unknown',
      lock: vaultRef?.isUnlocked ? 'unlocked' : 'locked',
      lines: recentLogLines(),
    };
  }

  // The runtime context is resolved per call: actions wait for the vault to open.
  const actions = createAgentActions({
    get vault() {
      if (!vaultRef)
        throw new ParleyError('not_ready', 'The agent is still starting. Try again in a moment.');
      return vaultRef;
    },
    now,
    status: async () => status(await opened),
    session: unlocked,
    startSession: async () => startSession(await opened),
    stopSession,
    currentSession: () => session,
    notify,
    diagnostics,
    dispatch: (action, input) => actions.dispatch(action, input),
  } satisfies RuntimeContext);

  const serve = createRpcServer(
    async (method, input) => {
      await opened.catch(() => undefined); // the action reports what is wrong with the vault
      return actions.dispatch(method, input);
    },
    { extensionId: platform.extensionId, extensionOrigin: platform.extensionOrigin },
  );
  platform.onMessage((message, sender) => serve(message, sender), signal);
  // [LIF3] The palette shortcut reaches the runtime; the palette itself belongs to the interface.
  platform.onCommand((command) => {
    if (command === OPEN_PALETTE_COMMAND) deps.onPaletteCommand?.();
    else log.warn('unknown_command', { command: command.slice(0, 40).toLowerCase() });
  }, signal);
  signal?.addEventListener('abort', () => stopSession(), { once: true });

  return { ready: opened.then(() => undefined), actions };
}
