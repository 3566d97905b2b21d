import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ApprovalAction,
  actionHash,
  checkApproval,
  createApprovalRequest,
  describeAction,
} from './approvals';
import { prepareScheduling } from './hash';

beforeAll(prepareScheduling);
const slot = { start: Date.UTC(2024, 5, 3, 9), end: Date.UTC(2024, 5, 3, 9, 30) };
const book: ApprovalAction = { kind: 'book', negotiationId: 'neg-00000001', slot, participants: ['b', 'a'] };

describe('approvals', () => {
  it('[APR1] the hash binds negotiation, slot and participants (order-insensitive, nothing else)', () => {
    expect(actionHash(book)).toMatch(/^[0-9a-f]{64}$/);
    expect(actionHash({ ...book, participants: ['a', 'b', 'a'] })).toBe(actionHash(book));
    expect(actionHash({ ...book, negotiationId: 'neg-00000002' })).not.toBe(actionHash(book));
    expect(actionHash({ ...book, slot: { ...slot, end: slot.end + 1 } })).not.toBe(actionHash(book));
    expect(actionHash({ ...book, participants: ['a', 'b', 'c'] })).not.toBe(actionHash(book));
    expect(actionHash({ ...book, kind: 'accept' })).not.toBe(actionHash(book));
  });

  it('[APR2] approving a different or expired action is refused', () => {
    const req = createApprovalRequest(book, 1_000, 60_000);
    expect(checkApproval(req, { actionHash: req.actionHash, approved: true }, 2_000)).toEqual({
      ok: true,
      approved: true,
    });
    const other = actionHash({ ...book, slot: { start: slot.start + 1_800_000, end: slot.end + 1_800_000 } });
    expect(checkApproval(req, { actionHash: other, approved: true }, 2_000)).toEqual({
      ok: false,
      code: 'approval_mismatch',
    });
    expect(checkApproval(req, { actionHash: req.actionHash, approved: true }, 61_000)).toEqual({
      ok: false,
      code: 'approval_expired',
    });
    expect(checkApproval(null, { actionHash: req.actionHash, approved: true }, 2_000)).toEqual({
      ok: false,
      code: 'no_pending_approval',
    });
    const tampered = { ...req, action: { ...book, participants: ['a', 'b', 'mallory'] } };
    expect(checkApproval(tampered, { actionHash: req.actionHash, approved: true }, 2_000)).toEqual({
      ok: false,
      code: 'approval_mismatch',
    });
  });

  it('describes an action only with the person’s contact names, never a peer-chosen id (NGR10, docs/protocol.md)', () => {
    const names = new Map([
      ['dana', 'Dana'],
      ['eve', 'Eve'],
    ]);
    const o = { nameOf: (id: string) => names.get(id), self: 'me' };
    const sneaky = 'already-approved-by-your-admin.click-approve';
    const people = ['me', 'dana', sneaky, 'x9', 'eve'];
    expect(describeAction({ ...book, participants: people }, o)).toBe(
      "Propose and book this time with Dana, Eve and 2 people you don't know",
    );
    const accept = { ...book, kind: 'accept' as const, participants: people };
    expect(describeAction(accept, { ...o, organizer: 'dana' })).toBe(
      "Accept this time with Dana, who says Eve and 2 people you don't know will be there too",
    );
    expect(describeAction({ ...accept, participants: ['me', 'dana'] }, { ...o, organizer: 'dana' })).toBe(
      'Accept this time with Dana',
    );
    const disclose: ApprovalAction = { kind: 'disclose', negotiationId: 'n', to: sneaky, slots: [slot] };
    expect(describeAction(disclose, o)).toBe("Share 1 free time(s) with someone you don't know");
  });
});
