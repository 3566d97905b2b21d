import { useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import type { AssistantReply } from '../rpc';
import { ErrorNote } from './components';
import { agent, useAgentQuery } from './rpc';

const PROVIDERS: Record<AssistantReply['provider'], string> = {
  builtin: 'built-in parser',
  openai: 'cloud model',
  'on-device': 'on-device model',
};

/** Which way understands what the person types, in one line (the popup's status). */
export function AssistantLine() {
  const { data } = useAgentQuery('assistant.status', {}, ['status']);
  if (!data) return null;
  return (
    <div class="muted" data-testid="assistant-provider" data-provider={data.provider}>
      Understands you with the {PROVIDERS[data.provider]}
      {data.provider === 'openai' ? ` (${data.model})` : ''}
    </div>
  );
}

/**
 * The person talks to the agent: words in, the agent's reply and what it proposes out. Nothing happens
 * until the person confirms (the button, or Enter on it); the proposal lists each action in words
 * (docs/protocol/proposals.md PRP1–PRP5). Everything shown is text, never HTML.
 */
export function CommandBox({ initial = '' }: { initial?: string }) {
  const [text, setText] = useState(initial);
  const [reply, setReply] = useState<AssistantReply>();
  const [done, setDone] = useState<string>();
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

  const ask = (event: Event) => {
    event.preventDefault();
    const words = text.trim();
    if (!words) return;
    void run(async () => {
      setDone(undefined);
      setReply(await agent.call('assistant.ask', { text: words }));
    });
  };

  const confirm = (proposalId: string) =>
    void run(async () => {
      await agent.call('assistant.confirm', { proposalId });
      setReply(undefined);
      setText('');
      setDone('Done. You can follow it under Meetings.');
    });

  const dismiss = (proposalId: string) =>
    void run(async () => {
      await agent.call('assistant.dismiss', { proposalId });
      setReply(undefined);
    });

  return (
    <div class="stack" data-testid="command-box">
      <form class="row" onSubmit={ask}>
        <input
          aria-label="Ask your agent"
          placeholder="e.g. find 30 minutes with Dana next week, mornings"
          data-testid="command-input"
          value={text}
          maxLength={1000}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit" data-testid="command-submit" disabled={busy || !text.trim()}>
          Ask
        </button>
      </form>
      {reply && (
        <div class="bubble" data-testid="command-reply" data-intent={reply.command.intent}>
          <p>{reply.reply}</p>
          {reply.note && <p class="muted">{reply.note}</p>}
          {reply.agenda && (
            <ul class="contacts" data-testid="agenda">
              {reply.agenda.items.length === 0 && <li class="muted">Nothing in your calendar then.</li>}
              {reply.agenda.items.map((item) => (
                <li key={`${item.start}-${item.title}`} data-testid="agenda-item">
                  <span class="mono">{when(item)}</span> {item.title}
                  {item.byParley && <span class="muted"> · by Parley</span>}
                </li>
              ))}
            </ul>
          )}
          {reply.proposal && (
            <>
              <ul data-testid="proposal">
                {reply.proposal.actions.map((a) => (
                  <li key={a.label}>{a.label}</li>
                ))}
              </ul>
              <div class="row">
                <button
                  data-testid="command-confirm"
                  disabled={busy}
                  // Focused, so Enter confirms: one click or one key, never nothing.
                  ref={(el) => el?.focus()}
                  onClick={() => confirm(reply.proposal!.id)}
                >
                  Do it
                </button>
                <button
                  class="secondary"
                  data-testid="command-dismiss"
                  onClick={() => dismiss(reply.proposal!.id)}
                >
                  Not now
                </button>
              </div>
            </>
          )}
          <p class="muted" data-testid="command-provider">
            Understood by the {PROVIDERS[reply.provider]}.
          </p>
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

function when(item: { start: number; end: number; allDay: boolean }): string {
  if (item.allDay)
    return new Date(item.start).toLocaleDateString(undefined, {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
    });
  const day = new Date(item.start).toLocaleDateString(undefined, { weekday: 'short' });
  const time = (at: number) =>
    new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return `${day} ${time(item.start)}–${time(item.end)}`;
}
