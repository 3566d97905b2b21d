import type { CalendarService } from '../calendar';
import { ParleyError } from '../errors';
import { createLogger } from '../log';
import type { MeetingPreferences, NegotiationView, RpcTopic } from '../rpc';
import {
  NegotiationInterpreter,
  availabilityFromCache,
  describeAction,
  disclosurePolicyFor,
  findSlots,
  namePeople,
  parsePreferences,
  type AuditPort,
  type NegotiationRecord,
  type NegotiationState,
  type NegotiationResult,
  type NegotiationStorePort,
  type Preferences,
  resultOf,
  waitingFor,
} from '../scheduling';
import type { PreferenceStore } from '../store';
import { normalizePeerText } from '../text';
import { storyOf } from './negotiation-story';

/** How long a meeting title may be, in the views and on the calendar (the engine's LIMITS.titleChars). */
const TITLE_CHARS = 200;

export interface NegotiatorDeps {
  me: string;
  /** negotiationStore(vault) from src/store. */
  negotiations: NegotiationStorePort;
  /** auditStore(vault) from src/store. */
  audit: AuditPort;
  /** preferenceStore(vault) from src/store. */
  preferences: PreferenceStore;
  calendar: Pick<CalendarService, 'busy' | 'bookMeeting' | 'cancelBooking'>;
  send(to: string, body: string): Promise<void>;
  names(): Promise<Map<string, string>>;
  /** ATT2: the e-mail addresses contacts shared in their signed agent cards; absent: nobody shared one. */
  emails?(): Promise<Map<string, string>>;
  notify(topic: RpcTopic): void;
  now: () => number;
  /** One negotiation event at a time for this agent: the vault's `Mutex#run`. */
  serialize: <T>(task: () => Promise<T>) => Promise<T>;
  /** ASK2: whether the person verified this contact's safety number; absent: nobody is. */
  verified?: (agentId: string) => Promise<boolean>;
}

const DAY = 86_400_000;

/** ATT1: "With Ben.", "With Ben and Cy.", "With Ben, Cy and Dana." (the event's first line). */
export function meetingWith(names: readonly string[]): string {
  if (names.length === 0) return '';
  const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
  return `With ${list}.`;
}

/**
 * The product's ports for the scheduling engine's interpreter (src/scheduling/interpreter.ts, which
 * persists, performs and retries; docs/protocol/scheduling.md INT rules): negotiation records and the
 * audit log in the vault, messages over the encrypted channel, free/busy and bookings through the
 * calendar capability, approvals shown in the popup and side panel. What stays here is the person's
 * side: the views, the invitee's title, the preferences form. Peer messages are data: parsed by the
 * engine's schemas, never shown as anything but text, never given to a model.
 */
export class Negotiator {
  readonly #engine: NegotiationInterpreter;

