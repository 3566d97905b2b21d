import { ParleyError } from '../errors';
import { createLogger, errorFields } from '../log';
import type { MessageHandler, PortLike, ScreenPort } from '../platform';
import {
  FIND_TIME_TEXT,
  FindTimeMessage,
  LayerRequest,
  type AgentStatus,
  type LayerPush,
  type LayerSnapshot,
  type NegotiationView,
  type RpcTopic,
  CALENDAR_LAYER_PORT,
} from '../rpc';
export { STATUS_GLANCE_KEY } from '../rpc';
import { attentionChanges, parseNoticeId, type AttentionMemory } from './attention';
import { LOCKED_SNAPSHOT, layerSnapshot } from './calendar-layer';
import { t } from '../i18n';

export {
  attentionChanges,
  parseNoticeId,
  noticeId,
  NOTICE_TEXT,
  type AttentionMemory,
  type Notice,
} from './attention';
export { layerSnapshot, LOCKED_SNAPSHOT } from './calendar-layer';

const log = createLogger('surfaces');

/** The palette's page and window size (a small window of its own: docs/protocol/interface.md PAL1). */
export const PALETTE_PAGE = '/palette.html';
const PALETTE_SIZE = { width: 560, height: 460 };
/** Only pages of Google Calendar may hold the layer's port (GCL1). */
const CALENDAR_ORIGIN = 'https://calendar.google.com/';

export interface SurfacesDeps {
  screen: ScreenPort;
  extensionId: string;
  /** `negotiations.list` through the action registry. */
  negotiations(): Promise<NegotiationView[]>;
  /** `negotiations.decide` through the action registry. */
  decide(input: { negotiationId: string; actionHash: string; approved: boolean }): Promise<unknown>;
  /** The calendar's event id for a negotiation (WRT1). */
  eventIdOf(negotiationId: string): Promise<string>;
  /** `status.get` through the action registry. */
  status(): Promise<AgentStatus>;
  /** [UIS1] Where the last status is kept for the popup to draw at once (`storage.session`). */
  glance: { save(status: AgentStatus): Promise<void> };
  /** What the notifications knew at the last look; `storage.session` in the browser. */
  memory: { load(): Promise<AttentionMemory | undefined>; save(memory: AttentionMemory): Promise<void> };
  onMessage(handler: MessageHandler, signal?: AbortSignal): void;
  signal?: AbortSignal;
}

export interface Surfaces {
  /** [PAL1] The `open-palette` command: opens the palette window (or focuses it). */
  openPalette(): Promise<void>;
  /** The agent broadcast a change: refresh the badge, notifications and open Calendar layers. */
  changed(topic: RpcTopic): void;
  /** Resolves once the changes seen so far are shown (tests, the benchmark). */
  settled(): Promise<void>;
}

/** The side panel's page with the command box filled (the side panel reads `?ask=`). */
export const panelPathAsking = (text: string) => `sidepanel.html?ask=${encodeURIComponent(text)}`;

/**
 * What Parley shows outside its own pages (docs/protocol/interface.md): the palette window, the badge
 * and notifications (NTF), and the Google Calendar layer's narrow contract (GCL). Everything it shows
 * comes from the action registry's views; it decides nothing itself.
 */
