import { useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import type { NegotiationView } from '../rpc';
import { ErrorNote, Section } from './components';
import { formatRange } from './dates';
import { narrate } from './narrate';
import { agent, useAgentQuery } from './rpc';

const when = (slot: { start: number; end: number }) => formatRange(slot.start, slot.end);

/**
 * [ICS11] Saves a booked meeting as an .ics file (one click): without Google, the person's own calendar
 * app gets the meeting this way.
 */
async function downloadInvitation(negotiationId: string): Promise<void> {
  const { filename, text } = await agent.call('calendar.invitation', { negotiationId });
  const url = URL.createObjectURL(new Blob([text], { type: 'text/calendar;charset=utf-8' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  link.click();
  // The download has started from the object URL; a minute later nothing needs it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const PHASES: Record<string, string> = {
  checking: 'checking your calendar',
  querying: 'asking for their free times',
  approving: 'waiting for your approval',
  approving_disclosure: 'waiting for your approval',
  approving_accept: 'waiting for your approval',
  proposing: 'proposing a time',
  responded: 'shared free times, waiting',
  booking: 'booking',
  booked: 'booked',
  failed: 'no time found',
  cancelled: 'cancelled',
  declined: 'declined',
  expired: 'expired',
};

/** Why a meeting did not happen (or a step keeps failing), in the person's words. */
const REASONS: Record<string, string> = {
  declined: 'Someone declined.',
  no_overlap: 'Nobody had time in common in that window.',
  no_common_slot: 'No time suited everyone.',
  timed_out: 'An agent did not answer in time.',
  organizer_declined: 'The organizer declined.',
  booking_failed:
    'Your calendar refused the booking; the others were told. Check the calendar connection and try again.',
  expired: 'The request expired.',
  send_failed: 'A message could not be sent; Parley keeps trying while the meeting is open.',
  book_failed: 'The booking keeps failing; check your calendar connection.',
  ensure_invitation_failed: 'The meeting could not be added to your calendar; check the calendar connection.',
  cancel_event_failed: 'The meeting could not be removed from your calendar; remove it there by hand.',
  need_availability_failed: 'Your free times could not be read; check the calendar connection.',
  audit_failed: 'The activity log could not be written.',
};

/** Approve or decline exactly what the agent asks, from the popup or the side panel. */
function Approvals({ negotiations }: { negotiations: NegotiationView[] }) {
  const [error, setError] = useState<ErrorShape>();
  const pending = negotiations.filter((n) => n.approval);
  if (pending.length === 0) return null;
  const decide = async (n: NegotiationView, approved: boolean) => {
    try {
      await agent.call('negotiations.decide', {
        negotiationId: n.id,
        actionHash: n.approval!.actionHash,
        approved,
      });
      setError(undefined);
    } catch (e) {
      setError(e as ErrorShape);
    }
  };
  return (
    <div class="stack" data-testid="approvals">
      {pending.map((n) => (
        <div class="bubble" key={n.id} data-testid="approval" data-negotiation={n.id} data-title={n.title}>
          <strong dir="auto">{n.title}</strong> <span class="muted">with {n.with.join(', ')}</span>
          <div>{n.approval!.description}</div>
          <ul class="muted">
            {n.approval!.slots.map((s) => (
              <li key={s.start}>{when(s)}</li>
            ))}
          </ul>
          <div class="row">
            <button data-testid="approve" onClick={() => decide(n, true)}>
              Approve
            </button>
            <button class="secondary" data-testid="decline" onClick={() => decide(n, false)}>
              Decline
            </button>
          </div>
        </div>
      ))}
      <ErrorNote error={error} />
    </div>
  );
}

export function PendingApprovals() {
  const { data } = useAgentQuery('negotiations.list', {}, ['negotiations']);
  return data ? <Approvals negotiations={data} /> : null;
}

/** [HOM1] The side panel's "Needs you": every approval the agent waits for, decided inline. */
export function NeedsYou() {
  const { data } = useAgentQuery('negotiations.list', {}, ['negotiations']);
  const count = data?.filter((n) => n.approval).length ?? 0;
  return (
    <Section title={count ? `Needs you (${count})` : 'Needs you'}>
      <div data-testid="needs-you" data-count={count}>
        {data && count === 0 && <p class="muted">Nothing waits for you.</p>}
        {data && <Approvals negotiations={data} />}
      </div>
    </Section>
  );
}

/** [HOM2] A meeting's negotiation in words, and its precise outcome. */
function Story({ negotiation }: { negotiation: NegotiationView }) {
  const told = narrate(negotiation, {
    now: Date.now(),
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  });
  return (
    <>
      {told.steps && (
        <div data-testid="negotiation-story" dir="auto">
          {told.steps}
        </div>
      )}
      <div data-testid="negotiation-outcome" data-kind={told.kind} class={outcomeClass(told.kind)}>
        {told.outcome}
      </div>
    </>
  );
}

const outcomeClass = (kind: string) =>
  ['booked'].includes(kind) ? 'notice' : ['waiting', 'open', 'needs_you'].includes(kind) ? 'muted' : 'error';

/** "Find a time with…" and what each negotiation is doing, in plain words. */
export function MeetingsSection({ approvals = true }: { approvals?: boolean }) {
  const { data: negotiations } = useAgentQuery('negotiations.list', {}, ['negotiations']);
  const { data: contacts } = useAgentQuery('contacts.list', {}, ['contacts']);
  const { data: calendar } = useAgentQuery('calendar.overview', {}, ['calendar']);
  const [chosen, setChosen] = useState<string[]>([]);
  const [title, setTitle] = useState('');
  const [durationMin, setDuration] = useState(30);
  const [withinDays, setWithin] = useState(7);
  const [error, setError] = useState<ErrorShape>();
  const paired = contacts?.filter((c) => c.status === 'paired') ?? [];

  const start = async (event: Event) => {
    event.preventDefault();
    try {
      await agent.call('negotiations.start', {
        contactIds: chosen,
        durationMin,
        title: title.trim() || 'Meeting',
        withinDays,
      });
      setError(undefined);
      setChosen([]);
      setTitle('');
    } catch (e) {
      setError(e as ErrorShape);
    }
  };

  return (
    <Section title="Meetings">
      <div class="stack">
        {approvals && negotiations && <Approvals negotiations={negotiations} />}
        {paired.length > 0 && (
          <form class="stack" onSubmit={start} data-testid="find-time">
            <span>Find a time with…</span>
            {paired.map((c) => (
              <label class="row" key={c.agentId}>
                <input
                  type="checkbox"
                  style={{ width: 'auto' }}
                  data-testid="find-time-contact"
                  data-name={c.name}
                  checked={chosen.includes(c.agentId)}
                  onChange={(e) =>
                    setChosen(
                      e.currentTarget.checked
                        ? [...chosen, c.agentId]
                        : chosen.filter((id) => id !== c.agentId),
                    )
                  }
                />
                {c.name}
              </label>
            ))}
            <input
              placeholder="What is it about?"
              aria-label="What is it about?"
              dir="auto"
              name="title"
              value={title}
              onInput={(e) => setTitle(e.currentTarget.value)}
            />
            <div class="row">
              <select
                name="duration"
                aria-label="How long"
                value={durationMin}
                onChange={(e) => setDuration(Number(e.currentTarget.value))}
              >
                {[15, 30, 45, 60, 90].map((m) => (
                  <option value={m} key={m}>
                    {m} minutes
                  </option>
                ))}
              </select>
              <select
                name="within"
                aria-label="Within"
                value={withinDays}
                onChange={(e) => setWithin(Number(e.currentTarget.value))}
              >
                {[3, 7, 14, 30].map((d) => (
                  <option value={d} key={d}>
                    within {d} days
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" disabled={chosen.length === 0} data-testid="find-time-submit">
              Find a time
            </button>
          </form>
        )}
        <ErrorNote error={error} />
        <ul class="contacts" data-testid="negotiations">
          {negotiations?.map((n) => (
            <li
              key={n.id}
              class="bubble"
              data-testid="negotiation"
              data-negotiation={n.id}
              data-phase={n.phase}
              data-outcome={n.outcome ?? ''}
              data-result={n.result?.kind ?? ''}
            >
              <strong dir="auto">{n.title}</strong> <span class="muted">with {n.with.join(', ')}</span>
              <div class="muted">
                {PHASES[n.phase] ?? n.phase}
                {n.slot && ` · ${when(n.slot)}`}
              </div>
              <Story negotiation={n} />
              {n.notes?.map((x) => (
                <div class="muted" data-testid="negotiation-note" key={x.name} dir="auto">
                  {x.name}: “{x.note}”
                </div>
              ))}
              {n.reason && (
                <div class="error" data-testid="negotiation-reason" data-reason={n.reason}>
                  {REASONS[n.reason] ?? 'Something went wrong with this meeting; see Settings → Diagnostics.'}
                </div>
              )}
              {n.phase === 'booked' && calendar && !calendar.connected && (
                <button
                  class="secondary"
                  data-testid="add-to-calendar"
                  onClick={() => void downloadInvitation(n.id).catch(setError)}
                >
                  Add to my calendar (.ics)
                </button>
              )}
              {n.role === 'organizer' && n.phase === 'booked' && (
                <button
                  class="secondary"
                  data-testid="reschedule"
                  onClick={() =>
                    void agent
                      .call('negotiations.reschedule', { negotiationId: n.id, withinDays: 7 })
                      .catch(setError)
                  }
                >
                  Find another time
                </button>
              )}
              {!['cancelled', 'failed', 'declined', 'expired'].includes(n.phase) && (
                <button
                  class="secondary"
                  data-testid="cancel"
                  onClick={() =>
                    void agent.call('negotiations.cancel', { negotiationId: n.id }).catch(setError)
                  }
                >
                  {n.phase === 'booked' ? 'Cancel meeting' : 'Stop'}
                </button>
              )}
            </li>
          ))}
        </ul>
      </div>
    </Section>
  );
}
