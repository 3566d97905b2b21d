import { useEffect, useRef, useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import type { AgendaView, AssistantReply } from '../rpc';
import { ErrorNote, formatTime } from './components';
import { formatDay, formatRange } from './dates';
import { t, type MessageKey } from './i18n';
import { agent, useAgentQuery } from './rpc';

/** Who understood a reply, under it. */
const UNDERSTOOD_BY: Record<AssistantReply['provider'], MessageKey> = {
  builtin: 'commandUnderstoodBuiltin',
  openai: 'commandUnderstoodCloud',
  'on-device': 'commandUnderstoodOnDevice',
};

/** What became of a proposal the person did not take up (the open one has its buttons instead). */
const CLOSED: Record<string, MessageKey> = {
  done: 'commandClosedDone',
  dismissed: 'commandClosedDismissed',
  replaced: 'commandClosedReplaced',
  expired: 'commandClosedExpired',
  failed: 'commandClosedFailed',
};

/** Which way understands what the person types, in one line (the popup's status). */
export function AssistantLine() {
  const { data } = useAgentQuery('assistant.status', {}, ['status']);
  if (!data) return null;
  return (
    <div class="muted" data-testid="assistant-provider" data-provider={data.provider}>
      {data.provider === 'openai'
        ? t('commandUnderstandsCloud', data.model ?? '')
        : data.provider === 'on-device'
          ? t('commandUnderstandsOnDevice')
          : t('commandUnderstandsBuiltin')}
    </div>
  );
}

/** Runs one step at a time for a form: busy while it runs, its error shown. */
function useStep() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorShape>();
  const run = async (step: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await step();
    } catch (e) {
      setError(e as ErrorShape);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run: (step: () => Promise<void>) => void run(step) };
}

interface ReplyView {
  reply: string;
  note?: string;
  provider: AssistantReply['provider'];
  agenda?: AgendaView;
  proposal?: { id: string; actions: { label: string }[]; state: string };
}

/**
 * One reply of the agent: its words, why another way understood (if so), the agenda it read from the
 * local calendar, and what it proposes. Nothing happens until the person confirms (the button, or Enter
 * on it: it takes the focus); each action is listed in words (PRP1–PRP5). Text only, never HTML.
 */
function Reply({
  view,
  latest,
  busy,
  onConfirm,
  onDismiss,
}: {
  view: ReplyView;
  latest: boolean;
  busy: boolean;
  onConfirm: (proposalId: string) => void;
  onDismiss: (proposalId: string) => void;
}) {
  const open = view.proposal?.state === 'open';
  const confirmButton = useRef<HTMLButtonElement>(null);
  // The newest open proposal takes the focus once, so Enter confirms it: one click or one key, never nothing.
  useEffect(() => {
    if (latest && open && !busy) confirmButton.current?.focus();
  }, [view.proposal?.id, latest, open, busy]);
  return (
    <>
      <p dir="auto">{view.reply}</p>
      {view.note && <p class="muted">{view.note}</p>}
      {view.agenda && (
        <ul class="contacts" data-testid="agenda">
          {view.agenda.items.length === 0 && <li class="muted">{t('commandNothingInCalendar')}</li>}
          {view.agenda.items.map((item) => (
            <li key={`${item.start}-${item.title}`} data-testid="agenda-item">
              <span class="mono">{when(item)}</span> <bdi>{item.title}</bdi>
              {item.byParley && <span class="muted">{t('commandByParley')}</span>}
            </li>
          ))}
        </ul>
      )}
      {view.proposal && (
        <ul data-testid={open ? 'proposal' : 'proposal-closed'} data-state={view.proposal.state}>
          {view.proposal.actions.map((a) => (
            <li key={a.label}>{a.label}</li>
          ))}
        </ul>
      )}
      {view.proposal && !open && CLOSED[view.proposal.state] && (
        <p class="muted">{t(CLOSED[view.proposal.state]!)}</p>
      )}
      {view.proposal && open && (
        <div class="row">
          <button
            data-testid="command-confirm"
            disabled={busy}
            ref={confirmButton}
            onClick={() => onConfirm(view.proposal!.id)}
          >
            {t('commandDoIt')}
          </button>
          <button
            class="secondary"
            data-testid="command-dismiss"
            onClick={() => onDismiss(view.proposal!.id)}
          >
            {t('commandNotNow')}
          </button>
        </div>
      )}
      <p class="muted" data-testid={latest ? 'command-provider' : undefined}>
        {t(UNDERSTOOD_BY[view.provider])}
      </p>
    </>
  );
}

function Composer({
  text,
  setText,
  busy,
  onAsk,
}: {
  text: string;
  setText: (text: string) => void;
  busy: boolean;
  onAsk: (words: string) => void;
}) {
  const submit = (event: Event) => {
    event.preventDefault();
    const words = text.trim();
    if (words) onAsk(words);
  };
  return (
    <form class="row" onSubmit={submit}>
      <input
        aria-label={t('commandAskLabel')}
        dir="auto"
        placeholder={t('commandAskPlaceholder')}
        data-testid="command-input"
        value={text}
        maxLength={1000}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit" data-testid="command-submit" disabled={busy || !text.trim()}>
        {t('commandAsk')}
      </button>
    </form>
  );
}

