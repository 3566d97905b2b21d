import type { LayerSnapshot } from '../rpc';

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
    waiting ? h('span', { class: 'count', 'data-testid': 'layer-count' }, ` · ${waiting} waiting`) : null,
  );
  toggle.addEventListener('click', () => on.toggle());

  const body = h('div', { id: 'parley-layer-body', class: 'body' });
  body.hidden = !view.open;
  if (!snapshot) body.append(h('p', { class: 'muted' }, 'Asking your agent…'));
  else if (snapshot.state === 'locked')
    body.append(
      h(
        'p',
        { class: 'muted', 'data-testid': 'layer-locked' },
        'Parley is locked. Unlock it from the toolbar to see your meetings here.',
      ),
    );
  else {
    if (snapshot.approvals.length) {
      body.append(h('h2', {}, 'Needs you'));
      const list = h('ul', { 'data-testid': 'layer-approvals' });
      for (const approval of snapshot.approvals) {
        const busy = view.deciding.has(approval.negotiationId);
        const approve = h(
          'button',
          { type: 'button', 'data-testid': 'layer-approve' },
          busy ? 'Working…' : 'Approve',
        );
        const decline = h(
          'button',
          { type: 'button', class: 'secondary', 'data-testid': 'layer-decline' },
          'Decline',
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
      body.append(h('h2', {}, 'Being arranged'));
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
        view.marked === 1
          ? '1 meeting on this page was booked by Parley.'
          : `${view.marked} meetings on this page were booked by Parley.`,
      ),
    );
  }
  if (view.problem)
    body.append(h('p', { class: 'error', role: 'alert', 'data-testid': 'layer-problem' }, view.problem));
  const find = h('button', { type: 'button', 'data-testid': 'layer-find-time' }, 'Find a time with…');
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
        title: `Booked by Parley: ${booked.title}, ${when(booked.slot)}`,
      },
      'Parley',
    ),
  );
}

export const LAYER_CSS = `
.panel { position: fixed; right: 16px; bottom: 16px; max-width: 340px; max-height: 70vh; overflow: auto;
  font: 14px/1.4 system-ui, sans-serif; color: #1b1b1f; background: #fff; border: 1px solid #c4c6d0;
  border-radius: 10px; box-shadow: 0 4px 16px rgba(0,0,0,.18); }
.toggle { display: block; width: 100%; text-align: left; font-weight: 600; background: #1a56db; color: #fff;
  border: 0; border-radius: 10px 10px 0 0; padding: 8px 12px; cursor: pointer; font: inherit; }
.body { padding: 8px 12px 12px; overflow-wrap: anywhere; }
.body[hidden] { display: none; }
h2 { font-size: 13px; margin: 8px 0 4px; }
ul { margin: 0; padding-left: 18px; }
.row { display: flex; gap: 8px; margin: 4px 0 8px; }
button { font: inherit; padding: 4px 10px; border-radius: 6px; border: 1px solid #1a56db; background: #1a56db;
  color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: #1a56db; }
button:focus-visible { outline: 3px solid #f2b705; outline-offset: 2px; }
button[disabled] { opacity: .6; }
.muted { color: #44474f; }
.error { color: #b3261e; }
.mark { display: inline-block; font: 600 11px/1.4 system-ui, sans-serif; color: #fff; background: #1a56db;
  border-radius: 4px; padding: 0 4px; }
@media (prefers-color-scheme: dark) {
  .panel { background: #1b1b1f; color: #e4e2e6; border-color: #44474f; }
  .muted { color: #c4c6d0; }
  button.secondary { background: #1b1b1f; color: #b4c5ff; border-color: #b4c5ff; }
  .error { color: #ffb4ab; }
}
`;
