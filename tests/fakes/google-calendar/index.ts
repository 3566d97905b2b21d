export {
  startFakeGoogleCalendar,
  OWNER_EMAIL,
  type FakeGoogleCalendar,
  type FakeGoogleCalendarOptions,
  type FailRule,
  type DropRule,
  type RecordedRequest,
} from './server';
export { addGoogleOnlyZone, GoogleDirectory, type EventJson } from './store';