/** The popup's command box: words in, the agent's one reply out (the whole thread is in the side panel). */
export function CommandBox({ initial = '' }: { initial?: string }) {
  const [text, setText] = useState(initial);
  const [reply, setReply] = useState<AssistantReply>();
  const [done, setDone] = useState<string>();
  const { busy, error, run } = useStep();

  const ask = (words: string) =>
    run(async () => {
      setDone(undefined);
      setReply(await agent.call('assistant.ask', { text: words }));
    });
  const confirm = (proposalId: string) =>
    run(async () => {
      await agent.call('assistant.confirm', { proposalId });
      setReply(undefined);
      setText('');
      setDone(t('commandDoneFollow'));
    });
  const dismiss = (proposalId: string) =>
    run(async () => {
      await agent.call('assistant.dismiss', { proposalId });
      setReply(undefined);
    });

  return (
    <div class="stack" data-testid="command-box" aria-live="polite">
      <Composer text={text} setText={setText} busy={busy} onAsk={ask} />
      {reply && (
        <div class="bubble" data-testid="command-reply" data-intent={reply.command.intent}>
          <Reply
            view={{
              reply: reply.reply,
              provider: reply.provider,
              ...(reply.note && { note: reply.note }),
              ...(reply.agenda && { agenda: reply.agenda }),
              ...(reply.proposal && { proposal: { ...reply.proposal, state: 'open' } }),
            }}
            latest
            busy={busy}
            onConfirm={confirm}
            onDismiss={dismiss}
          />
        </div>
      )}
      {done && (
        <p class="notice" data-testid="command-done">
          {done}
        </p>
      )}
      <ErrorNote error={error} />
    </div>
  );
}

/**
 * The side panel's conversation with the agent (docs/protocol/chat.md): every turn, kept in the vault and
 * searchable; what a model writes appears as it arrives; proposals keep their outcome in the thread.
 */
export function ChatPanel({ initial = '' }: { initial?: string }) {
  const { data } = useAgentQuery('assistant.thread', {}, ['chat']);
  const [text, setText] = useState(initial);
  const [done, setDone] = useState<string>();
  const { busy, error, run } = useStep();
  const end = useRef<HTMLLIElement>(null);
  const turns = data?.turns ?? [];
  const lastAgent = turns.findLastIndex((turn) => turn.role === 'agent');

  useEffect(() => end.current?.scrollIntoView?.({ block: 'nearest' }), [turns.length, data?.streaming]);

  const ask = (words: string) =>
    run(async () => {
      setDone(undefined);
      await agent.call('assistant.ask', { text: words });
      setText('');
    });
  const confirm = (proposalId: string) =>
    run(async () => {
      await agent.call('assistant.confirm', { proposalId });
      setDone(t('commandDoneFollow'));
    });
  const dismiss = (proposalId: string) =>
    run(async () => {
      await agent.call('assistant.dismiss', { proposalId });
    });
  const clear = () =>
    run(async () => {
      await agent.call('assistant.clearThread', {});
      setDone(undefined);
    });

  return (
    <div class="stack" data-testid="command-box">
      <ol
        class="thread"
        data-testid="chat-thread"
        aria-label={t('commandConversationLabel')}
        aria-live="polite"
        // A reply that is still arriving is read once, whole.
        aria-busy={data?.streaming !== undefined}
      >
        {turns.map((turn, i) =>
          turn.role === 'person' ? (
            <li key={turn.id} class="bubble out" dir="auto" data-testid="chat-turn" data-role="person">
              {turn.text}
              <span class="meta" dir="auto">
                {formatTime(turn.at)}
              </span>
            </li>
          ) : (
            <li
              key={turn.id}
              class="bubble"
              dir="auto"
              data-testid={i === lastAgent ? 'command-reply' : 'chat-turn'}
              data-role="agent"
              data-intent={turn.command?.intent}
            >
              <Reply
                view={{ ...turn, reply: turn.text, provider: turn.provider ?? 'builtin' }}
                latest={i === lastAgent}
                busy={busy}
                onConfirm={confirm}
                onDismiss={dismiss}
              />
            </li>
          ),
        )}
        {data?.streaming !== undefined ? (
          <li class="bubble" dir="auto" data-testid="chat-streaming">
            {data.streaming || '…'}
          </li>
        ) : (
          busy && (
            <li class="bubble muted" data-testid="chat-thinking">
              {t('commandThinking')}
            </li>
          )
        )}
        <li ref={end} aria-hidden="true" />
      </ol>
      <Composer text={text} setText={setText} busy={busy} onAsk={ask} />
      {done && (
        <p class="notice" data-testid="command-done">
          {done}
        </p>
      )}
      {turns.length > 0 && (
        <button class="secondary" data-testid="chat-clear" disabled={busy} onClick={clear}>
          {t('commandDeleteConversation')}
        </button>
      )}
      <ErrorNote error={error} />
    </div>
  );
}

/** [A11Y8] In the person's locale and zone (src/ui/dates.ts). */
function when(item: { start: number; end: number; allDay: boolean }): string {
  return item.allDay ? formatDay(item.start) : formatRange(item.start, item.end);
}
