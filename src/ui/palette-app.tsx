import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import { createLogger, errorFields } from '../log';
import { lastBrowserWindowId, openOptionsPage, openSidePanel } from '../platform';
import type { AssistantReply, ContactView, NegotiationView } from '../rpc';
import { ErrorNote } from './components';
import { t, type MessageKey } from './i18n';
import { phaseWords } from './meeting-phase';
import { PALETTE_ROWS, paletteIndex, searchPalette, type PaletteItem } from './palette-search';
import { agent } from './rpc';

const log = createLogger('ui').child('palette');

/** The palette's shortcut as shipped; the person may change it (the footer says where). */
export const PALETTE_SHORTCUT = 'Alt+Shift+P';

const GROUP_LABEL: Record<PaletteItem['group'], MessageKey> = {
  action: 'paletteGroupAction',
  contact: 'paletteGroupContact',
  meeting: 'paletteGroupMeeting',
  ask: 'paletteGroupAgent',
};

/** What the palette can do without a form: each runs one action of the registry, or opens a place. */
const ACTIONS: ReadonlyArray<{ id: string; label: MessageKey; keywords: MessageKey }> = [
  { id: 'find', label: 'paletteActionFind', keywords: 'paletteKeywordsFind' },
  { id: 'agenda', label: 'paletteActionAgenda', keywords: 'paletteKeywordsAgenda' },
  { id: 'sidepanel', label: 'paletteActionSidePanel', keywords: 'paletteKeywordsSidePanel' },
  { id: 'invite', label: 'paletteActionInvite', keywords: 'paletteKeywordsInvite' },
  { id: 'sync', label: 'paletteActionSync', keywords: 'paletteKeywordsSync' },
  { id: 'settings', label: 'paletteActionSettings', keywords: 'paletteKeywordsSettings' },
  { id: 'lock', label: 'paletteActionLock', keywords: 'paletteKeywordsLock' },
];

const actionItems = (): PaletteItem[] =>
  ACTIONS.map((a) => ({ id: a.id, group: 'action', label: t(a.label), keywords: t(a.keywords) }));

function meetingItem(n: NegotiationView): PaletteItem {
  const state = n.approval
    ? t('paletteWaitsApproval')
    : phaseWords(n.outcome === 'booked' ? 'booked' : n.phase);
  return {
    id: `meeting:${n.id}`,
    group: 'meeting',
    label: n.with.length ? t('paletteMeetingWith', n.title, n.with.join(', ')) : n.title,
    detail: state,
  };
}

const contactItem = (c: ContactView): PaletteItem => ({
  id: `contact:${c.agentId}`,
  group: 'contact',
  label: t('paletteContactFind', c.name),
  keywords: c.name,
});

/** Marks the keys inside a help message, which are shown as <kbd>. */
const KEY = '\uE000';
const key = (name: string) => `${KEY}${name}${KEY}`;
/** A message whose placeholders were filled with `key(…)`: its text, the keys as <kbd>. */
const withKeys = (text: string) =>
  text.split(KEY).map((part, i) => (i % 2 ? <kbd key={i}>{part}</kbd> : part));

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
    const actions = actionItems();
    return [...actions.slice(0, 1), ...waiting, ...actions.slice(1), ...contacts.map(contactItem), ...others];
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
        message: t('paletteCouldNotOpenSidePanel'),
      });
    });

  function run(item: PaletteItem | undefined): void {
    if (!item) return;
    if (item.group === 'ask') return void ask(query.trim());
    // What goes into the field is for the agent: words its parser understands (see the catalog's note).
    if (item.group === 'contact') return fill(`${t('paletteAgentFindWith', item.keywords ?? '')} `);
    if (item.group === 'meeting') return void openPanel();
    switch (item.id) {
      case 'find':
        return fill(t('paletteAgentFindWith', ''));
      case 'agenda':
        return void ask(t('paletteAgentAgenda'));
      case 'sidepanel':
      case 'invite':
        return void openPanel();
      case 'settings':
        return void openOptionsPage().then(close, (e: ErrorShape) => setError(e));
      case 'sync':
        return void step(async () => {
          await agent.call('calendar.sync', {});
          setDone(t('paletteCalendarsUpToDate'));
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
      setDone(t('paletteDoneFollow'));
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
        aria-label={t('paletteInputLabel')}
        aria-expanded="true"
        aria-controls="palette-options"
        aria-autocomplete="list"
        aria-activedescendant={rows[current] ? `palette-option-${current}` : undefined}
        placeholder={t('palettePlaceholder')}
        data-testid="palette-input"
        autoComplete="off"
        spellcheck={false}
        maxLength={1000}
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      <ul role="listbox" id="palette-options" aria-label={t('paletteResults')} data-testid="palette-options">
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
            <span class="group muted">{t(GROUP_LABEL[item.group])}</span>
          </li>
        ))}
      </ul>
      {busy && (
        <p class="muted" aria-live="polite">
          {t('paletteWorking')}
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
                  {t('paletteDoIt')}
                </button>
                <button
                  class="secondary"
                  data-testid="palette-dismiss"
                  disabled={busy}
                  onClick={() => void dismiss(reply.proposal!.id)}
                >
                  {t('paletteNotNow')}
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
        {withKeys(
          t('paletteHelpKeys', key('↑'), key('↓'), key(t('paletteKeyEnter')), key(t('paletteKeyEsc'))),
        )}{' '}
        {withKeys(t('paletteHelpShortcut', key(PALETTE_SHORTCUT)))}
      </p>
    </main>
  );
}