export function createSurfaces(deps: SurfacesDeps): Surfaces {
  const { screen, signal } = deps;
  const ports = new Set<PortLike>();
  let running: Promise<void> = Promise.resolve();
  let queued = false;

  /** One refresh at a time; changes that arrive meanwhile are folded into one more. */
  function refresh(): Promise<void> {
    if (queued) return running;
    queued = true;
    running = running.then(async () => {
      queued = false;
      await show().catch((error: unknown) => log.warn('attention_failed', errorFields(error)));
    });
    return running;
  }

  async function views(): Promise<NegotiationView[] | undefined> {
    try {
      return await deps.negotiations();
    } catch (error) {
      // Locked (or never set up): there is nothing to count or show until the person unlocks.
      if (error instanceof ParleyError && (error.code === 'locked' || error.code === 'setup_required'))
        return undefined;
      throw error;
    }
  }

  async function show(): Promise<void> {
    await deps.glance.save(await deps.status());
    const current = await views();
    if (!current) {
      await screen.setBadge('');
      broadcastToLayers(LOCKED_SNAPSHOT);
      return;
    }
    const before = await deps.memory.load();
    const changes = attentionChanges(before, current);
    await deps.memory.save(changes.next);
    await screen.setBadge(changes.badge);
    for (const id of changes.clear) await screen.clearNotification(id);
    for (const notice of changes.show) await screen.notify(notice.id, notice);
    if (ports.size) broadcastToLayers(await layerSnapshot(current, deps.eventIdOf));
  }

  function broadcastToLayers(snapshot: LayerSnapshot): void {
    for (const port of ports) post(port, { type: 'snapshot', snapshot });
  }

  function post(port: PortLike, message: LayerPush): void {
    try {
      port.post(message);
    } catch (error) {
      // The tab went away between two refreshes: forget the port.
      ports.delete(port);
      log.debug('layer_port_gone', errorFields(error));
    }
  }

  async function snapshotNow(): Promise<LayerSnapshot> {
    const current = await views();
    return current ? layerSnapshot(current, deps.eventIdOf) : LOCKED_SNAPSHOT;
  }

  const fromCalendar = (sender: { id?: string; url?: string; tab?: unknown }) =>
    sender.id === deps.extensionId && !!sender.tab && !!sender.url?.startsWith(CALENDAR_ORIGIN);

  // [GCL1] The layer's port: only from a Google Calendar tab of this extension's content script.
  screen.onPort(
    CALENDAR_LAYER_PORT,
    (port) => {
      if (!fromCalendar(port.sender)) {
        log.warn('layer_port_refused');
        port.disconnect();
        return;
      }
      ports.add(port);
      port.onDisconnect(() => ports.delete(port));
      port.onMessage((raw) => void answer(port, raw));
    },
    signal,
  );

  async function answer(port: PortLike, raw: unknown): Promise<void> {
    const request = LayerRequest.safeParse(raw);
    if (!request.success) {
      log.warn('layer_request_invalid');
      return;
    }
    try {
      if (request.data.type === 'hello') {
        post(port, { type: 'snapshot', snapshot: await snapshotNow() });
        return;
      }
      const { negotiationId, actionHash, approved } = request.data;
      try {
        await deps.decide({ negotiationId, actionHash, approved });
        post(port, { type: 'decided', negotiationId, ok: true });
      } catch (error) {
        const message = error instanceof ParleyError ? error.message : t('layerDecideFailed');
        post(port, { type: 'decided', negotiationId, ok: false, message: message.slice(0, 400) });
      }
    } catch (error) {
      log.warn('layer_answer_failed', errorFields(error));
    }
  }

  // [GCL5] "Find a time with…": the side panel, its command box filled, in the page's window.
  deps.onMessage((message, sender) => {
    if (!FindTimeMessage.safeParse(message).success) return undefined;
    if (!fromCalendar(sender)) return Promise.resolve({ ok: false });
    const windowId = (sender.tab as { windowId?: number } | undefined)?.windowId;
    return screen.openPanel(panelPathAsking(FIND_TIME_TEXT), windowId).then(
      () => ({ ok: true }),
      (error: unknown) => {
        log.warn('open_panel_failed', errorFields(error));
        return { ok: false };
      },
    );
  }, signal);

  // [NTF4] A click opens the right place: the side panel for an approval, the meeting otherwise.
  screen.onNotificationClicked((id) => {
    const notice = parseNoticeId(id);
    if (!notice) return;
    const path =
      notice.kind === 'approval'
        ? 'sidepanel.html'
        : `sidepanel.html?meeting=${encodeURIComponent(notice.negotiationId)}`;
    void screen
      .openPanel(path)
      .then(() => screen.clearNotification(id))
      .catch((error: unknown) => log.warn('notification_open_failed', errorFields(error)));
  }, signal);

  return {
    openPalette: () => screen.openWindow(PALETTE_PAGE, PALETTE_SIZE),
    changed(topic) {
      if (topic === 'negotiations' || topic === 'status' || topic === 'contacts') void refresh();
    },
    settled: () => running,
  };
}
