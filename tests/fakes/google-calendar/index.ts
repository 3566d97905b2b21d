export {
  startFakeGoogleCalendar,
  OWNER_EMAIL,
  type FakeGoogleCalendar,
  type FakeGoogleCalendarOptions,
  type FailRule,
  type DropRule,
  type RecordedRequest,
} from './server';
export { addGoogleOnlyZone, type EventJson } from './store';
