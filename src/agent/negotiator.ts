import type { CalendarService } from '../calendar';
import { ParleyError } from '../errors';
import type { MeetingPreferences, NegotiationView, RpcTopic } from '../rpc';
import {
  EMPTY_GATE,
  admitNewNegotiation,
  availabilityFromCache,
  describeAction,
  disclosurePolicyFor,
  findSlots,
  joinNegotiation,
  nextWakeAt,
  parseMessage,
  parsePreferences,
  startNegotiation,
  step,
  type Effect,
  type InboundGate,
  type NegotiationEvent,
  type NegotiationState,
  type Outcome,
  type Preferences,
} from '../scheduling';
import type { Vault } from '../vault';

interface NegotiationRecord {
  id: string;
  updated: number;
  state: NegotiationState;
  outcome?: Outcome;
  [field: string]: unknown;
}

export interface NegotiatorDeps {
  me: string;
  vault: Vault;
  calendar: CalendarService;
  send(to: string, body: string): Promise<void>;
  names(): Promise<Map<string, string>>;
  notify(topic: RpcTopic): void;
  now: () => number;
  /** The session's lifetime: once it aborts (locked), no queued step runs. */
  signal?: AbortSignal;
}

const DAY = 86_400_000;
const DONE = new Set(['booked', 'failed', 'cancelled', 'declined', 'expired']);

/**
 * Runs the scheduling engine (src/scheduling) for this agent: it keeps one state
 * machine per negotiation in the vault, feeds it peer messages, the person's
 * approvals and timer ticks, and performs the effects it asks for — sending
 * messages over the encrypted channel, reading free/busy from the calendar cache,
 * booking through the calendar capability. Peer messages are data: parsed by the
 * engine's schemas, never shown as anything but text, never given to a model.
 */
export class Negotiator {
  #queue: Promise<unknown> = Promise.resolve();
  #gate: InboundGate = EMPTY_GATE;

  constructor(private readonly deps: NegotiatorDeps) {}