  constructor(private readonly deps: NegotiatorDeps) {
    this.#engine = new NegotiationInterpreter({
      self: deps.me,
      store: deps.negotiations,
      audit: deps.audit,
      network: { send: (to, raw) => deps.send(to, raw) },
      calendar: {
        availability: async (request) => {
          const preferences = await this.#preferences();
          const availability = await availabilityFromCache(
            { snapshot: (range) => deps.calendar.busy(range) },
            { participantId: deps.me, preferences, window: request.window, now: deps.now() },
          );
          const policy = disclosurePolicyFor(preferences, request.counterpart);
          const ranked = findSlots([availability], {
            durationMin: request.durationMin,
            granularityMin: policy.granularityMin,
            // CNV2: the organizer draws its candidates from these, over several rounds.
            limit: 100,
          }).map(({ start, end }) => ({ start, end }));
          // CNV6: meeting hours, so the organizer can ask "when could you meet at all?" first.
          return { free: availability.free, ranked, hours: availability.hours };
        },
        // The Google event id comes from the negotiation id (calendar rule WRT1), on every
        // participant's calendar alike, so a retry or an invitation already there is recognised.
        book: async (plan, role, state) => {
          const booked = await deps.calendar.bookMeeting({
            negotiationId: plan.negotiationId,
            title: role === 'organizer' ? plan.title : await this.#inviteeTitle(state),
            start: plan.slot.start,
            end: plan.slot.end,
            timeZone: (await this.#preferences()).timeZone,
            ...(role === 'organizer'
              ? await this.#guests(plan.attendees)
              : // ADP1: the organizer's invitation, if it reached this calendar, is the meeting's event.
                { adoptICalUID: plan.iCalUID }),
          });
          return booked.iCalUID !== undefined ? { iCalUID: booked.iCalUID } : {};
        },
        cancel: (_event, state) => deps.calendar.cancelBooking(state.negotiationId),
      },
      // The state carries the pending request; the popup and side panel show it, `decide` answers.
      approvals: { requested: () => deps.notify('negotiations') },
      policy: { disclosure: (counterpart) => this.#policy(counterpart) },
      clock: deps.now,
      serialize: deps.serialize,
      changed: () => deps.notify('negotiations'),
      log: createLogger('agent').child('negotiator'),
    });
  }

