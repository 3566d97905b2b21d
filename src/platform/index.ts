import { browser } from 'wxt/browser';
import { createLogger, errorFields } from '../log';

const log = createLogger('platform');

export { memoryPlatform, type MemoryPlatform } from './memory-platform';

/** Who sent a runtime message, as the browser reports it. */
export interface MessageSender {
  id?: string;
  url?: string;
  tab?: unknown;
}

export type MessageHandler = (message: unknown, sender: MessageSender) => Promise<unknown> | undefined;

/**
 * The thin layer over `browser.*` the runtime needs, so the agent can be built and tested against
 * any implementation of it (`memoryPlatform()` in tests). [LIF2] Every listener is removed when the
 * `signal` it was registered with aborts.
 */
export interface Platform {
  extensionId: string;
  extensionOrigin: string;
  /** The extension's version (manifest), for diagnostics. */
  version: string;
  /** A runtime message listener; the handler answers or returns undefined to pass. */
  onMessage(handler: MessageHandler, signal?: AbortSignal): void;
  /** A keyboard command from the manifest's `commands` (e.g. `open-palette`). */
  onCommand(handler: (command: string) => void, signal?: AbortSignal): void;
  /** Tells open UI surfaces something changed; no one listening is fine. */
  broadcast(message: unknown): void;
  /** `identity.launchWebAuthFlow`: opens the sign-in window, resolves with the final redirect URL. */
  launchWebAuthFlow(url: string, interactive: boolean): Promise<string>;
  /** The redirect URL the browser intercepts for this extension (`identity.getRedirectURL()`). */
  redirectUri(): string;
  /** The URL of a file shipped at the extension's root (e.g. sql.js's wasm). */
  assetUrl(file: string): string;
  /** A repeating alarm that survives the worker being stopped; aborting removes the listener only. */
  onAlarm(name: string, periodMinutes: number, handler: () => void, signal?: AbortSignal): void;
}

/** Adds a browser event listener and removes it when `signal` aborts. */
function listen<F extends (...args: never[]) => unknown>(
  event: { addListener(f: F): void; removeListener(f: F): void },
  listener: F,
  signal: AbortSignal | undefined,
): void {
  if (signal?.aborted) return;
  event.addListener(listener);
  signal?.addEventListener('abort', () => event.removeListener(listener), { once: true });
}

export function browserPlatform(): Platform {
  return {
    extensionId: browser.runtime.id,
    extensionOrigin: browser.runtime.getURL('/'),
    version: browser.runtime.getManifest().version,
    onMessage(handler, signal) {
      // sendResponse + `return true` works in every browser; returning a promise does not (yet) in Chrome.
      const listener = (message: unknown, sender: MessageSender, sendResponse: (r: unknown) => void) => {
        const reply = handler(message, sender);
        if (!reply) return false;
        // The handler answers every request itself (errors included); a rejection here is a bug.
        reply.then(sendResponse, (error: unknown) => {
          log.error('message_handler_failed', errorFields(error));
          sendResponse(undefined);
        });
        return true;
      };
      listen(browser.runtime.onMessage, listener as never, signal);
    },
    onCommand(handler, signal) {
      listen(browser.commands.onCommand, ((command: string) => handler(command)) as never, signal);
    },
    broadcast(message) {
      browser.runtime.sendMessage(message).catch(() => {
        // No page is open to hear it: nothing to tell.
      });
    },
    async launchWebAuthFlow(url, interactive) {
      const redirected = await browser.identity.launchWebAuthFlow({ url, interactive });
      if (!redirected) throw new Error('the sign-in window was closed');
      return redirected;
    },
    redirectUri: () => browser.identity.getRedirectURL(),
    assetUrl: (file) => browser.runtime.getURL(`/${file}` as '/'),
    onAlarm(name, periodMinutes, handler, signal) {
      void browser.alarms.create(name, { periodInMinutes: periodMinutes });
      const listener = (alarm: { name: string }) => {
        if (alarm.name === name) handler();
      };
      listen(browser.alarms.onAlarm, listener as never, signal);
    },
  };
}

/**
 * One JSON value in `storage.session`: memory only, readable by the extension's
 * trusted contexts only, gone when the browser closes.
 */
export function sessionValue<T>(key: string) {
  const area = browser.storage.session;
  return {
    async load(): Promise<T | undefined> {
      return (await area.get(key))[key] as T | undefined;
    },
    async save(value: T): Promise<void> {
      await area.set({ [key]: value });
    },
    async clear(): Promise<void> {
      await area.remove(key);
    },
  };
}

/** The side panel opens only from a user gesture in a page (Chrome) or as the sidebar (Firefox). */
export async function openSidePanel(): Promise<void> {
  const chromeSidePanel = (
    browser as unknown as { sidePanel?: { open(o: { windowId: number }): Promise<void> } }
  ).sidePanel;
  if (chromeSidePanel) {
    const window = await browser.windows.getCurrent();
    if (window.id !== undefined) await chromeSidePanel.open({ windowId: window.id });
    return;
  }
  const sidebar = (browser as unknown as { sidebarAction?: { open(): Promise<void> } }).sidebarAction;
  await sidebar?.open();
}

/** The extension's options page (the "Account" sign-in lives there). */
export async function openOptionsPage(): Promise<void> {
  await browser.runtime.openOptionsPage();
}

/** The toolbar popup (Chrome 127+, Firefox): where the command box lives. Allowed from a keyboard command. */
export async function openPopup(): Promise<void> {
  await browser.action.openPopup();
}

/**
 * Asks the person, from a click in an extension page, to let Parley reach one origin (a model endpoint
 * such as `https://api.openai.com`). Origins are not in the manifest: only the one the person chose is
 * granted (`optional_host_permissions`). Resolves with whether it was granted.
 */
export async function requestOrigin(url: string): Promise<boolean> {
  const origin = new URL(url).origin;
  return browser.permissions.request({ origins: [`${origin}/*`] });
}
