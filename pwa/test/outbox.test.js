import 'fake-indexeddb/auto';
import { describe, it, expect, beforeEach } from 'vitest';
import { enqueue, replay, sendWith, pendingTargets, unreadAfterPending } from '../src/outbox.js';
import { memoryStore, openUserStore, destroyUserStore, dbName } from '../src/store.js';
import { createApi, NetworkError, HttpError } from '../src/api.js';

const offline = () => { throw new NetworkError(new TypeError('Failed to fetch')); };
const answer = (status, problem) => () => { throw new HttpError(status, problem); };
const ok = (data) => async () => ({ status: 200, data });

async function queued(store, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await enqueue(store, { path: `/api/v1/x/${i}`, kind: 'markRead', targetId: `n${i}` }, 1000 + i));
  return out;
}

describe('outbox replay', () => {
  const table = [
    {
      name: 'all sent when online',
      responses: [ok({}), ok({}), ok({})],
      want: { sent: 3, failed: 0, stoppedBy: null, left: [] },
    },
    {
      name: 'a network failure stops the run and keeps order',
      responses: [ok({}), offline, ok({})],
      want: { sent: 1, failed: 0, stoppedBy: 'network', left: [['n1', 'pending'], ['n2', 'pending']] },
    },
    {
      name: 'an HTTP error marks that action failed and goes on',
      responses: [answer(409, { title: 'Too late to cancel' }), ok({}), ok({})],
      want: { sent: 2, failed: 1, stoppedBy: null, left: [['n0', 'failed']] },
    },
    {
      name: 'a lost session stops without failing anything',
      responses: [ok({}), answer(401, { title: 'Not logged in' }), ok({})],
      want: { sent: 1, failed: 0, stoppedBy: 'unauthorized', left: [['n1', 'pending'], ['n2', 'pending']] },
    },
  ];
  it.each(table)('$name', async ({ responses, want }) => {
    const store = memoryStore();
    await queued(store, 3);
    let i = 0;
    const seen = [];
    const r = await replay(store, async (a) => { seen.push(a.targetId); return responses[i++](a); }, { onSent: (a) => seen.push(`done:${a.targetId}`) });
    expect({ sent: r.sent, failed: r.failed, stoppedBy: r.stoppedBy }).toEqual({ sent: want.sent, failed: want.failed, stoppedBy: want.stoppedBy });
    const left = await store.listActions();
    expect(left.map((a) => [a.targetId, a.status])).toEqual(want.left);
    expect(seen[0]).toBe('n0');
  });

  it('records the server reason on a failed action and skips it next time', async () => {
    const store = memoryStore();
    await queued(store, 1);
    await replay(store, answer(409, { title: 'Too late', detail: 'The booking has started' }));
    const [failed] = await store.listActions();
    expect(failed.error).toEqual({ status: 409, message: 'The booking has started' });
    let calls = 0;
    const r = await replay(store, async () => { calls++; return { data: null }; });
    expect(calls).toBe(0);
    expect(r.sent).toBe(0);
  });

  it('counts attempts across network failures', async () => {
    const store = memoryStore();
    await queued(store, 1);
    await replay(store, offline);
    await replay(store, offline);
    const [a] = await store.listActions();
    expect(a.attempts).toBe(2);
    expect(a.status).toBe('pending');
  });

  it('stops when asked', async () => {
    const store = memoryStore();
    await queued(store, 2);
    let stop = false;
    const r = await replay(store, async () => { stop = true; return { data: null }; }, { isStopped: () => stop });
    expect(r).toMatchObject({ sent: 1, stoppedBy: 'stopped', remaining: 1 });
  });

  it('gives every action its own idempotency key', async () => {
    const store = memoryStore();
    const [a, b] = await queued(store, 2);
    expect(a.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.key).not.toBe(b.key);
    expect(pendingTargets([a, b]).get('markRead:n1')).toBe(b);
  });
});

