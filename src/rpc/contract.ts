import type { AgentActions } from '../agent';
import type { ErrorShape } from '../errors';
import type { ActionInput, ActionOutput } from './action';

/**
 * The one contract between the UI surfaces (popup, side panel, options, palette, the Google Calendar
 * layer) and the agent in the background. Both ends import this file; it holds the views the agent
 * answers with, and the method table derived from the action registry (types only: nothing of the
 * agent is bundled into a page).
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

/** `blocked`: kept so it can be unblocked; nothing it sends is read and nothing is sent to it. */
export type ContactStatus = 'pending' | 'paired' | 'blocked';

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
  /** ATT4: the address the contact shared in its signed agent card (it is invited there), if any. */
  email?: string;
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
  /** A conversation with a contact, or the chat with the agent (then `contactId` is empty). */
  conversation: 'contact' | 'assistant';
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

/** How the agent understands what the person types (the key is kept apart, in the vault, never in settings). */
export interface AssistantSettings {
  /** `builtin`: no model at all; `openai`: any OpenAI-compatible endpoint; `on-device`: Chrome's built-in model. */
  provider: 'builtin' | 'openai' | 'on-device';
  /** The endpoint's base URL, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1` (Ollama). */
  baseUrl: string;
  model: string;
}

export interface Settings {
  relayUrl: string;
  displayName: string;
  /** ATT4: the e-mail address shared with contacts in the signed agent card; '' shares none (default). */
  sharedEmail: string;
  google: GoogleSettings;
  firebase: FirebaseSettings;
  assistant: AssistantSettings;
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
  /**
   * OUT1: what became of it, one kind, with people by the person's own contact names: declined (by whom),
   * no common time, expired (whom it waited for), cancelled (by whom), failed (why), booked.
   */
  result?: {
    kind: 'booked' | 'declined' | 'no_common_time' | 'expired' | 'cancelled' | 'failed';
    /** declined, cancelled: who. expired: whom it was waiting for. no_common_time: who shares no time at all. */
    people?: string[];
    /** failed: why (booking_failed). */
    reason?: string;
  };
  /** SIL2: the agents an open negotiation waits for ("waiting for Ben's agent (offline since …)"). */
  waiting?: {
    name: string;
    askedAt: number;
    /** The later of our ask and the last message heard from them. */
    silentSince: number;
    lastHeardAt?: number;
    followedUpAt?: number;
  }[];
  /** ASK3: notes participants' people sent with a counter-proposal (peer text, shown as text only). */
  notes?: { name: string; note: string }[];
  /** What the agent waits for the person to approve: one exact action. */
  approval?: {
    actionHash: string;
    description: string;
    slots: readonly { start: number; end: number }[];
    expiresAt: number;
  };
  updated: number;
  /** [HOM2] What happened, read from the record: the UI tells it in words (src/ui/narrate.ts). */
  story?: NegotiationStory;
}

type Slot = { start: number; end: number };

/**
 * The facts of one negotiation as its record holds them, with people already named by the person's own
 * contact names ('you' is this agent). Every field is optional so older records and newer engines both fit.
 */
export interface NegotiationStory {
  /** The organizer's name, for a meeting someone else asked for. */
  organizer?: string;
  durationMin?: number;
  /** The organizer's side: each participant's agent, what it offered and where its thread stands. */
  peers?: { name: string; status: string; offered: Slot[]; askedAt?: number }[];
  /** The time proposed: by you as organizer, or to you by the organizer. */
  proposed?: Slot;
  /** A participant's side: the times you shared with the organizer. */
  shared?: Slot[];
  /** A participant accepted the proposed time. */
  accepted?: boolean;
  /** Why it did not happen, per person ('you' for this agent). */
  failures?: { who: string; reason: string }[];
  /** Who cancelled ('you' or a name). */
  cancelledBy?: string;
  /** Open and waiting on other agents: whose, and since when we asked (`offlineSince` when known). */
  waitingFor?: { name: string; since?: number; offlineSince?: number }[];
  expiresAt?: number;
}

/**
 * [HOM3] One line of the activity log: what the agent disclosed, proposed, accepted, booked, declined or
 * cancelled (the audit store), and what it sent a cloud model (AST10). Newest first.
 */
