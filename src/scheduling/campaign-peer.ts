/**
 * The fault campaign's misbehaving peer (CMP3, docs/protocol/scheduling.md). It is a Simulation agent
 * with the product's interpreter, so it takes part in negotiations like anyone, but everything it sends
 * passes through here first and every message it receives may be answered with hostile ones: replies out
 * of phase, replays, a forged `sender` field, offers off the grid, RESCHEDULE floods, expiries far in the
 * future, huge windows, invisible titles, text that is not a message at all, and negotiation ids taken
 * from someone else's negotiation. Apart from `junk`, what it sends fits the typed message schema: it is
 * what a peer running other code could send through the encrypted channel, whose sender it cannot forge.
 * All its choices come from the random stream it is given, so a seed replays exactly.
 */
import { eventIdFor, iCalUIDFor } from './booking';
import { type Interval, MINUTE } from './interval';
import { LIMITS, type Message, type MessageOf, asPeerText } from './messages';
import { type MessageBody, compose } from './negotiation-common';

export const MISBEHAVIOURS = [
  /** Messages of any type at any time: confirmations nobody asked for, proposals of unoffered slots. */
  'out_of_phase',
  /** Its own earlier messages again, long after (exact copies, to anyone). */
  'replay',
  /** The `sender` field names another member of the negotiation; the channel still says who sent it. */
  'forged_sender',
  /** Offered and counter-offered slots moved off the 15-minute grid (right duration, inside the window). */
  'off_grid',
  /** Bursts of RESCHEDULE with fresh windows, as organizer and as participant. */
  'reschedule_flood',
  /** `sentAt` years ahead with `expiresAt` 120 days after it, or `expiresAt` 120 days from now. */
  'far_expiry',
  /** Windows of 120 days and durations of 5 minutes or a whole day. */
  'huge_window',
  /** Titles and notes made of, or salted with, characters that render as nothing. */
  'invisible_text',
  /** Text that is not a message: not JSON, wrong version, unknown type, forbidden keys, too deep. */
  'junk',
  /** A QUERY under the id of a negotiation it was invited to, sent to the other invitees as organizer. */
  'id_squat',
] as const;
export type Misbehaviour = (typeof MISBEHAVIOURS)[number];

/** Characters that render as nothing; the campaign's peer-text check looks for the same ones. */
export const INVISIBLE =
  /[\u00ad\u115f\u1160\u180e\u200b\u2060-\u2064\u3164\ufeff\uffa0]|[\u{e0000}-\u{e007f}]/u;
const INVISIBLE_TITLES = [
  '\u200b\u200b\u200b',
  '\u3164',
  'Sync\u2060 with\u2060 Dana',
  '\ufeff',
  'Pay\u00adroll \u{e0041}\u{e0042}',
  '\u115f\u1160',
];

/** At most this many hostile messages per run, so a flood cannot make a run slow. */
const MAX_INJECTED = 80;
const DAY = 86_400_000;

interface Known {
  members: string[];
  window: Interval;
  durationMin: number;
  /** The last message each peer sent us here. */
  last: Map<string, Message>;
}

export class MisbehavingPeer {
  injected = 0;
  readonly #seq = new Map<string, number>();
  readonly #sent: { to: string; raw: string }[] = [];
  readonly #known = new Map<string, Known>();

  constructor(
    readonly self: string,
    private readonly honest: readonly string[],
    readonly kinds: readonly Misbehaviour[],
    private readonly random: () => number,
    private readonly clock: () => number,
    /** Puts raw text on the (unreliable) network from this peer. */
    private readonly put: (to: string, raw: string) => void,
    private readonly note: (line: string) => void,
  ) {}

  /** What its own interpreter sends: passed on, sometimes altered, and remembered for replays. */
  outgoing(to: string, raw: string): string[] {
    const m = peek(raw);
    if (!m) return [raw];
    this.#learn(m, to);
    this.#bump(m.negotiationId, m.seq);
    let out = raw;
    const mutated = this.#mutate(m);
    if (mutated) {
      out = JSON.stringify(mutated);
      this.note(`${this.self} alters its ${m.type} to ${to}`);
    }
    this.#sent.push({ to, raw: out });
    return [out];
  }

