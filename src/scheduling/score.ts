import type { Availability } from './availability';
import { DAY, MINUTE, covers, indexContaining } from './interval';
import { epochToWall, formatLocal, isoWeekday } from './zone';

/**
 * SLT rules: a slot's score is a pure function of the slot and the participants' availability, so the
 * same inputs always rank the same way and every point can be explained.
 *
 *   score = preference × 1000 + fairness + comfort + focus
 *   preference (0–1000): Σ preferred-window weight (0–3) over participants / (3 × N)
 *   fairness   (0–400):  400 × (1 − the worst participant's inconvenience)
 *   comfort    (0–200):  200 × (1 − mean inconvenience)
 *   focus      (0–300):  300 × (1 − short free gaps left behind / (2 × N))
 *
 * Preference is multiplied by 1000 and the rest sum to at most 900, so stated preferences always come
 * first (SLT4); ties go to the earlier start (SLT5).
 */
export interface ParticipantView {
  readonly participantId: string;
  /** How the start reads for them, e.g. "Tue 2024-03-12 09:30 (UTC-04:00)". */
  readonly local: string;
  /** 0 = the middle of their meeting hours, 1 = the edge. */
  readonly inconvenience: number;
  readonly preferredWeight: number;
  /** Free gaps shorter than their focus block that this slot would leave (0–2). */
  readonly fragments: number;
}

export interface ScoreReason {
  readonly code: 'preference' | 'fairness' | 'comfort' | 'focus';
  readonly points: number;
  readonly text: string;
}

export interface SlotScore {
  readonly score: number;
  readonly reasons: readonly ScoreReason[];
  readonly participants: readonly ParticipantView[];
}

interface Parts {
  weight: number;
  inconvenience: number;
  fragments: number;
}

// Reused by scoreValue so ranking thousands of candidates allocates nothing.
const scratch: Parts = { weight: 0, inconvenience: 0, fragments: 0 };

function parts(av: Availability, start: number, end: number, out: Parts): Parts {
  let weight = 0;
  for (let w = 3; w >= 1; w--) {
    if (covers(av.preferred[w - 1]!, start, end)) {
      weight = w;
      break;
    }
  }
  const wallStart = epochToWall(av.zone, start);
  const day = Math.floor(wallStart / DAY);
  const shape = av.dayShape[isoWeekday(day) - 1]!;
  const midMin = (wallStart - day * DAY) / MINUTE + (end - start) / MINUTE / 2;
  const room = shape.halfMin - (end - start) / MINUTE / 2;
  const inconvenience = room > 0 ? Math.min(1, Math.abs(midMin - shape.centerMin) / room) : 0;
  let fragments = 0;
  const k = indexContaining(av.free, start);
  if (k >= 0) {
    const f = av.free[k]!;
    const gapBefore = start - f.start;
    const gapAfter = f.end - end;
    if (gapBefore > 0 && gapBefore < av.minFocusBlockMs) fragments++;
    if (gapAfter > 0 && gapAfter < av.minFocusBlockMs) fragments++;
  }
  out.weight = weight;
  out.inconvenience = inconvenience;
  out.fragments = fragments;
  return out;
}

function total(n: number, wSum: number, incMax: number, incSum: number, frag: number): number[] {
  return [
    Math.round((1000 * wSum) / (3 * n)),
    Math.round(400 * (1 - incMax)),
    Math.round(200 * (1 - incSum / n)),
    Math.round(300 * (1 - frag / (2 * n))),
  ];
}

/** The number used for ranking; cheap, allocation-free apart from the final tuple. */
export function scoreValue(avs: readonly Availability[], start: number, end: number): number {
  let wSum = 0;
  let incMax = 0;
  let incSum = 0;
  let frag = 0;
  for (const av of avs) {
    const p = parts(av, start, end, scratch);
    wSum += p.weight;
    incSum += p.inconvenience;
    if (p.inconvenience > incMax) incMax = p.inconvenience;
    frag += p.fragments;
  }
  const n = avs.length;
  return (
    Math.round((1000 * wSum) / (3 * n)) * 1000 +
    Math.round(400 * (1 - incMax)) +
    Math.round(200 * (1 - incSum / n)) +
    Math.round(300 * (1 - frag / (2 * n)))
  );
}

/** The same number, with the reasons behind it. */
export function explainScore(avs: readonly Availability[], start: number, end: number): SlotScore {
  const all = avs.map((av) => parts(av, start, end, { weight: 0, inconvenience: 0, fragments: 0 }));
  let incMax = 0;
  let incSum = 0;
  for (const p of all) {
    incSum += p.inconvenience;
    if (p.inconvenience > incMax) incMax = p.inconvenience;
  }
  const [pref, fair, comfort, focus] = total(
    all.length,
    all.reduce((s, p) => s + p.weight, 0),
    incMax,
    incSum,
    all.reduce((s, p) => s + p.fragments, 0),
  ) as [number, number, number, number];
  const participants = avs.map((av, i) => ({
    participantId: av.participantId,
    local: formatLocal(av.zone, start),
    inconvenience: Math.round(all[i]!.inconvenience * 100) / 100,
    preferredWeight: all[i]!.weight,
    fragments: all[i]!.fragments,
  }));
  const inPref = participants.filter((p) => p.preferredWeight > 0).length;
  const worst = participants.reduce((a, b) => (b.inconvenience > a.inconvenience ? b : a));
  const frags = participants.reduce((s, p) => s + p.fragments, 0);
  const reasons: ScoreReason[] = [
    {
      code: 'preference',
      points: pref * 1000,
      text: `inside the preferred times of ${inPref} of ${participants.length} participants`,
    },
    {
      code: 'fairness',
      points: fair,
      text:
        worst.inconvenience > 0
          ? `least convenient for ${worst.participantId} (${worst.local}, ${Math.round(worst.inconvenience * 100)}% toward the edge of their hours)`
          : 'in the middle of everyone’s hours',
    },
    { code: 'comfort', points: comfort, text: 'average distance from the middle of everyone’s hours' },
    {
      code: 'focus',
      points: focus,
      text:
        frags === 0 ? 'leaves no short unusable gaps' : `leaves ${frags} short gap(s) too small to focus in`,
    },
  ];
  return { score: pref * 1000 + fair + comfort + focus, reasons, participants };
}
