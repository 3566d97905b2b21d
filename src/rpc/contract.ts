import { z } from 'zod';
import type { ErrorShape } from '../errors';

/**
 * The one contract between the UI surfaces (popup, side panel, options) and the
 * agent in the background. Both ends import this file: the client's types come
 * from `RpcContract`, and the server validates every input with `RPC_INPUTS`.
 */

/** `setup_required`: no passphrase yet; `locked`: the vault's keys are not in memory. */
export type LockState = 'setup_required' | 'locked' | 'unlocked';

export interface AgentStatus {
  lock: LockState;
  /** Records that failed their integrity check at the last unlock and were set aside. */
  quarantined?: number;
  /** The agent's identity and link exist only while the vault is unlocked. */
  agent?: {
    agentId: string;
    fingerprint: string;
    displayName: string;
    relay: { url: string; connected: boolean; lastError?: string };
    contacts: number;
  };
}

export type ContactStatus = 'pending' | 'paired';

export interface ContactView {
  agentId: string;
  name: string;
  fingerprint: string;
  status: ContactStatus;
  addedAt: number;
  /** Safety number: 60 digits in 12 groups, the same on both sides (docs/protocol/crypto.md SAF*). */
  safetyNumber: string;
  /** What a QR code of the safety number encodes. */
  safetyQr: string;
  verified: boolean;
}

export type MessageStatus = 'queued' | 'sent' | 'received' | 'failed';

export interface MessageView {
  id: string;
  contactId: string;
  direction: 'in' | 'out';
  text: string;
  at: number;
  status: MessageStatus;
  error?: ErrorShape;
}

export interface MessageSearchHit {
  id: string;
  contactId: string;
  contactName: string;
  direction: 'in' | 'out';
  text: string;
  at: number;
}

export interface ConversationView {
  contact: ContactView;
  last?: MessageView;
  count: number;
}

/** Where the agent reaches Google. The defaults are Google's; tests point them at the fake. */
export interface GoogleSettings {
  /** An OAuth client id registered for this extension (Google Cloud console). */
  clientId: string;
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  apiBaseUrl: string;
}

/**
 * The Firebase project the person signs in to (a relay started with `FIREBASE_PROJECT_ID` needs it).
 * Empty `apiKey` and `projectId`: Firebase is off.
 */
export interface FirebaseSettings {
  apiKey: string;
  projectId: string;
  /** Optional; `<projectId>.firebaseapp.com` by default. Email sign-in does not use it. */
  authDomain: string;
  /** The Auth emulator, e.g. `http://127.0.0.1:9099` (development only); empty for real Firebase. */
  emulatorUrl: string;
}

export interface Settings {
  relayUrl: string;
  displayName: string;
  google: GoogleSettings;
  firebase: FirebaseSettings;
}

/** The person's Firebase account, as the options page shows it (no tokens ever cross the RPC). */
export interface AccountView {
  /** Firebase settings are filled in. */
  configured: boolean;
  /** Signed in against the Auth emulator, not real Firebase. */
  emulator: boolean;
  user?: { uid: string; email: string | null };
}

export interface NegotiationView {
  id: string;
  role: 'organizer' | 'participant';
  phase: string;
  /** For a participant, the organizer's title: peer text, shown as text only. */
  title: string;
  with: string[];
  slot?: { start: number; end: number };
  outcome?: 'booked' | 'failed' | 'cancelled';
  /**
   * Why it failed (a scheduling FailureReason such as `booking_failed`), or what the agent gave up
   * doing after retries (`ensure_invitation_failed`, `send_failed`, …): a code the UI words.
   */
  reason?: string;
  /** What the agent waits for the person to approve: one exact action. */
  approval?: {
    actionHash: string;
    description: string;
    slots: readonly { start: number; end: number }[];
    expiresAt: number;
  };
  updated: number;
}

/** The person's scheduling preferences, as the options page edits them (src/scheduling validates them). */
export interface MeetingPreferences {
  timeZone: string;
  /** Working hours on each working day, "HH:MM". */
  dayStart: string;
  dayEnd: string;
  workingDays: ('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun')[];
  bufferMin: number;
  minimumNoticeMin: number;
  maxMeetingsPerDay: number | null;
  /** Share a few coarse free times with contacts without asking each time. */
  autoDisclose: boolean;
}

export interface CalendarView {
  id: string;
  summary: string;
  primary: boolean;
  selected: boolean;
  events: number;
  state: 'never_synced' | 'ok' | 'degraded' | 'reconnect_required';
  lastSyncedAt?: number;
  reason?: string;
}

export interface CalendarOverviewView {
  connected: boolean;
  syncing: boolean;
  progress?: { events: number; pages: number };
  calendars: CalendarView[];
  events: number;
  lastSyncedAt?: number;
  error?: { code: string; message: string };
}

export const MAX_MESSAGE_CHARS = 4000;

const AgentIdInput = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not an agent id');

/** NIST SP 800-63B: length over composition rules. */
export const MIN_PASSPHRASE_CHARS = 8;
const Passphrase = z.string().min(1).max(1024);

