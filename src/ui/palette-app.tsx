import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import { createLogger, errorFields } from '../log';
import { lastBrowserWindowId, openOptionsPage, openSidePanel } from '../platform';
import type { AssistantReply, ContactView, NegotiationView } from '../rpc';
import { ErrorNote } from './components';
import { PALETTE_ROWS, paletteIndex, searchPalette, type PaletteItem } from './palette-search';
import { agent } from './rpc';

const log = createLogger('ui').child('palette');

/** The palette's shortcut as shipped; the person may change it (the footer says where). */
export const PALETTE_SHORTCUT = 'Alt+Shift+P';

const GROUP_LABEL: Record<PaletteItem['group'], string> = {
  action: 'Action',
  contact: 'Contact',
  meeting: 'Meeting',
  ask: 'Agent',
};

/** What the palette can do without a form: each runs one action of the registry, or opens a place. */
const ACTIONS: readonly PaletteItem[] = [
  { id: 'find', group: 'action', label: 'Find a time with…', keywords: 'meeting schedule book' },
  { id: 'agenda', group: 'action', label: 'What’s on tomorrow?', keywords: 'agenda calendar day' },
  { id: 'sidepanel', group: 'action', label: 'Open the side panel', keywords: 'chat home approvals' },
  { id: 'invite', group: 'action', label: 'Invite someone', keywords: 'contact add pair code' },
  { id: 'sync', group: 'action', label: 'Sync your calendars now', keywords: 'google refresh' },
  { id: 'settings', group: 'action', label: 'Open settings', keywords: 'options preferences relay model' },
  { id: 'lock', group: 'action', label: 'Lock Parley now', keywords: 'passphrase secure' },
];

const WAITING = 'waits for your approval';

function meetingItem(n: NegotiationView): PaletteItem {
  const state = n.approval ? WAITING : n.outcome === 'booked' ? 'booked' : n.phase.replaceAll('_', ' ');
  return {
    id: `meeting:${n.id}`,
    group: 'meeting',
    label: n.with.length ? `${n.title} — with ${n.with.join(', ')}` : n.title,
    detail: state,
  };
}

const contactItem = (c: ContactView): PaletteItem => ({
  id: `contact:${c.agentId}`,
  group: 'contact',
  label: `Find a time with ${c.name}`,
  keywords: c.name,
});

/**
 * The command palette (docs/protocol/interface.md PAL1–PAL4): opened by the shortcut as a small window,
 * the focus in its input at once (nothing waits for the agent), fuzzy search over actions, contacts and
 * meetings, free text to the agent. Keyboard only: ↑/↓ move, Enter runs, Esc closes. The listbox
 * pattern: the input is a combobox whose active option is `aria-activedescendant`.
 */