  /** [NGR1] The person asked to find a time: the organizer's machine starts. */
  async start(input: {
    contactIds: string[];
    durationMin: number;
    title: string;
    /** Either the next N days from now, or an exact window (epoch ms) such as "tomorrow morning". */
    withinDays?: number;
    window?: { start: number; end: number };
  }): Promise<NegotiationView> {
    const now = this.deps.now();
    const negotiationId = crypto.randomUUID();
    const window = input.window
      ? { start: Math.max(now, input.window.start), end: input.window.end }
      : { start: now, end: now + (input.withinDays ?? 7) * DAY };
    await this.#engine.start({
      negotiationId,
      participants: [this.deps.me, ...input.contactIds],
      window,
      durationMin: input.durationMin,
      title: input.title,
      // The agents have until the window ends (at least a day) to agree.
      expiresAt: Math.max(window.end, now + DAY),
      // ASK1: the person's request (confirmed in the panel) covers proposing and booking inside it.
      consent: true,
    });
    return this.#viewOf(negotiationId);
  }

  /** [NGR2] A scheduling message from a paired contact, `from` authenticated by the ratchet. */
  receive(from: string, body: string): Promise<void> {
    return this.#engine.receive(from, body);
  }

  /** [NGR3] The person approved or declined the exact action the engine asked about. */
  async decide(negotiationId: string, actionHash: string, approved: boolean): Promise<NegotiationView> {
    const record = await this.#record(negotiationId);
    if (record.state.pendingApproval?.actionHash !== actionHash) {
      throw new ParleyError(
        'bad_request',
        'That request changed or expired; look at it again before deciding.',
      );
    }
    await this.#engine.decide(negotiationId, actionHash, approved);
    return this.#viewOf(negotiationId);
  }

  /**
   * ASK3: the person's one decision as a counter — their own times instead of what the agent would offer or
   * accept, with an optional note for the organizer's person.
   */
  async counter(
    negotiationId: string,
    slots: readonly { start: number; end: number }[],
    note?: string,
  ): Promise<NegotiationView> {
    const record = await this.#record(negotiationId);
    const s = record.state;
    if (s.role !== 'participant' || (s.phase !== 'approving_disclosure' && s.phase !== 'approving_accept')) {
      throw new ParleyError('bad_request', 'Only a request waiting for your answer can be countered.');
    }
    await this.#engine.feed(negotiationId, { type: 'counter', slots, ...(note ? { note } : {}) });
    const after = await this.#record(negotiationId);
    if (after.state.phase === s.phase) {
      throw new ParleyError(
        'bad_request',
        `Offer times of ${s.ask.durationMin} minutes inside the asked window, starting on a 5-minute mark.`,
      );
    }
    return this.#viewOf(negotiationId);
  }

  /**
   * ASK2: the person's rule for one contact: share coarse times without asking, and accept an offered time
   * without asking (honoured only once the contact is verified).
   */
  async setContactRule(input: {
    contactId: string;
    shareWithoutAsking: boolean;
    acceptWithoutAsking: boolean;
  }): Promise<{ contactId: string; shareWithoutAsking: boolean; acceptWithoutAsking: boolean }> {
    const current = await this.#preferences();
    const base = disclosurePolicyFor(current, input.contactId);
    const rule = {
      contactId: input.contactId,
      disclosure: {
        ...base,
        auto: input.shareWithoutAsking,
        autoAccept: input.acceptWithoutAsking,
        decision: base.decision ?? ('once' as const),
      },
    };
    const contactRules = [...current.contactRules.filter((r) => r.contactId !== input.contactId), rule];
    let preferences: Preferences;
    try {
      preferences = parsePreferences({ ...current, contactRules });
    } catch (error) {
      throw new ParleyError(
        'bad_request',
        error instanceof Error ? error.message : 'That rule is not valid; remove a few contact rules first.',
      );
    }
    await this.deps.preferences.saveScheduling(preferences);
    return input;
  }

  /** ASK1/ASK2: the contact's rule; asked once by default; `autoAccept` only for a verified contact. */
  async #policy(counterpart: string) {
    const policy = disclosurePolicyFor(await this.#preferences(), counterpart);
    const verified = policy.autoAccept ? ((await this.deps.verified?.(counterpart)) ?? false) : false;
    return { ...policy, decision: policy.decision ?? ('once' as const), autoAccept: verified };
  }

  /** [NGR8] The person cancels: the engine tells every participant, and every calendar drops the event. */
  async cancel(negotiationId: string): Promise<NegotiationView> {
    await this.#record(negotiationId);
    await this.#engine.cancel(negotiationId);
    return this.#viewOf(negotiationId);
  }

  /** [NGR9] The organizer asks for another time: the negotiation runs again and every calendar's event moves. */
  async reschedule(negotiationId: string, withinDays: number): Promise<NegotiationView> {
    const record = await this.deps.negotiations.get(negotiationId);
    if (!record || record.state.role !== 'organizer' || record.state.phase !== 'booked') {
      throw new ParleyError('bad_request', 'Only a meeting you organised and booked can be moved.');
    }
    const now = this.deps.now();
    await this.#engine.reschedule(negotiationId, {
      window: { start: now, end: now + withinDays * DAY },
      durationMin: record.state.request.durationMin,
      expiresAt: now + withinDays * DAY,
    });
    return this.#viewOf(negotiationId);
  }

  /** Timeouts, retransmissions, retries and recovery after a restart: called from the minute alarm. */
  tick(): Promise<void> {
    return this.#engine.tick();
  }

  async list(): Promise<NegotiationView[]> {
    const names = await this.deps.names();
    return (await this.deps.negotiations.list())
      .sort((a, b) => b.updated - a.updated)
      .map((r) => this.#view(r, names));
  }

  async #record(negotiationId: string): Promise<NegotiationRecord> {
    const record = await this.deps.negotiations.get(negotiationId);
    if (!record) throw new ParleyError('bad_request', 'There is no such negotiation.');
    return record;
  }

  async #viewOf(negotiationId: string): Promise<NegotiationView> {
    return this.#view(await this.#record(negotiationId), await this.deps.names());
  }

  /**
   * [NGR7] The invitee's own copy of the meeting: the organizer's title is peer
   * text, kept as plain text in the event's summary, followed by the name *we*
   * gave the organizer (never a name the peer chose for itself). [NGR10] The
   * title is normalised again on its way to the calendar (NEG18): one line, no
   * invisible characters, even from a record an older build stored.
   */
  /**
   * [ATT1][ATT2] What the organizer's event says besides its title: who it is with, by the names the
   * person gave their contacts, and that Parley arranged it (nothing else: no ids, no notes, no times
   * anyone offered); and, as guests, the contacts that shared an address in their signed card.
   */
  async #guests(
    participants: readonly string[],
  ): Promise<{ description: string; attendees: { email: string; displayName: string }[] }> {
    const [names, emails] = [
      await this.deps.names(),
      (await this.deps.emails?.()) ?? new Map<string, string>(),
    ];
    const others = participants.filter((p) => p !== this.deps.me);
    const named = others.map((p) => names.get(p) ?? 'a contact');
    const attendees = others.flatMap((p, i) => {
      const email = emails.get(p);
      return email === undefined ? [] : [{ email, displayName: named[i]! }];
    });
    return { description: [meetingWith(named), 'Arranged by Parley.'].filter(Boolean).join('\n'), attendees };
  }

  async #inviteeTitle(s: NegotiationState): Promise<string> {
    if (s.role !== 'participant') return 'Meeting';
    const organizer = (await this.deps.names()).get(s.organizer) ?? 'a contact';
    const title = normalizePeerText(String(s.ask.title ?? ''), { maxChars: TITLE_CHARS }) || 'Meeting';
    return `${title} (with ${organizer})`;
  }

  /** [PRF1] The options page's form, mapped onto the engine's preferences and validated by it. */
  async meetingPreferences(): Promise<MeetingPreferences> {
    const p = await this.#preferences();
    const days = (Object.keys(p.workingHours) as (keyof typeof p.workingHours)[]).filter(
      (d) => p.workingHours[d].length > 0,
    );
    const first = days.length ? p.workingHours[days[0]!][0]! : { start: '09:00', end: '17:00' };
    return {
      timeZone: p.timeZone,
      dayStart: first.start,
      dayEnd: first.end,
      workingDays: days,
      bufferMin: Math.max(p.bufferBeforeMin, p.bufferAfterMin),
      minimumNoticeMin: p.minimumNoticeMin,
      maxMeetingsPerDay: p.maxMeetingsPerDay,
      autoDisclose: p.disclosure.auto,
    };
  }

  async setMeetingPreferences(form: MeetingPreferences): Promise<MeetingPreferences> {
    const current = await this.#preferences();
    const hours = Object.fromEntries(
      (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((d) => [
        d,
        form.workingDays.includes(d) ? [{ start: form.dayStart, end: form.dayEnd }] : [],
      ]),
    );
    let preferences: Preferences;
    try {
      preferences = parsePreferences({
        ...current,
        timeZone: form.timeZone,
        workingHours: hours,
        meetingHours: undefined,
        bufferBeforeMin: form.bufferMin,
        bufferAfterMin: form.bufferMin,
        minimumNoticeMin: form.minimumNoticeMin,
        maxMeetingsPerDay: form.maxMeetingsPerDay,
        disclosure: { ...current.disclosure, auto: form.autoDisclose },
      });
    } catch (error) {
      throw new ParleyError(
        'bad_request',
        error instanceof Error ? error.message : 'Those preferences are not valid.',
      );
    }
    await this.deps.preferences.saveScheduling(preferences);
    return this.meetingPreferences();
  }

  /** The person's scheduling preferences (the defaults until saved): what offering times to others uses (NOP1). */
  schedulingPreferences(): Promise<Preferences> {
    return this.#preferences();
  }

  async #preferences(): Promise<Preferences> {
    const saved = await this.deps.preferences.scheduling();
    if (saved) return saved;
    const weekday = [{ start: '09:00', end: '17:00' }];
    return parsePreferences({
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
      workingHours: {
        mon: weekday,
        tue: weekday,
        wed: weekday,
        thu: weekday,
        fri: weekday,
        sat: [],
        sun: [],
      },
    });
  }

  #view(record: NegotiationRecord, names: Map<string, string>): NegotiationView {
    const s = record.state;
    // [NGR10] People are shown by the person's own contact names; an id that is not a contact never is.
    const nameOf = (id: string) => names.get(id);
    const people = s.role === 'organizer' ? s.threads.map((t) => t.agent) : s.ask.participants;
    const approval = s.pendingApproval;
    return {
      id: record.id,
      role: s.role,
      phase: s.phase,
      // Peer-provided titles are data: shown as text only, normalised again on the way out (NEG18).
      title:
        s.role === 'organizer'
          ? s.request.title
          : normalizePeerText(String(s.ask.title ?? ''), { maxChars: TITLE_CHARS }) || 'Meeting',
      with: namePeople(people, nameOf, this.deps.me),
      ...(record.outcome?.status === 'booked' ? { slot: record.outcome.slot } : {}),
      ...(record.outcome ? { outcome: record.outcome.status } : {}),
      ...(record.outcome ? { result: resultView(resultOf(record.outcome), nameOf, this.deps.me) } : {}),
      ...(s.role === 'organizer' && waitingFor(s).length > 0
        ? {
            waiting: waitingFor(s).map((w) => ({
              name: nameOf(w.agent) ?? "someone you don't know",
              askedAt: w.askedAt,
              silentSince: w.silentSince,
              ...(w.lastHeardAt !== undefined ? { lastHeardAt: w.lastHeardAt } : {}),
              ...(w.followedUpAt !== undefined ? { followedUpAt: w.followedUpAt } : {}),
            })),
          }
        : {}),
      ...(s.role === 'organizer' && s.threads.some((t) => t.note)
        ? {
            notes: s.threads.flatMap((t) =>
              t.note
                ? [
                    {
                      name: nameOf(t.agent) ?? "someone you don't know",
                      note: normalizePeerText(String(t.note), { maxChars: 1_000, multiline: true }),
                    },
                  ]
                : [],
            ),
          }
        : {}),
      // What the person is told when it went wrong (INT3: booking_failed) or could not be done (INT4).
      ...(reasonOf(record) ? { reason: reasonOf(record) } : {}),
      ...(approval
        ? {
            approval: {
              actionHash: approval.actionHash,
              description: describeAction(approval.action, {
                nameOf,
                self: this.deps.me,
                ...(s.role === 'participant' ? { organizer: s.organizer } : {}),
              }),
              slots: approval.action.kind === 'disclose' ? approval.action.slots : [approval.action.slot],
              expiresAt: approval.expiresAt,
            },
          }
        : {}),
      updated: record.updated,
      story: storyOf(record, nameOf, this.deps.me),
    };
  }
}

/** OUT1 for the person: people by their own contact names, never an id. */
function resultView(
  r: NegotiationResult,
  nameOf: (id: string) => string | undefined,
  me: string,
): NonNullable<NegotiationView['result']> {
  const people = (ids: readonly string[]) =>
    ids.map((id) => (id === me ? 'you' : (nameOf(id) ?? "someone you don't know")));
  switch (r.kind) {
    case 'booked':
      return { kind: 'booked' };
    case 'declined':
      return { kind: 'declined', people: people(r.by) };
    case 'no_common_time':
      return { kind: 'no_common_time', people: people(r.noOverlap) };
    case 'expired':
      return { kind: 'expired', people: people(r.waitingFor) };
    case 'cancelled':
      return { kind: 'cancelled', people: people([r.by]) };
    case 'failed':
      return { kind: 'failed', reason: r.reason };
  }
}

function reasonOf(record: NegotiationRecord): string | undefined {
  const outcome = record.outcome;
  if (outcome?.status === 'failed') {
    return outcome.reasons.find((r) => r.reason === 'booking_failed')?.reason ?? outcome.reasons[0]?.reason;
  }
  const problem = record.problems?.[0];
  return problem ? `${problem}_failed` : undefined;
}
