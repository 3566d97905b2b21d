import { useState } from 'preact/hooks';
import type { ActivityItem } from '../rpc';
import { ErrorNote, Section } from './components';
import { useAgentQuery } from './rpc';

/** The log's kinds as the filter offers them; a kind the agent adds later falls under "Everything". */
const FILTERS = [
  { id: 'all', label: 'Everything', kinds: null },
  { id: 'disclosed', label: 'Free times shared', kinds: ['disclosed'] },
  { id: 'decisions', label: 'Proposals and acceptances', kinds: ['proposed', 'accepted', 'rescheduled'] },
  { id: 'bookings', label: 'Bookings', kinds: ['booked'] },
  { id: 'ended', label: 'Declines and cancellations', kinds: ['declined', 'cancelled'] },
  { id: 'model', label: 'Sent to a cloud model', kinds: ['model_request'] },
] as const satisfies readonly { id: string; label: string; kinds: readonly ActivityItem['kind'][] | null }[];

const VERB: Record<ActivityItem['kind'], string> = {
  disclosed: 'Shared',
  proposed: 'Proposed',
  accepted: 'Accepted',
  booked: 'Booked',
  declined: 'Declined',
  cancelled: 'Cancelled',
  rescheduled: 'Moved',
  model_request: 'Sent to the model',
};

const at = (time: number) =>
  new Date(time).toLocaleString(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
const slotTime = (slot: { start: number; end: number }) =>
  new Date(slot.start).toLocaleString(undefined, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });

/** One line of the log in words: what, to or with whom, which times. */
export function describeActivity(item: ActivityItem): string {
  const names = item.contacts.map((c) => c.name).join(', ');
  const count = `${item.slots.length} ${item.slots.length === 1 ? 'time' : 'times'}`;
  switch (item.kind) {
    case 'disclosed':
      return `Shared ${count} you are free with ${names || 'the organizer'}`;
    case 'model_request':
      return `Sent your words to ${item.model ?? 'the model'}`;
    default:
      return `${VERB[item.kind] ?? 'Did'}${item.slots.length ? ` ${slotTime(item.slots[0]!)}` : ''}${names ? ` with ${names}` : ''}`;
  }
}

/**
 * [HOM3] What the agent did and shared: disclosures (which times, to whom, when), proposals, bookings,
 * declines and cancellations, and what a cloud model received — newest first, filtered by kind and contact.
 */
export function ActivityLog() {
  const { data, error } = useAgentQuery('activity.list', {}, ['negotiations', 'status', 'chat']);
  const [filter, setFilter] = useState<(typeof FILTERS)[number]['id']>('all');
  const [contact, setContact] = useState('');
  const kinds = FILTERS.find((f) => f.id === filter)?.kinds ?? null;
  const contacts = new Map<string, string>();
  for (const item of data ?? []) for (const c of item.contacts) contacts.set(c.id, c.name);
  const shown = (data ?? []).filter(
    (item) =>
      (kinds === null || (kinds as readonly string[]).includes(item.kind)) &&
      (!contact || item.contacts.some((c) => c.id === contact)),
  );

  return (
    <Section title="Activity">
      <div class="stack" data-testid="activity">
        <div class="row">
          <label class="stack">
            <span class="muted">Show</span>
            <select
              data-testid="activity-kind"
              value={filter}
              onChange={(e) => setFilter(e.currentTarget.value as typeof filter)}
            >
              {FILTERS.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
          <label class="stack">
            <span class="muted">With</span>
            <select
              data-testid="activity-contact"
              value={contact}
              onChange={(e) => setContact(e.currentTarget.value)}
            >
              <option value="">Anyone</option>
              {[...contacts].map(([id, name]) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        </div>
        {data && shown.length === 0 && (
          <p class="muted" data-testid="activity-empty">
            Nothing yet{filter !== 'all' || contact ? ' for this filter' : ''}.
          </p>
        )}
        <ul class="contacts activity-list" data-testid="activity-items">
          {shown.map((item) => (
            <li key={item.id} class="bubble" data-testid="activity-item" data-kind={item.kind}>
              <div>
                <strong>{describeActivity(item)}</strong>
                {item.title && <span class="muted"> · {item.title}</span>}
              </div>
              <div class="muted">
                <time dateTime={new Date(item.at).toISOString()}>{at(item.at)}</time>
              </div>
              {item.kind === 'disclosed' && item.slots.length > 0 && (
                <ul class="muted" data-testid="activity-slots">
                  {item.slots.map((s) => (
                    <li key={s.start}>{slotTime(s)}</li>
                  ))}
                </ul>
              )}
              {item.kind === 'model_request' && item.text && (
                <div class="mono" dir="auto">
                  {item.text}
                </div>
              )}
            </li>
          ))}
        </ul>
        <ErrorNote error={error} />
      </div>
    </Section>
  );
}
