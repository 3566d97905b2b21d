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
export async function openSidePanel(windowId?: number): Promise<void> {
  const chromeSidePanel = (
    browser as unknown as { sidePanel?: { open(o: { windowId: number }): Promise<void> } }
  ).sidePanel;
  if (chromeSidePanel) {
    // A known window: no await before `open`, which must run within the person's gesture.
    if (windowId !== undefined) return chromeSidePanel.open({ windowId });
    const window = await browser.windows.getCurrent();
    if (window.id !== undefined) await chromeSidePanel.open({ windowId: window.id });
    return;
  }
  const sidebar = (browser as unknown as { sidebarAction?: { open(): Promise<void> } }).sidebarAction;
  await sidebar?.open();
}

/** The browser window the person was in before a small window of Parley's (the palette) took the focus. */
export async function lastBrowserWindowId(): Promise<number | undefined> {
  const normal = await browser.windows.getAll({ windowTypes: ['normal'] });
  return (normal.find((w) => w.focused) ?? normal[0])?.id;
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

/**
 * What the background does on the person's screen outside Parley's own pages: the toolbar badge,
 * browser notifications, the palette window and the side panel (docs/protocol/interface.md). A
 * thin layer over `browser.*`; `src/surfaces` decides what to show and tests give it a fake.
 */
export interface ScreenPort {
  /** The toolbar icon's badge: a short count, or '' for none. */
  setBadge(text: string): Promise<void>;
  /** Shows (or replaces) a notification by id. Text only: the browser renders it as plain text. */
  notify(id: string, content: { title: string; message: string }): Promise<void>;
  /** Removes a notification by id (a resolved approval no longer needs one). */
  clearNotification(id: string): Promise<void>;
  onNotificationClicked(handler: (id: string) => void, signal?: AbortSignal): void;
  /** Connections a content script opens by name (`runtime.connect({ name })`). */
  onPort(name: string, handler: (port: PortLike) => void, signal?: AbortSignal): void;
  /** Opens an extension page as a small window of its own, or focuses the one already open. */
  openWindow(path: string, size: { width: number; height: number }): Promise<void>;
  /**
   * Opens the side panel (Chrome) or sidebar (Firefox) at `path` in `windowId` (the last focused window
   * by default); a tab with that page if the browser refuses (no gesture).
   */
  openPanel(path: string, windowId?: number): Promise<void>;
}

/** One end of a `runtime.connect` port, as the background sees it. */
export interface PortLike {
  readonly sender: MessageSender;
  post(message: unknown): void;
  onMessage(handler: (message: unknown) => void): void;
  onDisconnect(handler: () => void): void;
  disconnect(): void;
}

export function browserScreen(): ScreenPort {
  const windows = new Map<string, number>();
  const action = () =>
    browser.action ?? (browser as unknown as { browserAction: typeof browser.action }).browserAction;
  return {
    async setBadge(text) {
      await action().setBadgeText({ text });
      if (text) await action().setBadgeBackgroundColor({ color: '#b3261e' });
    },
    async notify(id, { title, message }) {
      await browser.notifications.create(id, {
        type: 'basic',
        iconUrl: browser.runtime.getURL('/icon/128.png'),
        title,
        message,
      });
    },
    async clearNotification(id) {
      await browser.notifications.clear(id);
    },
    onNotificationClicked(handler, signal) {
      listen(browser.notifications.onClicked, ((id: string) => handler(id)) as never, signal);
    },
    onPort(name, handler, signal) {
      type RawPort = Parameters<Parameters<typeof browser.runtime.onConnect.addListener>[0]>[0];
      const listener = (port: RawPort) => {
        if (port.name !== name) return;
        handler({
          sender: { id: port.sender?.id, url: port.sender?.url, tab: port.sender?.tab },
          post: (message) => port.postMessage(message as object),
          onMessage: (h) => port.onMessage.addListener((m: unknown) => h(m)),
          onDisconnect: (h) => port.onDisconnect.addListener(() => h()),
          disconnect: () => port.disconnect(),
        });
      };
      listen(browser.runtime.onConnect, listener as never, signal);
    },
    async openWindow(path, size) {
      const known = windows.get(path);
      if (known !== undefined) {
        try {
          await browser.windows.update(known, { focused: true });
          return;
        } catch {
          // The window was closed since: open a new one below.
          windows.delete(path);
        }
      }
      const created = await browser.windows.create({
        url: browser.runtime.getURL(path as '/'),
        type: 'popup',
        focused: true,
        ...size,
      });
      if (created?.id !== undefined) windows.set(path, created.id);
    },
    async openPanel(path, windowId) {
      const sidePanel = (
        browser as unknown as {
          sidePanel?: {
            open(o: { windowId: number }): Promise<void>;
            setOptions(o: { path: string }): Promise<void>;
          };
        }
      ).sidePanel;
      const sidebar = (
        browser as unknown as {
          sidebarAction?: { open(): Promise<void>; setPanel(o: { panel: string }): Promise<void> };
        }
      ).sidebarAction;
      try {
        if (sidePanel) {
          // The browser opens a side panel only during the person's gesture: no await before `open`
          // when the window is known (a click in a page or a notification brings its window).
          const target = windowId ?? (await browser.windows.getLastFocused()).id;
          if (target === undefined) throw new Error('no window');
          await Promise.all([sidePanel.setOptions({ path }), sidePanel.open({ windowId: target })]);
          return;
        }
        if (sidebar) {
          await Promise.all([
            sidebar.setPanel({ panel: browser.runtime.getURL(path as '/') }),
            sidebar.open(),
          ]);
          return;
        }
        throw new Error('no side panel');
      } catch (error) {
        // Without a gesture the browser refuses the side panel: the same page in a tab shows the same.
        log.info('panel_in_tab', errorFields(error));
        await browser.tabs.create({ url: browser.runtime.getURL(path as '/') });
      }
    },
  };
}
