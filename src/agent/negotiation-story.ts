import type { NegotiationStory } from '../rpc';
import { waitingFor, type NegotiationRecord } from '../scheduling';

/**
 * [HOM2] The facts of one negotiation as its record holds them, named with the person's own contact
 * names: what each agent offered, what was proposed and accepted, why it ended. Pure: the view carries
 * it and the UI tells it in words (src/ui/narrate.ts). Reads the engine's state defensively, since
 * records written by older builds may lack a field.
 */
export function storyOf(
  record: NegotiationRecord,
  nameOf: (id: string) => string | undefined,
  self: string,
): NegotiationStory {
  const s = record.state;
  const who = (id: string) => (id === self ? 'you' : (nameOf(id) ?? 'someone you don’t know'));
  const slot = (i: { start: number; end: number }) => ({ start: i.start, end: i.end });
  const story: NegotiationStory = { expiresAt: s.expiresAt };
  const open = !record.outcome && !['declined', 'cancelled', 'expired', 'failed', 'booked'].includes(s.phase);

  if (s.role === 'organizer') {
    story.durationMin = s.request.durationMin;
    story.peers = s.threads.map((t) => ({
      name: who(t.agent),
      status: t.status,
      offered: (t.offered ?? []).map(slot),
      ...(t.outbox?.message && typeof t.outbox.message.sentAt === 'number'
        ? { askedAt: t.outbox.message.sentAt }
        : {}),
    }));
    if (s.proposal) story.proposed = slot(s.proposal);
    if (open) {
      // [SIL1] The engine says whom it waits for and since when; an agent still silent after its
      // follow-up is told as offline since it was last heard from (or asked).
      const waiting = waitingFor(s);
      if (waiting.length) {
        story.waitingFor = waiting.map((w) => ({
          name: who(w.agent),
          since: w.askedAt,
          ...(w.followedUpAt !== undefined ? { offlineSince: w.silentSince } : {}),
        }));
      }
    }
  } else {
    story.organizer = who(s.organizer);
    story.durationMin = s.ask.durationMin;
    if (s.disclosed.length) story.shared = s.disclosed.map(slot);
    if (s.proposal) story.proposed = slot(s.proposal.slot);
    // Booked implies accepted: the participant's acceptance id is not kept once the booking is done.
    if (s.acceptId !== null || s.phase === 'accepted' || s.phase === 'booked') story.accepted = true;
    if (open && (s.phase === 'responded' || s.phase === 'accepted')) {
      story.waitingFor = [{ name: who(s.organizer) }];
    }
  }

  const outcome = record.outcome;
  if (outcome?.status === 'failed') {
    story.failures = outcome.reasons.map((r) => ({ who: who(r.participant), reason: r.reason }));
  } else if (outcome?.status === 'cancelled') {
    story.cancelledBy = who(outcome.by);
  }
  return story;
}