const FirebaseSettingsInput = z
  .object({
    apiKey: z
      .string()
      .trim()
      .max(200)
      .regex(/^[A-Za-z0-9_-]*$/, 'an API key is letters, digits, - and _'),
    projectId: z
      .string()
      .trim()
      .max(100)
      .regex(/^([a-z0-9][a-z0-9-]*)?$/, 'a project id is lower-case letters, digits and -'),
    authDomain: z
      .string()
      .trim()
      .max(253)
      .regex(/^([A-Za-z0-9.-]+(:\d+)?)?$/, 'an auth domain is a host name such as my-app.firebaseapp.com'),
    emulatorUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]),
  })
  .strict()
  .refine((f) => Boolean(f.apiKey) === Boolean(f.projectId), {
    message: 'fill in both the API key and the project id (or neither, to turn Firebase off)',
    path: ['projectId'],
  });

export const RPC_INPUTS = {
  'status.get': z.object({}).strict(),
  'vault.setUp': z
    .object({
      passphrase: Passphrase.min(MIN_PASSPHRASE_CHARS, `use at least ${MIN_PASSPHRASE_CHARS} characters`),
    })
    .strict(),
  'vault.unlock': z.object({ passphrase: Passphrase }).strict(),
  'vault.lock': z.object({}).strict(),
  'contacts.list': z.object({}).strict(),
  'conversations.list': z.object({}).strict(),
  'invite.create': z.object({}).strict(),
  'invite.accept': z.object({ code: z.string().min(1).max(2000) }).strict(),
  'messages.list': z.object({ contactId: AgentIdInput }).strict(),
  'messages.search': z.object({ text: z.string().trim().min(1).max(200) }).strict(),
  'contacts.verify': z.object({ contactId: AgentIdInput, verified: z.boolean() }).strict(),
  'messages.send': z
    .object({ contactId: AgentIdInput, text: z.string().min(1).max(MAX_MESSAGE_CHARS) })
    .strict(),
  'calendar.overview': z.object({}).strict(),
  'calendar.connect': z.object({}).strict(),
  'calendar.disconnect': z.object({}).strict(),
  'calendar.sync': z.object({}).strict(),
  'calendar.select': z.object({ calendarId: z.string().min(1).max(1024), selected: z.boolean() }).strict(),
  'negotiations.list': z.object({}).strict(),
  'negotiations.start': z
    .object({
      contactIds: z.array(AgentIdInput).min(1).max(19),
      durationMin: z.number().int().min(5).max(480),
      title: z.string().trim().min(1).max(200),
      withinDays: z.number().int().min(1).max(60),
    })
    .strict(),
  'negotiations.decide': z
    .object({
      negotiationId: z.string().min(1).max(64),
      actionHash: z.string().min(1).max(128),
      approved: z.boolean(),
    })
    .strict(),
  'data.export': z.object({ passphrase: Passphrase }).strict(),
  'data.import': z
    .object({
      file: z.string().min(2).max(200_000_000),
      passphrase: Passphrase,
      mode: z.enum(['merge', 'replace']),
    })
    .strict(),
  'data.prune': z.object({ olderThanDays: z.number().int().min(1).max(36_500) }).strict(),
  'data.deleteAll': z.object({ confirm: z.literal('delete everything') }).strict(),
  'negotiations.cancel': z.object({ negotiationId: z.string().min(1).max(64) }).strict(),
  'negotiations.reschedule': z
    .object({ negotiationId: z.string().min(1).max(64), withinDays: z.number().int().min(1).max(60) })
    .strict(),
  'preferences.get': z.object({}).strict(),
  'preferences.set': z
    .object({
      timeZone: z.string().min(1).max(64),
      dayStart: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM'),
      dayEnd: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'use HH:MM'),
      workingDays: z.array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).max(7),
      bufferMin: z.number().int().min(0).max(240),
      minimumNoticeMin: z
        .number()
        .int()
        .min(0)
        .max(60 * 24 * 14),
      maxMeetingsPerDay: z.number().int().min(0).max(50).nullable(),
      autoDisclose: z.boolean(),
    })
    .strict(),
  'settings.get': z.object({}).strict(),
  'settings.set': z
    .object({
      relayUrl: z.url({ protocol: /^(https?|wss?)$/ }).optional(),
      displayName: z.string().trim().min(1).max(60).optional(),
      google: z
        .object({
          clientId: z.string().trim().max(300),
          authUrl: z.url({ protocol: /^https?$/ }),
          tokenUrl: z.url({ protocol: /^https?$/ }),
          revokeUrl: z.url({ protocol: /^https?$/ }),
          apiBaseUrl: z.url({ protocol: /^https?$/ }),
        })
        .partial()
        .strict()
        .optional(),
      firebase: FirebaseSettingsInput.optional(),
    })
    .strict(),
  'account.status': z.object({}).strict(),
  'account.signIn': z
    .object({
      email: z.email('type an email address such as you@example.com').max(320),
      password: z.string().min(1, 'type your password').max(4096),
      /** Create the account instead of signing in to an existing one. */
      create: z.boolean().optional(),
    })
    .strict(),
  'account.signOut': z.object({}).strict(),
} as const;

