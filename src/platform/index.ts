import { browser } from 'wxt/browser';

/**
 * The thin layer over `browser.*` the runtime needs, so the agent can be built
 * and tested against any implementation of it.
 */
export interface Platform {
  extensionId: string;
  extensionOrigin: string;
  /** Registers the one runtime message listener; the handler answers or returns undefined to pass. */
  onMessage(
    handler: (
      message: unknown,
      sender: { id?: string; url?: string; tab?: unknown },
    ) => Promise<unknown> | undefined,
  ): void;
  /** Tells open UI surfaces something changed; no one listening is fine. */
  broadcast(message: unknown): void;
  /** `identity.launchWebAuthFlow`: opens the sign-in window, resolves with the final redirect URL. */
  launchWebAuthFlow(url: string, interactive: boolean): Promise<string>;
  /** The redirect URL the browser intercepts for this extension (`identity.getRedirectURL()`). */
  redirectUri(): string;
  /** The URL of a file shipped at the extension's root (e.g. sql.js's wasm). */
  assetUrl(file: string): string;
  /** A repeating alarm that survives the worker being stopped. */
  onAlarm(name: string, periodMinutes: number, handler: () => void): void;
}

export function browserPlatform(): Platform {
  return {
    extensionId: browser.runtime.id,
    extensionOrigin: browser.runtime.getURL('/'),
    onMessage(handler) {
      // sendResponse + `return true` works in every browser; returning a promise does not (yet) in Chrome.
      browser.runtime.onMessage.addListener(
        (message: unknown, sender, sendResponse: (r: unknown) => void) => {
          const reply = handler(message, sender);
          if (!reply) return false;
          reply.then(sendResponse, () => sendResponse(undefined));
          return true;
        },
      );
    },
    broadcast(message) {
      browser.runtime.sendMessage(message).catch(() => {
        // No page is open to hear it.
      });
    },
    async launchWebAuthFlow(url, interactive) {
      const redirected = await browser.identity.launchWebAuthFlow({ url, interactive });
      if (!redirected) throw new Error('the sign-in window was closed');
      return redirected;
    },
    redirectUri: () => browser.identity.getRedirectURL(),
    assetUrl: (file) => browser.runtime.getURL(`/${file}` as '/'),
    onAlarm(name, periodMinutes, handler) {
      void browser.alarms.create(name, { periodInMinutes: periodMinutes });
      browser.alarms.onAlarm.addListener((alarm) => {
        if (alarm.name === name) handler();
      });
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
