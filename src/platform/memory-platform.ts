import type { MessageHandler, MessageSender, Platform } from './index';

/**
 * A `Platform` in memory: what the browser would do, driven by hand. Tests send messages and
 * commands, fire alarms and read broadcasts; listeners come and go with their signals, as in the
 * browser, so a test can see that a stopped runtime left nothing behind.
 */
export interface MemoryPlatform extends Platform {
  /** Delivers a runtime message to every listener; resolves with the first answer (as the browser does). */
  send(message: unknown, sender?: MessageSender): Promise<unknown>;
  /** Presses a keyboard command. */
  command(name: string): void;
  /** Fires an alarm by name. */
  fireAlarm(name: string): void;
  /** Everything broadcast so far. */
  readonly broadcasts: unknown[];
  /** Live listeners, by kind: a stopped runtime leaves zero. */
  listenerCount(): { message: number; command: number; alarm: number };
  /** Alarms created (name → period in minutes). */
  readonly alarms: ReadonlyMap<string, number>;
  /** What the sign-in window answers next (a redirect URL), or an error. */
  webAuthFlow: (url: string, interactive: boolean) => Promise<string>;
}

export function memoryPlatform(
  options: { extensionId?: string; version?: string; assetUrl?: (file: string) => string } = {},
): MemoryPlatform {
  const extensionId = options.extensionId ?? 'parleytestextensionidparleytest';
  const origin = `chrome-extension://${extensionId}/`;
  const messages = new Set<MessageHandler>();
  const commands = new Set<(command: string) => void>();
  const alarmListeners = new Set<{ name: string; handler: () => void }>();
  const alarms = new Map<string, number>();
  const broadcasts: unknown[] = [];

  function hold<T>(set: Set<T>, item: T, signal: AbortSignal | undefined): void {
    if (signal?.aborted) return;
    set.add(item);
    signal?.addEventListener('abort', () => set.delete(item), { once: true });
  }

  const platform: MemoryPlatform = {
    extensionId,
    extensionOrigin: origin,
    version: options.version ?? '0.0.0-test',
    onMessage: (handler, signal) => hold(messages, handler, signal),
    onCommand: (handler, signal) => hold(commands, handler, signal),
    onAlarm(name, periodMinutes, handler, signal) {
      alarms.set(name, periodMinutes);
      hold(alarmListeners, { name, handler }, signal);
    },
    broadcast: (message) => void broadcasts.push(structuredClone(message)),
    launchWebAuthFlow: (url, interactive) => platform.webAuthFlow(url, interactive),
    webAuthFlow: async () => {
      throw new Error('the sign-in window was closed');
    },
    redirectUri: () => `https://${extensionId}.chromiumapp.org/`,
    assetUrl: options.assetUrl ?? ((file) => `${origin}${file}`),
    async send(message, sender = { id: extensionId, url: `${origin}popup.html` }) {
      // The browser clones messages both ways; so do we.
      for (const handler of messages) {
        const reply = handler(structuredClone(message), sender);
        if (reply) return structuredClone(await reply);
      }
      return undefined;
    },
    command: (name) => commands.forEach((handler) => handler(name)),
    fireAlarm: (name) => alarmListeners.forEach((l) => l.name === name && l.handler()),
    broadcasts,
    alarms,
    listenerCount: () => ({ message: messages.size, command: commands.size, alarm: alarmListeners.size }),
  };
  return platform;
}
