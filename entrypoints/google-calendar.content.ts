import { browser } from 'wxt/browser';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { createShadowRootUi, type ShadowRootContentScriptUi } from 'wxt/utils/content-script-ui/shadow-root';
import { CALENDAR_LAYER_MESSAGE, CALENDAR_LAYER_PORT, LayerPush, type LayerRequest } from '@/src/rpc';
import {
  EVENT_SELECTOR,
  LAYER_CSS,
  decodeEventId,
  renderMark,
  renderPanel,
  t,
  type PanelView,
} from '@/src/ui';

/**
 * Parley on Google Calendar (docs/protocol/interface.md GCL1–7): an isolated layer — shadow roots made
 * with WXT's content-script UI helpers — that marks the events Parley booked, shows what waits for the
 * person with its buttons, and offers "Find a time with…". It talks to the background over one port
 * with a narrow, zod-checked contract (src/rpc/calendar-layer.ts), follows the page's client-side
 * navigation, and leaves nothing behind when its context is invalidated (the extension reloads).
 */
export default defineContentScript({
  matches: ['https://calendar.google.com/*'],
  runAt: 'document_idle',
  async main(ctx) {
    document.documentElement.dataset.parley = 'present';
    await startLayer(ctx);
  },
});

type Booked = { title: string; slot: { start: number; end: number } };

async function startLayer(ctx: ContentScriptContext): Promise<void> {
  const view: PanelView = { marked: 0, open: false, deciding: new Set() };
  const booked = new Map<string, Booked>();
  const marks = new Map<Element, ShadowRootContentScriptUi<void>>();
  let port: ReturnType<typeof browser.runtime.connect> | undefined;
  let retry = 0;

  const panel = await createShadowRootUi(ctx, {
    name: 'parley-layer',
    position: 'inline',
    anchor: 'body',
    append: 'last',
    css: LAYER_CSS,
    onMount: (container) => draw(container),
  });
  panel.mount();

  function draw(container: HTMLElement = panel.uiContainer): void {
    renderPanel(container, view, {
      toggle: () => {
        view.open = !view.open;
        draw();
      },
      decide: (negotiationId, actionHash, approved) => {
        view.deciding = new Set([...view.deciding, negotiationId]);
        view.problem = undefined;
        send({ type: 'decide', negotiationId, actionHash, approved });
        draw();
      },
      findTime: () => {
        browser.runtime.sendMessage({ kind: CALENDAR_LAYER_MESSAGE, type: 'findTime' }).then(
          (answer: unknown) => {
            if ((answer as { ok?: boolean } | undefined)?.ok) return;
            view.problem = t('layerPanelFailed');
            draw();
          },
          () => {
            view.problem = t('layerNotAnswering');
            draw();
          },
        );
      },
    });
  }

  function send(request: LayerRequest): void {
    try {
      port?.postMessage(request);
    } catch {
      // The port closed under us: reconnect, and the fresh snapshot replaces the request.
      connect();
    }
  }

  function connect(): void {
    if (ctx.isInvalid) return;
    port = browser.runtime.connect({ name: CALENDAR_LAYER_PORT });
    port.onMessage.addListener((raw: unknown) => {
      const push = LayerPush.safeParse(raw);
      if (!push.success) return; // not the contract: ignored, never shown
      retry = 0;
      if (push.data.type === 'snapshot') {
        view.snapshot = push.data.snapshot;
        if (push.data.snapshot.approvals.length > 0) view.open = true;
        booked.clear();
        for (const b of push.data.snapshot.booked) booked.set(b.eventId, { title: b.title, slot: b.slot });
        void mark();
      } else {
        const rest = new Set(view.deciding);
        rest.delete(push.data.negotiationId);
        view.deciding = rest;
        if (!push.data.ok) view.problem = push.data.message ?? t('layerDidNotWork');
      }
      draw();
    });
    port.onDisconnect.addListener(() => {
      port = undefined;
      // The worker restarted or the extension went away: try again while this context is valid.
      if (ctx.isValid) ctx.setTimeout(connect, Math.min(30_000, 500 * 2 ** retry++));
    });
    send({ type: 'hello' });
  }

  /** [GCL3] Marks every event element of a booking, and unmarks what is no longer one (or gone). */
  async function mark(): Promise<void> {
    for (const [element, ui] of marks) {
      const id = decodeEventId(element.getAttribute('data-eventid'));
      if (!element.isConnected || !id || !booked.has(id)) {
        ui.remove();
        marks.delete(element);
      }
    }
    for (const element of document.querySelectorAll(EVENT_SELECTOR)) {
      if (marks.has(element) || element.closest('[data-wxt-shadow-root]')) continue;
      const id = decodeEventId(element.getAttribute('data-eventid'));
      const meeting = id ? booked.get(id) : undefined;
      if (!meeting) continue;
      const ui = await createShadowRootUi(ctx, {
        name: 'parley-mark',
        position: 'overlay',
        alignment: 'top-right',
        zIndex: 5,
        anchor: element,
        append: 'last',
        css: LAYER_CSS,
        onMount: (container) => renderMark(container, meeting),
      });
      if (marks.has(element) || ctx.isInvalid) continue;
      ui.mount();
      marks.set(element, ui);
    }
    if (view.marked !== marks.size) {
      view.marked = marks.size;
      draw();
    }
  }

  // [GCL6] Google Calendar re-renders its grid on every client-side navigation and on its own.
  let scheduled = false;
  const soon = () => {
    if (scheduled) return;
    scheduled = true;
    ctx.setTimeout(() => {
      scheduled = false;
      void mark();
    }, 150);
  };
  ctx.addEventListener(window, 'wxt:locationchange', soon);
  const observer = new MutationObserver((records) => {
    // Our own shadow hosts coming and going are not the page changing.
    if (records.every((r) => [...r.addedNodes, ...r.removedNodes].every(isOurs))) return;
    soon();
  });
  observer.observe(document.body, { childList: true, subtree: true });

  // [GCL7] The context ends (extension reloaded or removed): everything Parley added goes.
  ctx.onInvalidated(() => {
    observer.disconnect();
    port?.disconnect();
    for (const ui of marks.values()) ui.remove();
    marks.clear();
    panel.remove();
    delete document.documentElement.dataset.parley;
  });

  connect();
}

const isOurs = (node: Node) =>
  node instanceof Element &&
  (node.hasAttribute('data-wxt-shadow-root') || node.tagName.startsWith('PARLEY-'));
