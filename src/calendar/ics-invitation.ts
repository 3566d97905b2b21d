import ICAL from 'ical.js';

/**
 * [ICS11] A meeting booked without Google, as an iCalendar file the person opens to add it to any
 * calendar app (written with ical.js, read back by it in the tests). `METHOD:PUBLISH`: it is added, not
 * answered. The UID derives from the negotiation id (WRT1), the same on every participant's side, so
 * opening a newer file for a moved meeting updates the event instead of adding a second one; SEQUENCE
 * grows with every change.
 */
export function meetingInvitation(input: {
  eventId: string;
  title: string;
  start: number;
  end: number;
  /** When the booking was last changed (epoch ms): SEQUENCE and DTSTAMP. */
  changedAt: number;
}): string {
  const utc = (ms: number) => ICAL.Time.fromJSDate(new Date(ms), true);
  const calendar = new ICAL.Component(['vcalendar', [], []]);
  calendar.updatePropertyWithValue('prodid', '-//Parley//Parley meeting//EN');
  calendar.updatePropertyWithValue('version', '2.0');
  calendar.updatePropertyWithValue('calscale', 'GREGORIAN');
  calendar.updatePropertyWithValue('method', 'PUBLISH');
  const event = new ICAL.Component('vevent');
  event.updatePropertyWithValue('uid', `${input.eventId}@parley`);
  event.updatePropertyWithValue('dtstamp', utc(input.changedAt));
  event.updatePropertyWithValue('dtstart', utc(input.start));
  event.updatePropertyWithValue('dtend', utc(input.end));
  // Seconds since the epoch: larger after every change, and within iCalendar's 32-bit integers until 2038.
  event.updatePropertyWithValue('sequence', Math.floor(input.changedAt / 1000) % 2_147_483_647);
  event.updatePropertyWithValue('summary', input.title.slice(0, 200) || 'Meeting');
  event.updatePropertyWithValue('status', 'CONFIRMED');
  event.updatePropertyWithValue('transp', 'OPAQUE');
  calendar.addSubcomponent(event);
  return calendar.toString() + '\r\n';
}