type Inputs = { [M in keyof typeof RPC_INPUTS]: z.infer<(typeof RPC_INPUTS)[M]> };

export interface RpcContract {
  'status.get': { input: Inputs['status.get']; output: AgentStatus };
  /** First run: choose the passphrase that encrypts everything the agent keeps. */
  'vault.setUp': { input: Inputs['vault.setUp']; output: AgentStatus };
  'vault.unlock': { input: Inputs['vault.unlock']; output: AgentStatus };
  'vault.lock': { input: Inputs['vault.lock']; output: AgentStatus };
  'contacts.list': { input: Inputs['contacts.list']; output: ContactView[] };
  'conversations.list': { input: Inputs['conversations.list']; output: ConversationView[] };
  'invite.create': { input: Inputs['invite.create']; output: { code: string; expiresAt: number } };
  /** Resolves `paired` when the inviter answered in time, `pending` when it is offline. */
  'invite.accept': { input: Inputs['invite.accept']; output: { contact: ContactView } };
  'messages.list': { input: Inputs['messages.list']; output: MessageView[] };
  /** Full-text search over every conversation (prefix words, any order). */
  'messages.search': { input: Inputs['messages.search']; output: MessageSearchHit[] };
  /** The person compared safety numbers (or withdrew that). */
  'contacts.verify': { input: Inputs['contacts.verify']; output: ContactView };
  'messages.send': { input: Inputs['messages.send']; output: MessageView };
  'calendar.overview': { input: Inputs['calendar.overview']; output: CalendarOverviewView };
  /** Signs in with Google (a window opens), lists the calendars and syncs. */
  'calendar.connect': { input: Inputs['calendar.connect']; output: CalendarOverviewView };
  /** Revokes Google's tokens and forgets the cached calendars. */
  'calendar.disconnect': { input: Inputs['calendar.disconnect']; output: CalendarOverviewView };
  'calendar.sync': { input: Inputs['calendar.sync']; output: CalendarOverviewView };
  'calendar.select': { input: Inputs['calendar.select']; output: CalendarOverviewView };
  'negotiations.list': { input: Inputs['negotiations.list']; output: NegotiationView[] };
  /** "Find a time with…": the agent negotiates with the contacts' agents. */
  'negotiations.start': { input: Inputs['negotiations.start']; output: NegotiationView };
  'negotiations.decide': { input: Inputs['negotiations.decide']; output: NegotiationView };
  /** Cancels a negotiation or a booked meeting: every participant's calendar loses the event. */
  'negotiations.cancel': { input: Inputs['negotiations.cancel']; output: NegotiationView };
  /** Finds another time for a booked meeting; every calendar's event moves once everyone approves. */
  'negotiations.reschedule': { input: Inputs['negotiations.reschedule']; output: NegotiationView };
  /** An encrypted, versioned backup file of everything, sealed with this passphrase. */
  'data.export': { input: Inputs['data.export']; output: { fileName: string; file: string } };
  /** Restores a backup (merge or replace); a wrong passphrase or a tampered file changes nothing. */
  'data.import': { input: Inputs['data.import']; output: { written: number; skipped: number } };
  /** Deletes messages and audit entries older than this many days. */
  'data.prune': { input: Inputs['data.prune']; output: { deleted: number } };
  /** Deletes every record and key on this device; the agent starts over. */
  'data.deleteAll': { input: Inputs['data.deleteAll']; output: AgentStatus };
  'preferences.get': { input: Inputs['preferences.get']; output: MeetingPreferences };
  'preferences.set': { input: Inputs['preferences.set']; output: MeetingPreferences };
  'settings.get': { input: Inputs['settings.get']; output: Settings };
  'settings.set': { input: Inputs['settings.set']; output: Settings };
  /** Whether Firebase is set up and who is signed in. */
  'account.status': { input: Inputs['account.status']; output: AccountView };
  /** Email + password sign-in (or account creation); the relay link logs in again with the new token. */
  'account.signIn': { input: Inputs['account.signIn']; output: AccountView };
  'account.signOut': { input: Inputs['account.signOut']; output: AccountView };
}

export type RpcMethod = keyof RpcContract;
export type RpcInput<M extends RpcMethod> = RpcContract[M]['input'];
export type RpcOutput<M extends RpcMethod> = RpcContract[M]['output'];

/** What the background broadcasts when something the UI shows has changed. */
export type RpcTopic = 'status' | 'contacts' | 'messages' | 'calendar' | 'negotiations' | 'account';

export const RPC_REQUEST = 'parley/rpc' as const;
export const RPC_EVENT = 'parley/event' as const;

export interface RpcRequest<M extends RpcMethod = RpcMethod> {
  kind: typeof RPC_REQUEST;
  id: string;
  method: M;
  input: RpcInput<M>;
}

export type RpcResponse<M extends RpcMethod = RpcMethod> =
  { id: string; ok: true; output: RpcOutput<M> } | { id: string; ok: false; error: ErrorShape };

export interface RpcEvent {
  kind: typeof RPC_EVENT;
  topic: RpcTopic;
}
