import { useState } from 'preact/hooks';
import type { ActivityItem } from '../rpc';
import { ErrorNote, Section } from './components';
import { currentZone, formatDateTime, type DateContext } from './dates';
import { t, type MessageKey } from './i18n';
import { plural } from './plural';
import { useAgentQuery } from './rpc';

/** The log's kinds as the filter offers them; a kind the agent adds later falls under "Everything". */
const FILTERS = [
  { id: 'all', label: 'activityFilterAll', kinds: null },
  { id: 'disclosed', label: 'activityFilterDisclosed', kinds: ['disclosed'] },
  { id: 'decisions', label: 'activityFilterDecisions', kinds: ['proposed', 'accepted', 'rescheduled'] },
  { id: 'bookings', label: 'activityFilterBookings', kinds: ['booked'] },
  { id: 'ended', label: 'activityFilterEnded', kinds: ['declined', 'cancelled'] },
  { id: 'model', label: 'activityFilterModel', kinds: ['model_request'] },
] as const satisfies readonly {
  id: string;
  label: MessageKey;
  kinds: readonly ActivityItem['kind'][] | null;
}[];

/** Each kind's line, whole: with a time and names, a time only, names only, or neither. */
type Line = readonly [full: MessageKey, time: MessageKey, names: MessageKey, plain: MessageKey];
const LINE: Record<string, Line> = {
  proposed: ['activityProposed', 'activityProposedTime', 'activityProposedWith', 'activityProposedPlain'],
  accepted: ['activityAccepted', 'activityAcceptedTime', 'activityAcceptedWith', 'activityAcceptedPlain'],
  booked: ['activityBooked', 'activityBookedTime', 'activityBookedWith', 'activityBookedPlain'],
  declined: ['activityDeclined', 'activityDeclinedTime', 'activityDeclinedWith', 'activityDeclinedPlain'],
  cancelled: [
    'activityCancelled',
    'activityCancelledTime',
    'activityCancelledWith',
    'activityCancelledPlain',
  ],
  rescheduled: [
    'activityRescheduled',
    'activityRescheduledTime',
    'activityRescheduledWith',
    'activityRescheduledPlain',
  ],
};
const OTHER: Line = ['activityOther', 'activityOtherTime', 'activityOtherWith', 'activityOtherPlain'];

/** [A11Y8] In the person's locale and zone (src/ui/dates.ts). */
const at = (time: number) => formatDateTime(time);
const slotTime = (slot: { start: number; end: number }) => formatDateTime(slot.start);

/** Monday 1 January 2024, noon UTC: the week the weekday names are read from. */
const MONDAY = Date.UTC(2024, 0, 1, 12);
const DAY_MS = 86_400_000;

/**
 * [DIS4] Meeting hours as told (CNV6), in the person's zone and locale (A11Y8): the ranges grouped by their
 * time of day, each with its weekdays, a run of three or more as a range, e.g. "Mon – Fri 9:00 AM – 5:00 PM".
 * Every word is `Intl`'s.
 */
export function formatHours(hours: NonNullable<ActivityItem['hours']>, context: DateContext = {}): string {
  const { locale } = context;
  const timeZone = context.timeZone ?? currentZone();
  const cycle = new Intl.DateTimeFormat(locale, { hour: 'numeric', timeZone }).resolvedOptions().hourCycle;
  const clock = new Intl.DateTimeFormat(locale, {
    hour: cycle === 'h23' || cycle === 'h24' ? '2-digit' : 'numeric',
    minute: '2-digit',
    timeZone,
  });
  const dateParts = new Intl.DateTimeFormat('en-US', {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    timeZone,
  });
  const weekday = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
  const days = new Intl.ListFormat(locale, { type: 'unit', style: 'short' });
  /** 0 for Monday … 6 for Sunday, of the day `at` falls on in the zone. */
  const dayOf = (at: number) => {
    const part = (type: string) => Number(dateParts.formatToParts(at).find((p) => p.type === type)?.value);
    return (new Date(Date.UTC(part('year'), part('month') - 1, part('day'))).getUTCDay() + 6) % 7;
  };
  const groups = new Map<string, Set<number>>();
  for (const h of [...hours].sort((a, b) => a.start - b.start)) {
    const times = clock.formatRange(h.start, h.end);
    groups.set(times, (groups.get(times) ?? new Set()).add(dayOf(h.start)));
  }
  const lines = [...groups].map(([times, set]) => {
    const sorted = [...set].sort((a, b) => a - b);
    const runs: number[][] = [];
    for (const d of sorted) {
      const run = runs.at(-1);
      if (run && run.at(-1) === d - 1) run.push(d);
      else runs.push([d]);
    }
    const named = runs.flatMap((run) => {
      const [first, last] = [run[0]!, run.at(-1)!];
      return run.length >= 3
        ? [weekday.formatRange(MONDAY + first * DAY_MS, MONDAY + last * DAY_MS)]
        : run.map((d) => weekday.format(MONDAY + d * DAY_MS));
    });
    return `${days.format(named)} ${times}`;
  });
  return new Intl.ListFormat(locale, { type: 'conjunction' }).format(lines);
}

/** One line of the log in words: what, to or with whom, which times. */
export function describeActivity(item: ActivityItem): string {
  const names = item.contacts.map((c) => c.name).join(', ');
  const n = item.slots.length;
  switch (item.kind) {
    case 'disclosed':
      if (item.hours) {
        if (item.hours.length === 0)
          return names ? t('activityHoursNoneWith', names) : t('activityHoursNoneOrganizer');
        const hours = formatHours(item.hours);
        return names ? t('activityHoursWith', names, hours) : t('activityHoursOrganizer', hours);
      }
      return names
        ? plural(n, { one: 'activitySharedOne', other: 'activitySharedOther' }, names)
        : plural(n, { one: 'activitySharedOrganizerOne', other: 'activitySharedOrganizerOther' });
    case 'model_request':
      return item.model ? t('activitySentToModel', item.model) : t('activitySentToTheModel');
    default: {
      const [full, time, withNames, plain] = LINE[item.kind] ?? OTHER;
      const first = item.slots[0];
      if (first && names) return t(full, slotTime(first), names);
      if (first) return t(time, slotTime(first));
      return names ? t(withNames, names) : t(plain);
    }
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
    <Section title={t('activityTitle')}>
      <div class="stack" data-testid="activity">
        <div class="row">
          <label class="stack">
            <span class="muted">{t('activityShow')}</span>
            <select
              data-testid="activity-kind"
              value={filter}
              onChange={(e) => setFilter(e.currentTarget.value as typeof filter)}
            >
              {FILTERS.map((f) => (
                <option key={f.id} value={f.id}>
                  {t(f.label)}
                </option>
              ))}
            </select>
          </label>
          <label class="stack">
            <span class="muted">{t('activityWith')}</span>
            <select
              data-testid="activity-contact"
              value={contact}
              onChange={(e) => setContact(e.currentTarget.value)}
            >
              <option value="">{t('activityAnyone')}</option>
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
            {filter !== 'all' || contact ? t('activityNothingForFilter') : t('activityNothingYet')}
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
