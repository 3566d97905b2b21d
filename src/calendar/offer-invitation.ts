import ICAL from 'ical.js';

type Slot = { readonly start: number; readonly end: number };

/**
 * [NOP3] The times offered to someone without Parley, as one iCalendar file. `METHOD:PUBLISH` with one
 * VEVENT per proposed time, each `STATUS:TENTATIVE` and `TRANSP:TRANSPARENT`: calendar apps (Google
 * Calendar's import, Apple Calendar, Outlook) add every option as a tentative event that does not block the
 * recipient's time, and the recipient answers by e-mail. `METHOD:REQUEST` is not used: an iTIP request
 * carries one meeting (one UID) and needs an ORGANIZER whose address the app answers to, so several
 * alternative times in one request are shown as several invitations to accept — accepting one would not
 * reach Parley anyway. Each option's UID is stable (`<offer id>-<n>@parley`), so opening the file twice
 * updates the same events instead of adding copies.
 */
export function offerInvitation(input: {
  offerId: string;
  title: string;
  slots: readonly Slot[];
  /** When the offer was made (epoch ms): DTSTAMP. */
  createdAt: number;
}): string {
  const utc = (ms: number) => ICAL.Time.fromJSDate(new Date(ms), true);
  const calendar = new ICAL.Component(['vcalendar', [], []]);
  calendar.updatePropertyWithValue('prodid', '-//Parley//Parley proposed times//EN');
  calendar.updatePropertyWithValue('version', '2.0');
  calendar.updatePropertyWithValue('calscale', 'GREGORIAN');
  calendar.updatePropertyWithValue('method', 'PUBLISH');
  const title = input.title.slice(0, 200) || 'Meeting';
  input.slots.forEach((slot, i) => {
    const event = new ICAL.Component('vevent');
    event.updatePropertyWithValue('uid', `${input.offerId}-${i + 1}@parley`);
    event.updatePropertyWithValue('dtstamp', utc(input.createdAt));
    event.updatePropertyWithValue('dtstart', utc(slot.start));
    event.updatePropertyWithValue('dtend', utc(slot.end));
    event.updatePropertyWithValue('summary', `${title} (proposed time ${i + 1} of ${input.slots.length})`);
    event.updatePropertyWithValue('status', 'TENTATIVE');
    event.updatePropertyWithValue('transp', 'TRANSPARENT');
    calendar.addSubcomponent(event);
  });
  return calendar.toString() + '\r\n';
}

/** One offered time in the person's language and zone, e.g. "Tue, 8 Dec, 10:00 – 10:30 CET". */
export function offerTimeText(slot: Slot, locale: string, timeZone: string): string {
  const format = new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
  return format.formatRange(new Date(slot.start), new Date(slot.end));
}

/**
 * [NOP4] An e-mail draft with the offered times (RFC 6068): every part percent-encoded with
 * `encodeURIComponent` (a space is `%20`, never `+`, which mail apps would show), lines joined by CRLF.
 * The times are written in the person's locale and zone, the zone named on every line.
 */
export function offerMailto(input: {
  to?: string;
  name: string;
  title: string;
  durationMin: number;
  slots: readonly Slot[];
  locale: string;
  timeZone: string;
}): { href: string; subject: string; body: string } {
  const subject = `${input.title || 'Meeting'}: which time suits you?`;
  const lines = [
    `Hello ${input.name},`,
    '',
    `Would one of these times suit you for "${input.title || 'Meeting'}" (${input.durationMin} minutes)?`,
    '',
    ...input.slots.map((s, i) => `${i + 1}. ${offerTimeText(s, input.locale, input.timeZone)}`),
    '',
    'Reply with the number of the time that suits you.',
  ];
  const body = lines.join('\r\n');
  const to = input.to ? encodeURIComponent(input.to).replace(/%40/g, '@') : '';
  return {
    href: `mailto:${to}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`,
    subject,
    body,
  };
}