export interface ActivityItem {
  id: string;
  at: number;
  kind:
    | 'disclosed'
    | 'proposed'
    | 'accepted'
    | 'booked'
    | 'declined'
    | 'cancelled'
    | 'rescheduled'
    | 'model_request';
  /** The contacts it concerned, by the person's own names. */
  contacts: { id: string; name: string }[];
  /** Exactly which times were shared or chosen. */
  slots: Slot[];
  /** CNV6: meeting hours shared (not free times), when the line is about them. */
  hours?: Slot[];
  negotiationId?: string;
  title?: string;
  /** For a model request: which model, and the words it received (already redacted). */
  model?: string;
  text?: string;
}

/** Where an invite stands: for your own code, open / used / expired; for someone else's, whether you are paired. */
export interface InviteStatusView {
  mine: boolean;
  state: 'open' | 'used' | 'expired' | 'already_contact' | 'new' | 'invalid';
  /** Who used it (your own code), or the contact it already is (someone else's). */
  name?: string;
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
  /** Google, an imported .ics file, or a subscribed secret iCal address (never shown). */
  source: 'google' | 'file' | 'url';
  events: number;
  state: 'never_synced' | 'ok' | 'degraded' | 'reconnect_required';
  /** The last good sync (also for a degraded calendar: how old what the agent knows is). */
  lastSyncedAt?: number;
  reason?: string;
  /** For a degraded or disconnected calendar: what happened and what to do. */
  message?: string;
}

export interface CalendarOverviewView {
  /** Google Calendar is connected (.ics calendars work without it). */
  connected: boolean;
  /** Google sign-in has an OAuth client id; without one the connect button explains the other ways. */
  googleConfigured: boolean;
  syncing: boolean;
  progress?: { events: number; pages: number };
  calendars: CalendarView[];
  events: number;
  lastSyncedAt?: number;
  error?: { code: string; message: string };
}

export const MAX_MESSAGE_CHARS = 4000;

/** What "what's on tomorrow?" shows: the person's own events, read from the local cache. */
export interface AgendaView {
  range: { start: number; end: number };
  items: { start: number; end: number; allDay: boolean; title: string; byParley: boolean }[];
}

/** The agent's answer to words the person typed (`assistant.ask`). */
export interface AssistantReply {
  /** Which way understood them: the built-in parser, a cloud model, or the on-device model. */
  provider: 'builtin' | 'openai' | 'on-device';
  /** Why another way answered than the one chosen (a model was unreachable, rate limited…). */
  note?: string;
  /** What the words were understood as (shown so the person can check it). */
  command: {
    intent: string;
    participants: string[];
    unresolved: string[];
    durationMinutes: number | null;
    window: { from: string; to: string } | null;
    partOfDay: string | null;
    text: string | null;
  };
  reply: string;
  agenda?: AgendaView;
  /** What the agent will do once the person confirms (`assistant.confirm`), each action in words. */
  proposal?: { id: string; actions: { label: string }[] };
}

/** NIST SP 800-63B: length over composition rules. */
export const MIN_PASSPHRASE_CHARS = 8;

/** What the options page's Diagnostics export holds: versions and log lines, no user data (LOG1, LOG3). */
export interface DiagnosticsView {
  generatedAt: number;
  extensionVersion: string;
  userAgent: string;
  lock: LockState;
  lines: readonly {
    at: number;
    level: 'debug' | 'info' | 'warn' | 'error';
    ns: string;
    event: string;
    fields: Readonly<Record<string, string | number | boolean>>;
  }[];
}

/**
 * [ACT1] The contract is derived from the actions themselves (src/agent/actions and each capability's
 * `*.actions.ts`): a method's input is its schema's input type, its output what its `run` resolves to.
 * Each method is stated once, where it is implemented; this file only names the result.
 */
type Actions = AgentActions;

export type RpcMethod = keyof Actions & string;
export type RpcInput<M extends RpcMethod> = ActionInput<Actions[M]>;
export type RpcOutput<M extends RpcMethod> = ActionOutput<Actions[M]>;
export type RpcContract = { [M in RpcMethod]: { input: RpcInput<M>; output: RpcOutput<M> } };

/** What the background broadcasts when something the UI shows has changed. */
export type RpcTopic = 'status' | 'contacts' | 'messages' | 'calendar' | 'negotiations' | 'account' | 'chat';

/**
 * [UIS1] Where the background keeps the agent's last status (`storage.session`: memory only, Parley's
 * pages only) for the popup to draw at once; the popup's live `status.get` answer replaces it.
 */
export const STATUS_GLANCE_KEY = 'parley.status.glance';

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