  /** A message reached this peer: maybe it answers, in or out of turn. */
  incoming(from: string, raw: unknown): void {
    const m = peek(raw);
    if (!m || !this.honest.includes(from)) return;
    this.#learn(m, from);
    this.#known.get(m.negotiationId)?.last.set(from, m);
    if (this.random() < 0.35) return;
    const k = this.#known.get(m.negotiationId)!;
    switch (m.type) {
      case 'QUERY': {
        if (this.#can('id_squat') && this.random() < 0.5) this.#squat(m);
        this.#send(from, m.negotiationId, {
          type: 'RESPONSE',
          inReplyTo: m.messageId,
          round: m.round,
          granularityMin: 30,
          slots: this.#slots(k, 1 + this.#int(3)),
        });
        break;
      }
      case 'RESCHEDULE':
        this.#send(from, m.negotiationId, {
          type: 'RESPONSE',
          inReplyTo: m.messageId,
          round: 1,
          granularityMin: 15,
          slots: this.#slots(k, 1 + this.#int(3)),
        });
        break;
      case 'RESPONSE': {
        if (this.#can('reschedule_flood') && this.random() < 0.4) {
          this.#flood(from, m.negotiationId);
          break;
        }
        const offered = m.slots[this.#int(Math.max(1, m.slots.length))];
        const slot = offered && !this.#chance('out_of_phase', 0.2) ? offered : this.#slots(k, 1)[0]!;
        this.#send(from, m.negotiationId, {
          type: 'PROPOSAL',
          slot: { ...slot },
          participants: [...new Set([this.self, from])].sort(),
          ...this.#title(),
        });
        break;
      }
      case 'PROPOSAL':
        if (this.random() < 0.7) {
          this.#send(from, m.negotiationId, {
            type: 'CONFIRMATION',
            inReplyTo: m.messageId,
            slot: { ...m.slot },
            phase: 'accept',
          });
        } else {
          this.#send(from, m.negotiationId, {
            type: 'COUNTER_PROPOSAL',
            inReplyTo: m.messageId,
            slots: this.#slots(k, 1 + this.#int(2)),
          });
        }
        break;
      case 'CONFIRMATION':
        if (m.phase === 'accept') {
          const lie = this.#chance('out_of_phase', 0.2);
          this.#send(from, m.negotiationId, {
            type: 'CONFIRMATION',
            inReplyTo: m.messageId,
            slot: lie ? this.#slots(k, 1)[0]! : { ...m.slot },
            phase: 'booked',
            eventId: eventIdFor(lie ? `${m.negotiationId}x` : m.negotiationId),
            iCalUID: iCalUIDFor(m.negotiationId),
          });
        } else if (this.#can('reschedule_flood') && this.random() < 0.5) {
          this.#flood(from, m.negotiationId);
        }
        break;
      default:
        if (this.#can('out_of_phase')) this.#outOfPhase(from, m.negotiationId);
    }
  }

  /** Unprompted, at the scenario's chosen times. */
  act(): void {
    const ids = [...this.#known.keys()];
    const id = ids[this.#int(Math.max(1, ids.length))];
    const k = id === undefined ? undefined : this.#known.get(id);
    const peers = k ? k.members.filter((x) => this.honest.includes(x)) : [];
    const to = peers[this.#int(Math.max(1, peers.length))] ?? this.honest[this.#int(this.honest.length)]!;
    const options: (() => void)[] = [() => this.#rogue(to)];
    if (id !== undefined) {
      if (this.#can('reschedule_flood')) options.push(() => this.#flood(to, id));
      if (this.#can('out_of_phase')) options.push(() => this.#outOfPhase(to, id));
    }
    if (this.#can('replay') && this.#sent.length > 0) {
      options.push(() => {
        const old = this.#sent[this.#int(this.#sent.length)]!;
        const target = this.random() < 0.5 ? old.to : to;
        this.#emit(target, old.raw, 'replays an old message');
      });
    }
    if (this.#can('junk')) options.push(() => this.#emit(to, this.#junk(id), 'sends junk'));
    options[this.#int(options.length)]!();
  }

  #can(kind: Misbehaviour): boolean {
    return this.kinds.includes(kind);
  }
  #chance(kind: Misbehaviour, p: number): boolean {
    return this.#can(kind) && this.random() < p;
  }
  #int(n: number): number {
    return Math.floor(this.random() * n);
  }

  #learn(m: Message, peer: string): void {
    if (this.#known.has(m.negotiationId)) return;
    const members =
      m.type === 'QUERY' || m.type === 'PROPOSAL' ? [...m.participants] : [this.self, peer, m.sender];
    const window =
      m.type === 'QUERY' || m.type === 'RESCHEDULE'
        ? m.window
        : { start: this.clock(), end: this.clock() + 5 * DAY };
    const durationMin = m.type === 'QUERY' || m.type === 'RESCHEDULE' ? m.durationMin : 30;
    this.#known.set(m.negotiationId, {
      members: [...new Set(members)],
      window,
      durationMin,
      last: new Map(),
    });
  }

  #bump(negotiationId: string, seq: number): void {
    this.#seq.set(negotiationId, Math.max(this.#seq.get(negotiationId) ?? -1, seq));
  }

  /** Slots of the asked duration inside the window: on the half-hour grid, or off it. */
  #slots(k: Known, n: number): Interval[] {
    const d = k.durationMin * MINUTE;
    const span = Math.max(1, Math.floor((k.window.end - k.window.start - d) / (30 * MINUTE)));
    const out: Interval[] = [];
    for (let i = 0; i < n; i++) {
      const aligned = Math.ceil(k.window.start / (30 * MINUTE)) * 30 * MINUTE + this.#int(span) * 30 * MINUTE;
      const start = this.#chance('off_grid', 0.7) ? aligned + (1 + this.#int(13)) * MINUTE : aligned;
      if (start + d <= k.window.end) out.push({ start, end: start + d });
    }
    return out.length > 0 ? out : [{ start: k.window.start, end: k.window.start + d }];
  }

  #title(): { title?: ReturnType<typeof asPeerText> } {
    if (!this.#chance('invisible_text', 0.6)) return {};
    return { title: asPeerText(INVISIBLE_TITLES[this.#int(INVISIBLE_TITLES.length)]!) };
  }

  #window(k: Known | undefined): { window: Interval; durationMin: number } {
    const now = this.clock();
    if (this.#chance('huge_window', 0.5)) {
      return {
        window: { start: now, end: now + LIMITS.maxWindowDays * DAY },
        durationMin: this.random() < 0.5 ? 5 : 1_440,
      };
    }
    const start = Math.ceil((now + this.#int(3) * DAY) / (30 * MINUTE)) * 30 * MINUTE;
    return {
      window: { start, end: start + (1 + this.#int(3)) * DAY },
      durationMin: k && this.random() < 0.5 ? k.durationMin : [15, 30, 60][this.#int(3)]!,
    };
  }

  /** Sends a composed message: its own id, or (forged_sender) another member's name in `sender`. */
  #send(to: string, negotiationId: string, body: MessageBody): void {
    const k = this.#known.get(negotiationId);
    const seq = (this.#seq.get(negotiationId) ?? 0) + 1 + (this.#chance('replay', 0.2) ? 0 : this.#int(2));
    this.#bump(negotiationId, seq);
    const now = this.clock();
    let sender = this.self;
    if (this.#chance('forged_sender', 0.4)) {
      const others = (k?.members ?? this.honest).filter((x) => x !== this.self && x !== to);
      sender = others[this.#int(Math.max(1, others.length))] ?? to;
    }
    let sentAt = now;
    let expiresAt = now + 2 * DAY;
    if (this.#chance('far_expiry', 0.5)) {
      if (this.random() < 0.5) sentAt = now + (1 + this.#int(10)) * 365 * DAY;
      expiresAt = sentAt + LIMITS.maxWindowDays * DAY;
    }
    const message = {
      ...compose({ negotiationId, self: sender, seq, expiresAt }, body, sentAt),
      ...(body.type === 'QUERY' || body.type === 'PROPOSAL' ? this.#title() : {}),
    };
    this.#emit(to, JSON.stringify(message), `${body.type} as ${sender}`);
  }

  #emit(to: string, raw: string, what: string): void {
    if (this.injected >= MAX_INJECTED) return;
    this.injected++;
    this.note(`${this.self} injects → ${to}: ${what}`);
    this.put(to, raw);
  }

  #flood(to: string, negotiationId: string): void {
    const k = this.#known.get(negotiationId);
    const n = 3 + this.#int(8);
    for (let i = 0; i < n; i++) this.#send(to, negotiationId, { type: 'RESCHEDULE', ...this.#window(k) });
  }

  #outOfPhase(to: string, negotiationId: string): void {
    const k = this.#known.get(negotiationId) ?? {
      members: [this.self, to],
      ...this.#window(undefined),
      last: new Map(),
    };
    const last = k.last.get(to);
    const replyTo = last?.messageId ?? 'not-a-real-id-0';
    const slot = this.#slots(k, 1)[0]!;
    const bodies: MessageBody[] = [
      { type: 'QUERY', round: 1 + this.#int(3), ...this.#window(k), participants: k.members },
      { type: 'RESPONSE', inReplyTo: replyTo, round: 1 + this.#int(3), granularityMin: 15, slots: [slot] },
      { type: 'PROPOSAL', slot, participants: k.members },
      { type: 'COUNTER_PROPOSAL', inReplyTo: replyTo, slots: [slot] },
      { type: 'CONFIRMATION', inReplyTo: replyTo, slot, phase: 'accept' },
      {
        type: 'CONFIRMATION',
        inReplyTo: replyTo,
        slot,
        phase: 'booked',
        eventId: eventIdFor(negotiationId),
        iCalUID: iCalUIDFor(negotiationId),
      },
      { type: 'REJECTION', inReplyTo: replyTo, reason: 'busy' },
      { type: 'CANCEL' },
      { type: 'HEARTBEAT' },
      {
        type: 'HANDSHAKE',
        card: { agentId: this.self, displayName: asPeerText('\u200b'), protocolVersions: [1] },
      },
    ];
    this.#send(to, negotiationId, bodies[this.#int(bodies.length)]!);
  }

  /** A negotiation of its own that its interpreter knows nothing of: the answers drive it. */
  #rogue(to: string): void {
    const negotiationId = `rogue-${this.self}-${this.#int(1e6)}`;
    const w = this.#window(undefined);
    this.#known.set(negotiationId, { members: [this.self, to], ...w, last: new Map() });
    this.#send(to, negotiationId, {
      type: 'QUERY',
      round: 1,
      ...w,
      participants: [this.self, to].sort(),
      ...this.#title(),
    });
  }

  /** The same negotiation id, with itself as organizer, to the other invitees: first come, first served. */
  #squat(q: MessageOf<'QUERY'>): void {
    const others = q.participants.filter((x) => x !== this.self && x !== q.sender && this.honest.includes(x));
    for (const to of others) {
      this.#send(to, q.negotiationId, {
        type: 'QUERY',
        round: 1,
        window: q.window,
        durationMin: q.durationMin,
        participants: [this.self, to].sort(),
        ...this.#title(),
      });
    }
  }

  /** Alters a message its own interpreter sends (same id, other content). */
  #mutate(m: Message): Message | null {
    if (m.type === 'RESPONSE' && this.#chance('off_grid', 0.6) && m.slots.length > 0) {
      return { ...m, slots: m.slots.map((s) => ({ start: s.start + 7 * MINUTE, end: s.end + 7 * MINUTE })) };
    }
    if (m.type === 'QUERY' && this.#chance('far_expiry', 0.5)) {
      const sentAt = m.sentAt + (1 + this.#int(10)) * 365 * DAY;
      return { ...m, sentAt, expiresAt: sentAt + LIMITS.maxWindowDays * DAY };
    }
    if ((m.type === 'QUERY' || m.type === 'PROPOSAL') && this.#chance('invisible_text', 0.5)) {
      return { ...m, ...this.#title() };
    }
    return null;
  }

  #junk(negotiationId: string | undefined): string {
    const id = negotiationId ?? 'neg-junk-0000';
    const base = { v: 1, messageId: 'junk-00000001', negotiationId: id, seq: 1, sentAt: this.clock() };
    const variants = [
      () => 'not json {',
      () =>
        JSON.stringify({
          ...base,
          v: 2,
          type: 'HEARTBEAT',
          expiresAt: this.clock() + DAY,
          sender: this.self,
        }),
      () => JSON.stringify({ ...base, type: 'WIRE', expiresAt: this.clock() + DAY, sender: this.self }),
      () =>
        `{"v":1,"type":"HEARTBEAT","__proto__":{"admin":true},"messageId":"junk-00000002","negotiationId":"${id}"}`,
      () => JSON.stringify({ ...base, type: 'HEARTBEAT', expiresAt: 'tomorrow', sender: this.self }),
      () => '['.repeat(50) + ']'.repeat(50),
      () =>
        JSON.stringify({ ...base, type: 'CANCEL', expiresAt: this.clock() + DAY, sender: this.self, x: 1 }),
    ];
    return variants[this.#int(variants.length)]!();
  }
}

/** The message a raw text claims to be, without validation (the peer reads what it is sent). */
export function peek(raw: unknown): Message | null {
  try {
    const value: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
    const m = value as Partial<Message> | null;
    return m && typeof m === 'object' && typeof m.type === 'string' && typeof m.negotiationId === 'string'
      ? (m as Message)
      : null;
  } catch {
    // Junk is the peer's own business: it reads nothing from it.
    return null;
  }
}