describe('sendWith over the api', () => {
  it('sends method, path, CSRF and Idempotency-Key, and maps failures', async () => {
    const calls = [];
    const fetchImpl = async (path, init) => {
      calls.push({ path, init });
      if (path.endsWith('/bad')) return new Response(JSON.stringify({ title: 'Nope', status: 422 }), { status: 422, headers: { 'Content-Type': 'application/problem+json' } });
      if (path.endsWith('/down')) throw new TypeError('Failed to fetch');
      return new Response(JSON.stringify({ id: 'b1', status: 'cancelled' }), { status: 200, headers: { 'Content-Type': 'application/json' } });
    };
    const api = createApi({ getCsrf: () => 'tok', getLang: () => 'nn', fetchImpl });
    const store = memoryStore();
    await enqueue(store, { path: '/api/v1/bookings/b1/cancel', kind: 'cancelBooking', targetId: 'b1' }, 1);
    await enqueue(store, { path: '/api/v1/bad', kind: 'markRead', targetId: 'n1' }, 2);
    await enqueue(store, { path: '/api/v1/down', kind: 'markRead', targetId: 'n2' }, 3);
    const sentData = [];
    const r = await replay(store, sendWith(api), { onSent: (a, data) => sentData.push(data) });
    expect(r).toMatchObject({ sent: 1, failed: 1, stoppedBy: 'network' });
    expect(sentData).toEqual([{ id: 'b1', status: 'cancelled' }]);
    const h = calls[0].init.headers;
    expect(calls[0].init.method).toBe('POST');
    expect(h['X-CSRF-Token']).toBe('tok');
    expect(h['Accept-Language']).toBe('nn');
    expect(h['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/);
    const left = await store.listActions();
    expect(left.map((a) => [a.targetId, a.status])).toEqual([['n1', 'failed'], ['n2', 'pending']]);
  });
});

describe('per-user IndexedDB store', () => {
  beforeEach(async () => { await destroyUserStore('u1'); await destroyUserStore('u2'); });

  it('keeps each user in a database named for them, and deletes it', async () => {
    const s1 = await openUserStore('u1');
    const s2 = await openUserStore('u2');
    await s1.putDoc('overview:self', { who: 'u1' }, '"e1"', 5);
    await enqueue(s1, { path: '/p', kind: 'markRead', targetId: 'n' });
    expect(await s2.getDoc('overview:self')).toBeUndefined();
    expect(await s1.getDoc('overview:self')).toEqual({ data: { who: 'u1' }, etag: '"e1"', savedAt: 5 });
    expect(dbName('u1')).toBe('minside-user-u1');
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(['minside-user-u1', 'minside-user-u2']));
    s1.close(); s2.close();
    await destroyUserStore('u1');
    const after = (await indexedDB.databases()).map((d) => d.name);
    expect(after).not.toContain('minside-user-u1');
    const again = await openUserStore('u1');
    expect(await again.listActions()).toEqual([]);
    again.close();
  });

  it('replays an outbox stored in IndexedDB', async () => {
    const s = await openUserStore('u1');
    await queued(s, 2);
    const r = await replay(s, ok({}));
    expect(r.sent).toBe(2);
    expect(await s.listActions()).toEqual([]);
    s.close();
  });
});

describe('the unread count while mark-read waits offline', () => {
  const markRead = (id, status = 'pending') => ({ kind: 'markRead', targetId: id, status });
  it('drops by each notification marked on this device, once', () => {
    expect(unreadAfterPending(3, [markRead('n1'), markRead('n2'), markRead('n2')])).toBe(1);
  });
  it('is zero while "mark all read" waits', () => {
    expect(unreadAfterPending(7, [{ kind: 'markAllRead', targetId: 'all', status: 'pending' }])).toBe(0);
  });
  it('counts only what still waits, never below zero', () => {
    expect(unreadAfterPending(2, [markRead('n1', 'failed'), { kind: 'cancelBooking', targetId: 'b1', status: 'pending' }])).toBe(2);
    expect(unreadAfterPending(1, [markRead('n1'), markRead('n2')])).toBe(0);
    expect(unreadAfterPending(undefined, null)).toBe(0);
  });
});
