import type { NegotiationView } from '../rpc';
import { t } from '../i18n';

/**
 * [NTF1–4] What the person is told outside Parley's pages: a badge with the number of approvals that
 * wait, and a notification when an approval is needed, a meeting is booked or a meeting is declined.
 * Pure: given what was known before and the meetings now, it says what to show and what to clear.
 */

export type NoticeKind = 'approval' | 'booked' | 'declined';

export interface Notice {
  /** `parley/<kind>/<negotiationId>`: the click handler reads where to go from it. */
  id: string;
  kind: NoticeKind;
  negotiationId: string;
  title: string;
  message: string;
}

/** What was known at the last look: ids and hashes only (kept in `storage.session`). */
export interface AttentionMemory {
  /** `<negotiationId>:<actionHash>` of every approval that waited. */
  approvals: string[];
  /** Each meeting's status as far as notifications go. */
  status: Record<string, 'open' | 'booked' | 'declined' | 'over'>;
}

/**
 * [NTF3] The words of a notification name no one and nothing: a notification can show on a locked
 * screen, so what, with whom and when stay in Parley, behind the click.
 */
export const NOTICE_TEXT: Record<NoticeKind, () => { title: string; message: string }> = {
  approval: () => ({ title: t('notifyApprovalTitle'), message: t('notifyApprovalMessage') }),
  booked: () => ({ title: t('notifyBookedTitle'), message: t('notifyBookedMessage') }),
  declined: () => ({ title: t('notifyDeclinedTitle'), message: t('notifyDeclinedMessage') }),
};

export const noticeId = (kind: NoticeKind, negotiationId: string) => `parley/${kind}/${negotiationId}`;

/** Reads a notification id back (undefined for one that is not Parley's). */
export function parseNoticeId(id: string): { kind: NoticeKind; negotiationId: string } | undefined {
  const match = /^parley\/(approval|booked|declined)\/([^/]{1,64})$/.exec(id);
  return match ? { kind: match[1] as NoticeKind, negotiationId: match[2]! } : undefined;
}

function statusOf(view: NegotiationView): AttentionMemory['status'][string] {
  if (view.outcome === 'booked') return 'booked';
  if (view.phase === 'declined' || view.reason === 'declined' || view.reason === 'organizer_declined')
    return 'declined';
  if (view.outcome || ['cancelled', 'failed', 'expired'].includes(view.phase)) return 'over';
  return 'open';
}

export interface AttentionChanges {
  /** [NTF1] The badge: the number of approvals waiting, '' for none. */
  badge: string;
  show: Notice[];
  /** Notifications that no longer apply (the approval was answered or went away). */
  clear: string[];
  next: AttentionMemory;
}

/**
 * `before` undefined: the first look in this browser session. Approvals that wait then are announced
 * (the person may not know); meetings booked or declined before it are not (nothing happened now).
 */
export function attentionChanges(
  before: AttentionMemory | undefined,
  views: readonly NegotiationView[],
): AttentionChanges {
  const approvals = views
    .filter((v) => v.approval)
    .map((v) => ({ view: v, key: `${v.id}:${v.approval!.actionHash}` }));
  const known = new Set(before?.approvals ?? []);
  const now = new Set(approvals.map((a) => a.key));
  const show: Notice[] = [];
  for (const { view, key } of approvals) {
    if (!known.has(key)) show.push(notice('approval', view.id));
  }
  const status: AttentionMemory['status'] = {};
  for (const view of views) {
    const current = statusOf(view);
    status[view.id] = current;
    const previous = before?.status[view.id];
    if (!before || previous === current) continue;
    if (current === 'booked' || current === 'declined') show.push(notice(current, view.id));
  }
  const clear = [...known]
    .filter((key) => !now.has(key))
    .map((key) => noticeId('approval', key.slice(0, key.lastIndexOf(':'))))
    // An approval replaced by the next one of the same meeting keeps its notification.
    .filter(
      (id) =>
        !show.some((n) => n.id === id) && !approvals.some((a) => noticeId('approval', a.view.id) === id),
    );
  return {
    badge: approvals.length === 0 ? '' : approvals.length > 99 ? '99+' : String(approvals.length),
    show,
    clear: [...new Set(clear)],
    next: { approvals: [...now], status },
  };
}

function notice(kind: NoticeKind, negotiationId: string): Notice {
  return { id: noticeId(kind, negotiationId), kind, negotiationId, ...NOTICE_TEXT[kind]() };
}
