import type { LayerSnapshot } from '../rpc';
// The layer's own style, inside its shadow roots (Google's page styles do not reach in, nor ours out).
import layerCss from './calendar-layer.css?inline';
import { t } from './i18n';
import { plural } from './plural';

/**
 * The Google Calendar layer's page side (docs/protocol/interface.md GCL1–7): reading Google's event
 * elements, and drawing the layer's panel inside its shadow root. Everything is built with
 * `createElement` and text nodes: no string from the agent, a peer or the page is ever parsed as HTML.
 */

/** Google marks each event chip with `data-eventid`: base64 of "<event id> <calendar>", sometimes prefixed. */
export const EVENT_SELECTOR = '[data-eventid]';

/**
 * [GCL3] The Google event id an event element stands for, or undefined. The attribute is base64
 * (standard or URL-safe, padding optional) of "<eventId> <calendar id, shortened>"; a recurring
 * instance's id ends in `_<UTC time>`. Parley's ids (WRT1) are 52 characters of base32hex.
 */
export function decodeEventId(attribute: string | null | undefined): string | undefined {
  if (!attribute) return undefined;
  const raw = attribute.replace(/^ttb_/, '').replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]+=*$/.test(raw) || raw.length > 2048) return undefined;
  let text: string;
  try {
    text = atob(raw.padEnd(raw.length + ((4 - (raw.length % 4)) % 4), '='));
  } catch {
    return undefined; // not base64 after all: not an event Parley could have booked
  }
  const id = text.split(' ')[0]?.replace(/_\d{8}(T\d{6}Z)?$/, '');
  return id && /^[a-v0-9]{5,1024}$/.test(id) ? id : undefined;
}

type Child = Node | string | false | null | undefined;

/** An element with attributes and children; strings become text nodes. */
export function h(tag: string, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) {
    if (child === false || child === null || child === undefined) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

const when = (slot: { start: number; end: number }) =>
  `${new Date(slot.start).toLocaleString(undefined, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  })}–${new Date(slot.end).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`;

export interface PanelHandlers {
  decide(negotiationId: string, actionHash: string, approved: boolean): void;
  findTime(): void;
  toggle(): void;
}

export interface PanelView {
  snapshot?: LayerSnapshot;
  /** How many events on this page Parley booked (marked). */
  marked: number;
  open: boolean;
  /** What went wrong with the last decision or request, in words. */
  problem?: string;
  /** Decisions sent and not yet answered. */
  deciding: ReadonlySet<string>;
}

/** [GCL4] Draws the panel: what waits for the person (approve/decline), what is being arranged, "Find a time with…". */
export function renderPanel(container: HTMLElement, view: PanelView, on: PanelHandlers): void {
  const snapshot = view.snapshot;
  const waiting = snapshot?.approvals.length ?? 0;
  const toggle = h(
    'button',
    {
      class: 'toggle',
      type: 'button',
      'aria-expanded': String(view.open),
      'aria-controls': 'parley-layer-body',
      'data-testid': 'layer-toggle',
    },
    'Parley',
    waiting
      ? h(
          'span',
          { class: 'count', 'data-testid': 'layer-count' },
          plural(waiting, { one: 'layerWaitingOne', other: 'layerWaitingOther' }),
        )
      : null,
  );
  toggle.addEventListener('click', () => on.toggle());

  const body = h('div', { id: 'parley-layer-body', class: 'body' });
  body.hidden = !view.open;
  if (!snapshot) body.append(h('p', { class: 'muted' }, t('layerAsking')));
  else if (snapshot.state === 'locked')
    body.append(h('p', { class: 'muted', 'data-testid': 'layer-locked' }, t('layerLocked')));
  else {
    if (snapshot.approvals.length) {
      body.append(h('h2', {}, t('layerNeedsYou')));
      const list = h('ul', { 'data-testid': 'layer-approvals' });
      for (const approval of snapshot.approvals) {
        const busy = view.deciding.has(approval.negotiationId);
        const approve = h(
          'button',
          { type: 'button', 'data-testid': 'layer-approve' },
          busy ? t('commonWorking') : t('commonApprove'),
        );
        const decline = h(
          'button',
          { type: 'button', class: 'secondary', 'data-testid': 'layer-decline' },
          t('commonDecline'),
        );
        if (busy) {
          approve.setAttribute('disabled', '');
          decline.setAttribute('disabled', '');
        }
        approve.addEventListener('click', () => on.decide(approval.negotiationId, approval.actionHash, true));
        decline.addEventListener('click', () =>
          on.decide(approval.negotiationId, approval.actionHash, false),
        );
        list.append(
          h(
            'li',
            { 'data-testid': 'layer-approval', 'data-negotiation': approval.negotiationId },
            h('p', {}, approval.text),
            approval.slots.length > 0 &&
              h('ul', { class: 'muted' }, ...approval.slots.map((slot) => h('li', {}, when(slot)))),
            h('div', { class: 'row' }, approve, decline),
          ),
        );
      }
      body.append(list);
    }
    if (snapshot.pending.length) {
      body.append(h('h2', {}, t('layerBeingArranged')));
      body.append(
        h(
          'ul',
          { 'data-testid': 'layer-pending' },
          ...snapshot.pending.map((p) =>
            h(
              'li',
              { 'data-negotiation': p.negotiationId },
              p.title,
              h('span', { class: 'muted' }, ` — ${p.status}`),
            ),
          ),
        ),
      );
    }
    body.append(
      h(
        'p',
        { class: 'muted', 'data-testid': 'layer-marked', 'data-count': String(view.marked) },
        plural(view.marked, { one: 'layerMarkedOne', other: 'layerMarkedOther' }),
      ),
    );
  }
  if (view.problem)
    body.append(h('p', { class: 'error', role: 'alert', 'data-testid': 'layer-problem' }, view.problem));
  const find = h('button', { type: 'button', 'data-testid': 'layer-find-time' }, t('layerFindTime'));
  find.addEventListener('click', () => on.findTime());
  body.append(find);

  container.replaceChildren(
    h('section', { class: 'panel', 'aria-label': 'Parley', 'data-testid': 'layer' }, toggle, body),
  );
}

/** The marker beside an event Parley booked. */
export function renderMark(
  container: HTMLElement,
  booked: { title: string; slot: { start: number; end: number } },
) {
  container.replaceChildren(
    h(
      'span',
      {
        class: 'mark',
        'data-testid': 'layer-mark',
        title: t('layerBookedBy', booked.title, when(booked.slot)),
      },
      'Parley',
    ),
  );
}

export const LAYER_CSS: string = layerCss;
