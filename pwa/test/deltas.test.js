import { describe, it, expect } from 'vitest';
import { applyChanges } from '../src/deltas.js';

const now = Date.parse('2026-11-23T12:00:00Z');
const at = (h) => new Date(now + h * 3600e3).toISOString();
const agency = { slug: 'k', name: 'Kommune' };

function base() {
  return {
    generatedAt: at(-1), cursor: '10', person: { id: 'u', name: 'U' }, actingAs: null,
    needsAction: [{ kind: 'case', id: 'c1', title: 'A', agency, dueAt: at(48), nextAction: 'Svar', subject: null }],
    upcoming: [{ id: 'b1', agency, resource: 'Gym', startsAt: at(24), endsAt: at(26), status: 'confirmed' }],
    keys: [{ id: 'k1', status: 'active', facility: { name: 'F' } }],
    notifications: { unread: 3, items: [{ id: 'n1', createdAt: at(-2), readAt: null }, { id: 'n2', createdAt: at(-5), readAt: null }] },
    recent: [{ id: 'c1', title: 'A', status: 'awaiting_citizen', updatedAt: at(-3) }],
    tiles: [{ id: 't1', title: 'T' }],
    people: [],
  };
}

describe('applyChanges', () => {
  const cases = [
    {
      name: 'a case decided leaves needsAction and moves to the top of recent',
      changes: [{ kind: 'case', id: 'c1', op: 'upsert', data: { id: 'c1', title: 'A', status: 'decided', updatedAt: at(0), agency, nextAction: null } }],
      check: (o) => { expect(o.needsAction).toEqual([]); expect(o.recent.map((c) => c.status)).toEqual(['decided']); },
    },
    {
      name: 'a new case awaiting the citizen joins needsAction, sorted by due date',
      changes: [{ kind: 'case', id: 'c2', op: 'upsert', data: { id: 'c2', title: 'B', status: 'awaiting_citizen', updatedAt: at(0), agency, nextAction: { text: 'Sign', dueAt: at(5) }, subject: null } }],
      check: (o) => {
        expect(o.needsAction.map((i) => i.id)).toEqual(['c2', 'c1']);
        expect(o.needsAction[0]).toMatchObject({ kind: 'case', dueAt: at(5), nextAction: 'Sign' });
        expect(o.recent.map((c) => c.id)).toEqual(['c2', 'c1']);
      },
    },
    {
      name: 'recent keeps at most five, newest first',
      changes: [1, 2, 3, 4, 5].map((i) => ({ kind: 'case', id: `x${i}`, op: 'upsert', data: { id: `x${i}`, title: 'X', status: 'received', updatedAt: at(-i / 10), agency } })),
      check: (o) => expect(o.recent.map((c) => c.id)).toEqual(['x1', 'x2', 'x3', 'x4', 'x5']),
    },
    {
      name: 'a deleted case disappears everywhere',
      changes: [{ kind: 'case', id: 'c1', op: 'delete', data: null }],
      check: (o) => { expect(o.needsAction).toEqual([]); expect(o.recent).toEqual([]); },
    },
    {
      name: 'a case attached to an errand leaves recent and needsAction: the errand shows instead',
      changes: [
        { kind: 'case', id: 'c1', op: 'upsert', data: { id: 'c1', title: 'A', status: 'awaiting_citizen', updatedAt: at(0), agency, errand: 'e1' } },
        { kind: 'errand', id: 'e1', op: 'upsert', data: { id: 'e1', title: 'Garasje', status: 'awaiting_citizen', updatedAt: at(0), agency, subject: null } },
      ],
      check: (o) => {
        expect(o.recent).toEqual([]);
        expect(o.needsAction.map((i) => `${i.kind}:${i.id}`)).toEqual(['errand:e1']);
        expect(o.errands.map((e) => e.id)).toEqual(['e1']);
      },
    },
    {
      name: 'an errand no longer awaiting the citizen leaves needsAction; a deleted one leaves errands',
      changes: [
        { kind: 'errand', id: 'e1', op: 'upsert', data: { id: 'e1', title: 'Garasje', status: 'awaiting_citizen', updatedAt: at(0), agency } },
        { kind: 'errand', id: 'e1', op: 'upsert', data: { id: 'e1', title: 'Garasje', status: 'in_progress', updatedAt: at(1), agency } },
        { kind: 'errand', id: 'e2', op: 'upsert', data: { id: 'e2', title: 'Annet', status: 'received', updatedAt: at(0), agency } },
        { kind: 'errand', id: 'e2', op: 'delete', data: null },
      ],
      check: (o) => {
        expect(o.needsAction.some((i) => i.kind === 'errand')).toBe(false);
        expect(o.errands.map((e) => `${e.id}:${e.status}`)).toEqual(['e1:in_progress']);
      },
    },
    {
      name: 'a cancelled booking leaves upcoming',
      changes: [{ kind: 'booking', id: 'b1', op: 'upsert', data: { id: 'b1', resource: 'Gym', startsAt: at(24), endsAt: at(26), status: 'cancelled' } }],
      check: (o) => expect(o.upcoming).toEqual([]),
    },
    {
      name: 'a new booking is sorted by start; a past one is not added',
      changes: [
        { kind: 'booking', id: 'b0', op: 'upsert', data: { id: 'b0', resource: 'Pool', startsAt: at(2), endsAt: at(3), status: 'confirmed' } },
        { kind: 'booking', id: 'bp', op: 'upsert', data: { id: 'bp', resource: 'Old', startsAt: at(-5), endsAt: at(-4), status: 'confirmed' } },
      ],
      check: (o) => expect(o.upcoming.map((b) => b.id)).toEqual(['b0', 'b1']),
    },
    {
      name: 'a revoked key leaves keys',
      changes: [{ kind: 'key', id: 'k1', op: 'upsert', data: { id: 'k1', status: 'revoked' } }],
      check: (o) => expect(o.keys).toEqual([]),
    },
    {
      name: 'a new unread notification counts and comes first',
      changes: [{ kind: 'notification', id: 'n9', op: 'upsert', data: { id: 'n9', createdAt: at(0), readAt: null } }],
      check: (o) => { expect(o.notifications.unread).toBe(4); expect(o.notifications.items.map((n) => n.id)).toEqual(['n9', 'n1', 'n2']); },
    },
    {
      name: 'reading a listed notification lowers the count',
      changes: [{ kind: 'notification', id: 'n1', op: 'upsert', data: { id: 'n1', createdAt: at(-2), readAt: at(0) } }],
      check: (o) => { expect(o.notifications.unread).toBe(2); expect(o.notifications.items.map((n) => n.id)).toEqual(['n2']); },
    },
    {
      name: 'an updated unread notification is not counted twice',
      changes: [{ kind: 'notification', id: 'n2', op: 'upsert', data: { id: 'n2', createdAt: at(-5), readAt: null, title: 'new title' } }],
      check: (o) => { expect(o.notifications.unread).toBe(3); expect(o.notifications.items[1].title).toBe('new title'); },
    },
    {
      name: 'tiles are upserted and deleted',
      changes: [{ kind: 'tile', id: 't2', op: 'upsert', data: { id: 't2', title: 'U' } }, { kind: 'tile', id: 't1', op: 'delete', data: null }],
      check: (o) => expect(o.tiles.map((t) => t.id)).toEqual(['t2']),
    },
    {
      name: 'unknown kinds are ignored',
      changes: [{ kind: 'hologram', id: 'h', op: 'upsert', data: {} }],
      check: (o) => expect(o.needsAction).toHaveLength(1),
    },
  ];
  it.each(cases)('$name', ({ changes, check }) => {
    const before = base();
    const snapshot = JSON.stringify(before);
    const after = applyChanges(before, changes, '11', now);
    check(after);
    expect(after.cursor).toBe('11');
    expect(JSON.stringify(before)).toBe(snapshot); // pure: the input is untouched
  });
  it('keeps the cursor when the feed gives none', () => {
    expect(applyChanges(base(), [], null, now).cursor).toBe('10');
  });
});
