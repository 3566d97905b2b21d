import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import {
  connectAuthEmulator,
  createUserWithEmailAndPassword,
  indexedDBLocalPersistence,
  initializeAuth,
  onAuthStateChanged,
  signInWithEmailAndPassword,
  signOut,
  type Auth,
} from 'firebase/auth/web-extension';
import { ParleyError } from '../errors';
import type { AccountView, FirebaseSettings } from '../rpc';
import { Mutex } from '../vault';
import { accountError } from './errors';
import { createLogger, errorFields } from '../log';

const log = createLogger('account');

export interface AccountServiceOptions {
  /**
   * Firebase keeps the signed-in user per app name and API key (in its own IndexedDB database), so
   * the name must stay the same across worker restarts. Tests running several agents in one process
   * give each its own.
   */
  appName?: string;
  /** The signed-in user changed after start-up (signed in, out, or Firebase dropped the user). */
  onUserChange?(): void;
}

interface Live {
  readonly config: FirebaseSettings;
  readonly app: FirebaseApp;
  readonly auth: Auth;
  readonly ready: Promise<void>;
  readonly unsubscribe: () => void;
}

/**
 * Starting and stopping Firebase apps, one after another per app name: a session that locks and the
 * next one that unlocks share the name (and so the persisted user), and the new app must not start
 * before the old one is deleted.
 */
const lifecycles = new Map<string, Mutex>();
const lifecycle = (appName: string): Mutex =>
  lifecycles.get(appName) ?? lifecycles.set(appName, new Mutex()).get(appName)!;

/**
 * The person's Firebase account, in the background worker: email + password sign-in with the SDK's
 * web-extension entry point (no remote code, IndexedDB persistence). Tokens stay inside Firebase
 * (memory and its own persistence); nothing here logs them, nor the email or the password.
 *
 *   OFF (no apiKey/projectId) ──configure──▶ READY ──signIn──▶ SIGNED IN ──signOut──▶ READY
 *                                              ▲ (a persisted user is restored at start-up) │
 *                                              └────────── configure(other project) ◀──────┘
 */
export class AccountService {
  #live: Live | undefined;
  readonly #appName: string;

  constructor(private readonly options: AccountServiceOptions = {}) {
    this.#appName = options.appName ?? 'parley';
  }

  /** Applies the Firebase settings; resolves true when they changed what is running. */
  configure(settings: FirebaseSettings): Promise<boolean> {
    const next = normalize(settings);
    return this.#inTurn(async () => {
      if (sameConfig(next, this.#live?.config)) return false;
      await this.#teardown();
      if (next) this.#live = this.#start(next);
      return true;
    });
  }

  /** Runs `step` after every earlier start or stop of this app name; readers wait for the latest. */
  #inTurn<T>(step: () => Promise<T>): Promise<T> {
    return lifecycle(this.#appName).run(step);
  }

  /** Who is signed in (waits for Firebase to restore a persisted user). */
  async status(): Promise<AccountView> {
    const live = await this.#current();
    if (live) await live.ready;
    return view(live);
  }

  async signIn(email: string, password: string, create = false): Promise<AccountView> {
    const live = await this.#configured();
    try {
      if (create) await createUserWithEmailAndPassword(live.auth, email, password);
      else await signInWithEmailAndPassword(live.auth, email, password);
    } catch (error) {
      // Firebase's codes become ours, each with what the person can do about it (wrong password, offline…).
      throw accountError(error, live.config.emulatorUrl || undefined);
    }
    return view(live);
  }

  async signOut(): Promise<AccountView> {
    const live = await this.#current();
    if (live) {
      await live.ready;
      await signOut(live.auth);
    }
    return view(live);
  }

  /**
   * A Firebase ID token for the relay, or undefined when Firebase is off or nobody is signed in.
   * `force` mints a new one; otherwise Firebase returns its cached token unless it is about to expire.
   */
  async idToken(force: boolean): Promise<string | undefined> {
    const live = await this.#current();
    if (!live) return undefined;
    await live.ready;
    const user = live.auth.currentUser;
    if (!user) return undefined;
    try {
      return await user.getIdToken(force);
    } catch (error) {
      // Offline, or the account was disabled: typed, so the link shows it and retries later.
      throw accountError(error, live.config.emulatorUrl || undefined);
    }
  }

  /** Stops Firebase (the vault locked): the signed-in user stays in Firebase's persistence. */
  close(): Promise<void> {
    return this.#inTurn(() => this.#teardown());
  }

  async #current(): Promise<Live | undefined> {
    await lifecycle(this.#appName).idle();
    return this.#live;
  }

  async #configured(): Promise<Live> {
    const live = await this.#current();
    if (!live) {
      throw new ParleyError(
        'account_not_configured',
        'Firebase is not set up: fill in the API key and project id under Account, save, then sign in.',
      );
    }
    await live.ready;
    return live;
  }

  #start(config: FirebaseSettings): Live {
    const app = initializeApp(
      {
        apiKey: config.apiKey,
        projectId: config.projectId,
        authDomain: config.authDomain || `${config.projectId}.firebaseapp.com`,
      },
      this.#appName,
    );
    const auth = initializeAuth(app, { persistence: [indexedDBLocalPersistence] });
    if (config.emulatorUrl) connectAuthEmulator(auth, config.emulatorUrl, { disableWarnings: true });
    // The first callback reports the restored user (or none); only later ones are changes.
    let known: string | undefined | null = null;
    const unsubscribe = onAuthStateChanged(auth, (user) => {
      const uid = user?.uid;
      const changed = known !== null && uid !== known;
      known = uid;
      if (changed) this.options.onUserChange?.();
    });
    return { config, app, auth, ready: auth.authStateReady(), unsubscribe };
  }

  async #teardown(): Promise<void> {
    const live = this.#live;
    this.#live = undefined;
    if (!live) return;
    live.unsubscribe();
    // The app is dropped either way (a new one is made on the next start); a failure leaks only memory.
    await deleteApp(live.app).catch((error: unknown) => log.warn('app_teardown_failed', errorFields(error)));
  }
}

function view(live: Live | undefined): AccountView {
  const user = live?.auth.currentUser;
  return {
    configured: Boolean(live),
    emulator: Boolean(live?.config.emulatorUrl),
    ...(user ? { user: { uid: user.uid, email: user.email } } : {}),
  };
}

/** Trimmed settings, or undefined when Firebase is off (no API key or no project id). */
function normalize(settings: FirebaseSettings): FirebaseSettings | undefined {
  const apiKey = settings.apiKey.trim();
  const projectId = settings.projectId.trim();
  if (!apiKey || !projectId) return undefined;
  const emulator = settings.emulatorUrl.trim();
  return {
    apiKey,
    projectId,
    authDomain: settings.authDomain.trim(),
    // connectAuthEmulator wants scheme://host:port and nothing after it.
    emulatorUrl: emulator ? new URL(emulator).origin : '',
  };
}

function sameConfig(a: FirebaseSettings | undefined, b: FirebaseSettings | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.apiKey === b.apiKey &&
    a.projectId === b.projectId &&
    a.authDomain === b.authDomain &&
    a.emulatorUrl === b.emulatorUrl
  );
}