export function PaletteApp({ close = () => window.close() }: { close?: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [contacts, setContacts] = useState<ContactView[]>([]);
  const [meetings, setMeetings] = useState<NegotiationView[]>([]);
  const [reply, setReply] = useState<AssistantReply>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorShape>();
  const browserWindow = useRef<number>();

  // [PAL1] The focus is in the input before anything is fetched.
  useLayoutEffect(() => {
    input.current?.focus();
    document.documentElement.dataset.focusedAt = String(performance.timeOrigin + performance.now());
  }, []);

  useEffect(() => {
    // Contacts and meetings arrive when the agent answers; a locked agent leaves the actions.
    agent.call('contacts.list', {}).then(
      (list) => setContacts(list.filter((c) => c.status === 'paired')),
      (e: ErrorShape) => setError({ code: e.code, message: e.message }),
    );
    agent.call('negotiations.list', {}).then(setMeetings, () => undefined); // the contacts call says why
    lastBrowserWindowId().then(
      (id) => (browserWindow.current = id),
      (e: unknown) => log.warn('window_lookup_failed', errorFields(e)),
    );
  }, []);

  const items = useMemo(() => {
    const waiting = meetings.filter((m) => m.approval).map(meetingItem);
    const others = meetings.filter((m) => !m.approval).map(meetingItem);
    return [...ACTIONS.slice(0, 1), ...waiting, ...ACTIONS.slice(1), ...contacts.map(contactItem), ...others];
  }, [contacts, meetings]);
  const index = useMemo(() => paletteIndex(items), [items]);
  const rows = useMemo(() => searchPalette(index, items, query), [index, items, query]);
  const current = Math.min(active, rows.length - 1);

  useEffect(() => setActive(0), [query]);
  // A proposal takes the focus once it can be confirmed (Enter: do it; Esc: not now).
  useEffect(() => {
    if (reply?.proposal && !busy) confirmButton.current?.focus();
  }, [reply?.proposal?.id, busy]);

  /** Runs one step; what fails is shown, and the palette stays open. */
  const step = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(e as ErrorShape);
    } finally {
      setBusy(false);
    }
  };

  const fill = (text: string) => {
    setQuery(text);
    input.current?.focus();
  };

  const ask = (words: string) =>
    step(async () => {
      setDone(undefined);
      setReply(await agent.call('assistant.ask', { text: words }));
    });

  const openPanel = () =>
    // Called within the key press: the browser opens the side panel only during the person's gesture.
    openSidePanel(browserWindow.current).then(close, (e: unknown) => {
      log.warn('open_panel_failed', errorFields(e));
      setError({
        code: 'internal',
        message: 'The side panel could not be opened. Open it from the toolbar.',
      });
    });

  function run(item: PaletteItem | undefined): void {
    if (!item) return;
    if (item.group === 'ask') return void ask(query.trim());
    if (item.group === 'contact') return fill(`${item.label} `);
    if (item.group === 'meeting') return void openPanel();
    switch (item.id) {
      case 'find':
        return fill('Find a time with ');
      case 'agenda':
        return void ask('What’s on tomorrow?');
      case 'sidepanel':
      case 'invite':
        return void openPanel();
      case 'settings':
        return void openOptionsPage().then(close, (e: ErrorShape) => setError(e));
      case 'sync':
        return void step(async () => {
          await agent.call('calendar.sync', {});
          setDone('Your calendars are up to date.');
        });
      case 'lock':
        return void step(async () => {
          await agent.call('vault.lock', {});
          close();
        });
    }
  }

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const delta = event.key === 'ArrowDown' ? 1 : -1;
      setActive((current + delta + rows.length) % rows.length);
    } else if (event.key === 'Home' && event.ctrlKey) {
      setActive(0);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (!busy) run(rows[current]);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      if (reply || done) {
        setReply(undefined);
        setDone(undefined);
      } else close();
    }
  };

  const confirm = (proposalId: string) =>
    step(async () => {
      await agent.call('assistant.confirm', { proposalId });
      setReply(undefined);
      setQuery('');
      setDone('Done. You can follow it in the side panel.');
      input.current?.focus();
    });
  const dismiss = (proposalId: string) =>
    step(async () => {
      await agent.call('assistant.dismiss', { proposalId });
      setReply(undefined);
      input.current?.focus();
    });

  return (
    <main class="palette stack" data-testid="palette">
      <input
        ref={input}
        role="combobox"
        aria-label="Search Parley or ask your agent"
        aria-expanded="true"
        aria-controls="palette-options"
        aria-autocomplete="list"
        aria-activedescendant={rows[current] ? `palette-option-${current}` : undefined}
        placeholder="Search, or ask: find 30 minutes with Dana next week"
        data-testid="palette-input"
        autoComplete="off"
        spellcheck={false}
        maxLength={1000}
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      <ul role="listbox" id="palette-options" aria-label="Results" data-testid="palette-options">
        {rows.slice(0, PALETTE_ROWS).map((item, i) => (
          <li
            key={item.id}
            id={`palette-option-${i}`}
            role="option"
            aria-selected={i === current}
            data-testid="palette-option"
            data-group={item.group}
            data-item={item.id}
            // Pointer users can still click; nothing needs it.
            onMouseDown={(e) => {
              e.preventDefault();
              setActive(i);
              run(item);
            }}
          >
            <span>
              {item.label}
              {item.detail && <span class="muted"> · {item.detail}</span>}
            </span>
            <span class="group muted">{GROUP_LABEL[item.group]}</span>
          </li>
        ))}
      </ul>
      {busy && (
        <p class="muted" aria-live="polite">
          Working…
        </p>
      )}
      {reply && (
        <div class="bubble" data-testid="palette-reply" data-intent={reply.command.intent} aria-live="polite">
          <p>{reply.reply}</p>
          {reply.note && <p class="muted">{reply.note}</p>}
          {reply.agenda && (
            <ul>
              {reply.agenda.items.map((item) => (
                <li key={`${item.start}-${item.title}`}>{item.title}</li>
              ))}
            </ul>
          )}
          {reply.proposal && (
            <>
              <ul data-testid="palette-proposal">
                {reply.proposal.actions.map((a) => (
                  <li key={a.label}>{a.label}</li>
                ))}
              </ul>
              <div class="row">
                <button
                  ref={confirmButton}
                  data-testid="palette-confirm"
                  disabled={busy}
                  onClick={() => void confirm(reply.proposal!.id)}
                  onKeyDown={(e) => {
                    if (e.key === 'Escape') void dismiss(reply.proposal!.id);
                  }}
                >
                  Do it
                </button>
                <button
                  class="secondary"
                  data-testid="palette-dismiss"
                  disabled={busy}
                  onClick={() => void dismiss(reply.proposal!.id)}
                >
                  Not now
                </button>
              </div>
            </>
          )}
        </div>
      )}
      {done && (
        <p class="notice" data-testid="palette-done" aria-live="polite">
          {done}
        </p>
      )}
      <ErrorNote error={error} />
      <p class="muted" data-testid="palette-help">
        <kbd>↑</kbd> <kbd>↓</kbd> choose · <kbd>Enter</kbd> run · <kbd>Esc</kbd> close. Opens with{' '}
        <kbd>{PALETTE_SHORTCUT}</kbd>; change it at chrome://extensions/shortcuts (Firefox: about:addons →
        Manage Extension Shortcuts).
      </p>
    </main>
  );
}
