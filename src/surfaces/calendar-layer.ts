import type { LayerSnapshot, NegotiationView } from '../rpc';
import { t, type MessageKey } from '../i18n';

/** How far a meeting being arranged has come, in a few words (the layer shows them beside its title). */
const STATUS: Record<string, MessageKey> = {
  checking: 'layerStatusChecking',
  querying: 'layerStatusQuerying',
  proposing: 'layerStatusProposing',
  responded: 'layerStatusResponded',
  booking: 'layerStatusBooking',
};

const FINAL = new Set(['booked', 'failed', 'cancelled', 'declined', 'expired']);
const clip = (text: string, max = 400) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * [GCL2] The Google Calendar layer's picture, built from the meetings' views: only what it displays
 * (docs/protocol/interface.md). `eventIdOf` is the calendar's own derivation (WRT1), so the ids match
 * the events Parley wrote.
 */
export async function layerSnapshot(
  views: readonly NegotiationView[],
  eventIdOf: (negotiationId: string) => Promise<string>,
): Promise<LayerSnapshot> {
  const booked = await Promise.all(
    views
      .filter((v) => v.outcome === 'booked' && v.slot)
      .slice(0, 200)
      .map(async (v) => ({
        eventId: await eventIdOf(v.id),
        title: clip(v.title),
        slot: { start: v.slot!.start, end: v.slot!.end },
      })),
  );
  return {
    state: 'ready',
    booked,
    pending: views
      .filter((v) => !v.approval && !v.outcome && !FINAL.has(v.phase))
      .slice(0, 50)
      .map((v) => ({
        negotiationId: v.id,
        title: clip(v.title),
        status: t(STATUS[v.phase] ?? 'layerStatusInProgress'),
      })),
    approvals: views
      .filter((v) => v.approval)
      .slice(0, 50)
      .map((v) => ({
        negotiationId: v.id,
        actionHash: v.approval!.actionHash,
        text: clip(v.approval!.description),
        slots: v.approval!.slots.slice(0, 20).map((s) => ({ start: s.start, end: s.end })),
      })),
  };
}

export const LOCKED_SNAPSHOT: LayerSnapshot = { state: 'locked', booked: [], pending: [], approvals: [] };
