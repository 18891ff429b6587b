import { describe, it, expect } from 'vitest';
import { refreshOverview, applyLiveChange, overviewKey, sameContent } from '../src/sync.js';
import { memoryStore } from '../src/store.js';
import { HttpError } from '../src/api.js';

const future = new Date(Date.now() + 864e5).toISOString();
const ov = (cursor, extra = {}) => ({ cursor, needsAction: [], upcoming: [], keys: [], notifications: { unread: 0, items: [] }, recent: [], tiles: [], people: [], ...extra });

// A scripted api: each GET path prefix answers from a queue.
function scriptedApi(script) {
  const calls = [];
  return {
    calls,
    get: async (path, opts = {}) => {
      calls.push({ path, etag: opts.etag });
      const key = Object.keys(script).find((k) => path.startsWith(k));
      const next = script[key].shift();
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

describe('refreshOverview', () => {
  it('uses the stored copy on 304 and applies the changes feed from its cursor', async () => {
    const store = memoryStore();
    await store.putDoc('overview:self', ov('5'), '"v1"', 1);
    const api = scriptedApi({
      '/api/v1/me/overview': [{ status: 304, notModified: true, data: null }],
      '/api/v1/changes': [
        { data: { changes: [{ kind: 'tile', id: 't1', op: 'upsert', data: { id: 't1' } }], cursor: '6', more: true } },
        { data: { changes: [{ kind: 'booking', id: 'b1', op: 'upsert', data: { id: 'b1', status: 'confirmed', startsAt: future, endsAt: future } }], cursor: '7', more: false } },
      ],
    });
    const { overview } = await refreshOverview(api, store, 'overview:self');
    expect(api.calls.map((c) => c.path)).toEqual(['/api/v1/me/overview', '/api/v1/changes?cursor=5', '/api/v1/changes?cursor=6']);
    expect(api.calls[0].etag).toBe('"v1"');
    expect(overview.cursor).toBe('7');
    expect(overview.tiles).toHaveLength(1);
    expect(overview.upcoming).toHaveLength(1);
    const stored = await store.getDoc('overview:self');
    expect(stored.data).toEqual(overview);
    expect(stored.etag).toBe('"v1"');
  });

  it('resyncs from the overview when the cursor is too old (410)', async () => {
    const store = memoryStore();
    await store.putDoc('overview:self', ov('1'), '"old"', 1);
    const api = scriptedApi({
      '/api/v1/me/overview': [{ status: 200, data: ov('1', { tiles: [{ id: 'stale' }] }), etag: '"a"' }, { status: 200, data: ov('99'), etag: '"fresh"' }],
      '/api/v1/changes': [new HttpError(410, { title: 'Gone' })],
    });
    const { overview } = await refreshOverview(api, store, 'overview:self');
    expect(overview.cursor).toBe('99');
    expect(overview.tiles).toEqual([]);
    expect(api.calls[2]).toEqual({ path: '/api/v1/me/overview', etag: undefined });
    expect((await store.getDoc('overview:self')).etag).toBe('"fresh"');
  });

  it('resyncs from the overview when the feed refuses the stored cursor (422)', async () => {
    const store = memoryStore();
    await store.putDoc('overview:self', ov('unsigned'), '"v1"', 1);
    const api = scriptedApi({
      '/api/v1/me/overview': [{ status: 304, notModified: true, data: null }, { status: 200, data: ov('signed'), etag: '"v2"' }],
      '/api/v1/changes': [new HttpError(422, { title: 'Invalid', errors: [{ pointer: '/cursor' }] })],
    });
    const { overview } = await refreshOverview(api, store, 'overview:self');
    expect(overview.cursor).toBe('signed');
    expect(api.calls[2]).toEqual({ path: '/api/v1/me/overview', etag: undefined });
    expect((await store.getDoc('overview:self')).etag).toBe('"v2"');
  });

  it('uses an overview GET already under way instead of asking again', async () => {
    const store = memoryStore();
    const api = scriptedApi({
      '/api/v1/me/overview': [],
      '/api/v1/changes': [{ data: { changes: [], cursor: '3', more: false } }],
    });
    const early = Promise.resolve({ status: 200, data: ov('3', { tiles: [{ id: 't' }] }), etag: '"e"' });
    const { overview } = await refreshOverview(api, store, 'overview:self', { early });
    expect(api.calls.map((c) => c.path)).toEqual(['/api/v1/changes?cursor=3']);
    expect(overview.tiles).toEqual([{ id: 't' }]);
    expect((await store.getDoc('overview:self')).etag).toBe('"e"');
  });

  it('asks again when the early GET got 304 for another stored copy', async () => {
    const store = memoryStore();
    await store.putDoc('overview:p1', ov('4'), '"child"', 1);
    const api = scriptedApi({
      '/api/v1/me/overview': [{ status: 200, data: ov('8'), etag: '"child2"' }],
      '/api/v1/changes': [{ data: { changes: [], cursor: '8', more: false } }],
    });
    // Boot asked with the ETag of the person's own overview; the session now acts for p1.
    const early = Promise.resolve({ status: 304, notModified: true, data: null, etag: '"self"' });
    const { overview } = await refreshOverview(api, store, 'overview:p1', { early });
    expect(api.calls[0]).toEqual({ path: '/api/v1/me/overview', etag: '"child"' });
    expect(overview.cursor).toBe('8');
  });

  it('keeps the stored copy when the early GET got 304 for it', async () => {
    const store = memoryStore();
    await store.putDoc('overview:self', ov('5', { tiles: [{ id: 'kept' }] }), '"v5"', 1);
    const api = scriptedApi({ '/api/v1/changes': [{ data: { changes: [], cursor: '5', more: false } }] });
    const early = Promise.resolve({ status: 304, notModified: true, data: null, etag: '"v5"' });
    const { overview } = await refreshOverview(api, store, 'overview:self', { early });
    expect(api.calls.map((c) => c.path)).toEqual(['/api/v1/changes?cursor=5']);
    expect(overview.tiles).toEqual([{ id: 'kept' }]);
  });

  it('tells overviews that show the same from ones that do not', () => {
    expect(sameContent(ov('1', { generatedAt: 'a' }), ov('2', { generatedAt: 'b' }))).toBe(true);
    expect(sameContent(ov('1'), ov('1', { tiles: [{ id: 't' }] }))).toBe(false);
    expect(sameContent(null, ov('1'))).toBe(false);
    expect(sameContent(null, null)).toBe(true);
  });

  it('keys the stored overview by whom the citizen acts as', () => {
    expect(overviewKey({ actingAs: null })).toBe('overview:self');
    expect(overviewKey({ actingAs: { id: 'p1' } })).toBe('overview:p1');
  });
});

describe('applyLiveChange', () => {
  it('takes the unread count and newest notifications from the feed\'s summary', async () => {
    const store = memoryStore();
    const listed = { id: 'n1', title: 'Timeavtale', createdAt: '2026-12-01T10:00:00Z', readAt: null };
    await store.putDoc('overview:self', ov('5', { notifications: { unread: 7, items: [listed] } }), '"v5"', 1);
    const unlisted = { id: 'n9', title: 'Eldre brev', createdAt: '2026-11-01T10:00:00Z', readAt: '2026-12-05T08:00:00Z' };
    const fresh = { id: 'n10', title: 'Nytt brev', createdAt: '2026-12-05T08:00:00Z', readAt: null };
    const api = scriptedApi({
      '/api/v1/changes': [
        // A read notification beyond the newest five (the stored count cannot tell it was unread),
        // then a new one sent again on the next page: adding up changes would miscount both.
        { data: { changes: [{ kind: 'notification', id: 'n9', op: 'upsert', data: unlisted }], cursor: '6', more: true,
          notifications: { unread: 6, items: [listed] } } },
        { data: { changes: [{ kind: 'notification', id: 'n10', op: 'upsert', data: fresh }, { kind: 'tile', id: 't1', op: 'upsert', data: { id: 't1' } }], cursor: '7', more: true,
          notifications: { unread: 7, items: [fresh, listed] } } },
        { data: { changes: [{ kind: 'notification', id: 'n10', op: 'upsert', data: fresh }], cursor: '7', more: true,
          notifications: { unread: 7, items: [fresh, listed] } } },
        // No notification in this page: no summary, the section stays as the last one left it.
        { data: { changes: [{ kind: 'tile', id: 't2', op: 'upsert', data: { id: 't2' } }], cursor: '8', more: false } },
      ],
    });
    const { overview } = await applyLiveChange(api, store, 'overview:self');
    expect(overview.notifications).toEqual({ unread: 7, items: [fresh, listed] });
    expect(overview.tiles).toHaveLength(2);
    expect(overview.cursor).toBe('8');
    expect((await store.getDoc('overview:self')).data.notifications.unread).toBe(7);
  });
});
