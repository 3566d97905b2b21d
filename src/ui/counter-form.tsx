import { useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import type { NegotiationView } from '../rpc';
import { ErrorNote } from './components';
import { currentZone } from './dates';
import { t } from './i18n';
import { agent } from './rpc';
import { zonedInstant } from './zoned-time';

/**
 * [CRL1] "None of these — Thursday afternoon?": the participant's one decision as a counter-proposal
 * (`negotiations.counter`, ASK3): a day and a start time in the person's own zone, the length the organizer
 * asked for, and an optional note. The action's message, when it refuses the time, is shown in place.
 */
export function CounterForm({ negotiation }: { negotiation: NegotiationView }) {
  const [open, setOpen] = useState(false);
  const [day, setDay] = useState('');
  const [start, setStart] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<ErrorShape>();
  const [sent, setSent] = useState(false);
  const first = negotiation.approval?.slots[0];
  const durationMs = negotiation.story?.durationMin
    ? negotiation.story.durationMin * 60_000
    : first
      ? first.end - first.start
      : 30 * 60_000;

  if (negotiation.role !== 'participant' || !negotiation.approval) return null;
  if (!open) {
    return (
      <button class="secondary" data-testid="counter-open" onClick={() => setOpen(true)}>
        {t('counterOpen')}
      </button>
    );
  }
  const submit = async (event: Event) => {
    event.preventDefault();
    const at = zonedInstant(day, start, currentZone());
    if (at === undefined) {
      setError({ code: 'bad_request', message: t('counterInvalid') });
      return;
    }
    try {
      await agent.call('negotiations.counter', {
        negotiationId: negotiation.id,
        slots: [{ start: at, end: at + durationMs }],
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      setError(undefined);
      setSent(true);
    } catch (e) {
      setError(e as ErrorShape);
    }
  };
  return (
    <form class="stack" data-testid="counter-form" onSubmit={submit}>
      <div class="row wrap">
        <input
          type="date"
          aria-label={t('counterDay')}
          data-testid="counter-day"
          value={day}
          onInput={(e) => setDay(e.currentTarget.value)}
        />
        <input
          type="time"
          aria-label={t('counterStart')}
          data-testid="counter-start"
          step={300}
          value={start}
          onInput={(e) => setStart(e.currentTarget.value)}
        />
      </div>
      <input
        aria-label={t('counterNote')}
        placeholder={t('counterNotePlaceholder')}
        data-testid="counter-note"
        dir="auto"
        maxLength={1_000}
        value={note}
        onInput={(e) => setNote(e.currentTarget.value)}
      />
      <button type="submit" data-testid="counter-send">
        {t('counterSend')}
      </button>
      {sent && (
        <p class="notice" role="status">
          {t('counterSent')}
        </p>
      )}
      <ErrorNote error={error} />
    </form>
  );
}