  /** [NGR1] The person asked to find a time: the organizer's machine starts. */
  start(input: {
    contactIds: string[];
    durationMin: number;
    title: string;
    withinDays: number;
  }): Promise<NegotiationView> {
    return this.#serial(async () => {
      const now = this.deps.now();
      const negotiationId = crypto.randomUUID();
      const result = startNegotiation({
        negotiationId,
        self: this.deps.me,
        participants: [this.deps.me, ...input.contactIds],
        window: { start: now, end: now + input.withinDays * DAY },
        durationMin: input.durationMin,
        title: input.title,
        expiresAt: now + Math.max(input.withinDays, 1) * DAY,
        now,
      });
      await this.#save({ id: negotiationId, updated: now, state: result.state });
      await this.#perform(negotiationId, result.effects);
      return this.#view((await this.#load(negotiationId))!, await this.deps.names());
    });
  }

  /** A scheduling message from a paired contact (already authenticated by the ratchet). */
  receive(from: string, body: string): Promise<void> {
    return this.#serial(async () => {
      const now = this.deps.now();
      let raw: unknown;
      try {
        raw = JSON.parse(body);
      } catch {
        return;
      }
      const parsed = parseMessage(raw, now);
      // [NGR2] The envelope's authenticated sender must be the message's sender.
      if (!parsed.ok || parsed.message.sender !== from) return;
      const message = parsed.message;
      const existing = await this.#load(message.negotiationId);
      if (existing) return this.#feed(existing, { type: 'message', message });
      if (message.type !== 'QUERY') return;
      const open = (await this.#all()).filter(
        (r) => r.state.role === 'participant' && r.state.organizer === from && !DONE.has(r.state.phase),
      ).length;
      const admitted = admitNewNegotiation(this.#gate, from, open, now);
      if (!admitted.ok) return;
      const joined = joinNegotiation({
        self: this.deps.me,
        query: message,
        policy: disclosurePolicyFor(await this.#preferences(), from),
        now,
      });
      if (!joined.ok) return;
      this.#gate = admitted.gate;
      await this.#save({ id: message.negotiationId, updated: now, state: joined.result.state });
      await this.#perform(message.negotiationId, joined.result.effects);
    });
  }

  /** [NGR3] The person approved or declined the exact action the engine asked about. */
  decide(negotiationId: string, actionHash: string, approved: boolean): Promise<NegotiationView> {
    return this.#serial(async () => {
      const record = await this.#load(negotiationId);
      if (!record) throw new ParleyError('bad_request', 'There is no such negotiation.');
      if (record.state.pendingApproval?.actionHash !== actionHash) {
        throw new ParleyError(
          'bad_request',
          'That request changed or expired; look at it again before deciding.',
        );
      }
      await this.#feed(record, { type: 'approval', actionHash, approved });
      return this.#view((await this.#load(negotiationId))!, await this.deps.names());
    });
  }

  /** [NGR8] The person cancels: the engine tells every participant, and every calendar drops the event. */
  cancel(negotiationId: string): Promise<NegotiationView> {
    return this.#serial(async () => {
      const record = await this.#load(negotiationId);
      if (!record) throw new ParleyError('bad_request', 'There is no such negotiation.');
      await this.#feed(record, { type: 'cancel' });
      return this.#view((await this.#load(negotiationId))!, await this.deps.names());
    });
  }

  /** [NGR9] The organizer asks for another time: the negotiation runs again and every calendar's event moves. */
  reschedule(negotiationId: string, withinDays: number): Promise<NegotiationView> {
    return this.#serial(async () => {
      const record = await this.#load(negotiationId);
      if (!record || record.state.role !== 'organizer' || record.state.phase !== 'booked') {
        throw new ParleyError('bad_request', 'Only a meeting you organised and booked can be moved.');
      }
      const now = this.deps.now();
      const { outcome: _previous, ...rest } = record;
      await this.#feed(rest as NegotiationRecord, {
        type: 'reschedule',
        window: { start: now, end: now + withinDays * DAY },
        durationMin: record.state.request.durationMin,
        expiresAt: now + withinDays * DAY,
      });
      return this.#view((await this.#load(negotiationId))!, await this.deps.names());
    });
  }

  /** Timeouts, retransmissions and expiry: called from the minute alarm. */
  tick(): Promise<void> {
    return this.#serial(async () => {
      const now = this.deps.now();
      for (const record of await this.#all()) {
        const wake = nextWakeAt(record.state);
        if (wake !== null && wake <= now) await this.#feed(record, { type: 'tick' });
      }
    });
  }

  async list(): Promise<NegotiationView[]> {
    const names = await this.deps.names();
    return (await this.#all()).sort((a, b) => b.updated - a.updated).map((r) => this.#view(r, names));
  }

  async #feed(record: NegotiationRecord, event: NegotiationEvent): Promise<void> {
    const now = this.deps.now();
    const result = step(record.state, event, now);
    await this.#save({ ...record, updated: now, state: result.state });
    await this.#perform(record.id, result.effects);
  }

  async #perform(negotiationId: string, effects: readonly Effect[]): Promise<void> {
    for (const effect of effects) {
      const record = (await this.#load(negotiationId))!;
      switch (effect.kind) {
        case 'send':
          await this.deps.send(effect.to, JSON.stringify(effect.message));
          break;
        case 'need_availability': {
          const preferences = await this.#preferences();
          const calendar = this.deps.calendar;
          const availability = await availabilityFromCache(
            { snapshot: (range) => calendar.busy(range) },
            { participantId: this.deps.me, preferences, window: effect.window, now: this.deps.now() },
          );
          const policy = disclosurePolicyFor(preferences, effect.counterpart);
          const ranked = findSlots([availability], {
            durationMin: effect.durationMin,
            granularityMin: policy.granularityMin,
            limit: 20,
          }).map(({ start, end }) => ({ start, end }));
          await this.#feed(record, { type: 'availability', free: availability.free, ranked });
          break;
        }
        case 'request_approval':
          // The state carries the pending request; the popup and side panel show it.
          this.deps.notify('negotiations');
          break;
        case 'book':
        case 'ensure_invitation': {
          const plan = effect.plan;
          // The Google event id comes from the negotiation id (calendar rule WRT1), on
          // every participant's calendar alike, so a retry or an invitation already
          // there is recognised; the engine tracks the booking by its own plan id.
          let booked = false;
          try {
            await this.deps.calendar.book({
              negotiationId: plan.negotiationId,
              title: effect.kind === 'book' ? plan.title : await this.#inviteeTitle(record),
              start: plan.slot.start,
              end: plan.slot.end,
              timeZone: (await this.#preferences()).timeZone,
            });
            booked = true;
          } catch {
            booked = false;
          }
          if (effect.kind === 'book') {
            await this.#feed(
              record,
              booked ? { type: 'booked', eventId: plan.eventId } : { type: 'booking_failed' },
            );
          }
          break;
        }
        case 'cancel_event':
          await this.deps.calendar.cancelBooking(negotiationId).catch(() => undefined);
          break;
        case 'audit':
          // [NGR4] Every disclosure and decision is in the audit log (what, to whom, when).
          await this.deps.vault.put('audit', {
            id: crypto.randomUUID(),
            at: this.deps.now(),
            entry: effect.entry,
          });
          break;
        case 'outcome':
          await this.#save({ ...record, outcome: effect.outcome });
          break;
      }
    }
    this.deps.notify('negotiations');
  }

  /**
   * [NGR7] The invitee's own copy of the meeting: the organizer's title is peer
   * text, kept as plain text in the event's summary, followed by the name *we*
   * gave the organizer (never a name the peer chose for itself).
   */
  async #inviteeTitle(record: NegotiationRecord): Promise<string> {
    const s = record.state;
    if (s.role !== 'participant') return 'Meeting';
    const organizer = (await this.deps.names()).get(s.organizer) ?? 'a contact';
    // Control characters become spaces: the title is one line of plain text.
    const oneLine = [...String(s.ask.title ?? '')]
      .map((ch) => (ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127 ? ' ' : ch))
      .join('')
      .trim()
      .slice(0, 200);
    const title = oneLine || 'Meeting';
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
    await this.deps.vault.put('preferences', { id: 'scheduling', preferences });
    return this.meetingPreferences();
  }

  async #preferences(): Promise<Preferences> {
    const saved = (await this.deps.vault.get('preferences', 'scheduling'))?.preferences;
    if (saved) return parsePreferences(saved);
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

  async #load(id: string): Promise<NegotiationRecord | undefined> {
    return (await this.deps.vault.get('negotiations', id)) as NegotiationRecord | undefined;
  }

  async #all(): Promise<NegotiationRecord[]> {
    return (await this.deps.vault.query('negotiations')) as NegotiationRecord[];
  }

  async #save(record: NegotiationRecord): Promise<void> {
    await this.deps.vault.put('negotiations', record);
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const guarded = () => {
      if (this.deps.signal?.aborted) {
        throw new ParleyError('locked', 'Parley is locked. Unlock it with your passphrase.');
      }
      return task();
    };
    const run = this.#queue.then(guarded, guarded);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #view(record: NegotiationRecord, names: Map<string, string>): NegotiationView {
    const s = record.state;
    const nameOf = (id: string) =>
      id === this.deps.me ? 'you' : (names.get(id) ?? 'someone you do not know');
    const people =
      s.role === 'organizer'
        ? s.threads.map((t) => t.agent)
        : s.ask.participants.filter((p) => p !== this.deps.me);
    const approval = s.pendingApproval;
    return {
      id: record.id,
      role: s.role,
      phase: s.phase,
      // Peer-provided titles are data: shown as text only.
      title: s.role === 'organizer' ? s.request.title : String(s.ask.title ?? 'Meeting'),
      with: people.map(nameOf),
      ...(record.outcome?.status === 'booked' ? { slot: record.outcome.slot } : {}),
      ...(record.outcome ? { outcome: record.outcome.status } : {}),
      ...(approval
        ? {
            approval: {
              actionHash: approval.actionHash,
              description: describeAction(approval.action).replace(/[A-Za-z0-9_-]{43}/g, (id) => nameOf(id)),
              slots: approval.action.kind === 'disclose' ? approval.action.slots : [approval.action.slot],
              expiresAt: approval.expiresAt,
            },
          }
        : {}),
      updated: record.updated,
    };
  }
}
