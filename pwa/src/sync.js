// Keeping the stored overview current: conditional GET of the overview, then the
// changes feed from its cursor; a 410 (cursor too old) or 422 (a cursor the server no
// longer accepts: made for another session's person, or before a key change) means a
// full resync.
import { HttpError } from './api.js';
import { applyChanges } from './deltas.js';
import { sameData } from './state.js';

/** overviewKey names the stored overview for whom the citizen acts as. */
export function overviewKey(me) {
  return `overview:${me && me.actingAs ? me.actingAs.id : 'self'}`;
}

/**
 * sameContent is true when two overviews show the same: only the feed position or the
 * time of generation differ. Rendering the whole overview again for those is a long task
 * on a slow phone, for nothing the person can see.
 */
export function sameContent(a, b) {
  if (!a || !b) return a === b;
  return sameData({ ...a, cursor: null, generatedAt: null }, { ...b, cursor: null, generatedAt: null });
}

const MAX_PAGES = 20;

/** startOver is true when the feed refuses the stored cursor: only a fresh overview helps. */
function startOver(err) {
  return err instanceof HttpError && (err.status === 410 || err.status === 422);
}

/**
 * withUnreadSummary takes the server's notification section when a feed page sends one
 * (it does with every notification change): the unread count behind the badge comes
 * from the server, not from adding up changes, which may come more than once.
 */
function withUnreadSummary(o, summary) {
  if (!summary || typeof summary.unread !== 'number') return o;
  return { ...o, notifications: { unread: summary.unread, items: Array.isArray(summary.items) ? summary.items : [] } };
}

/**
 * pullChanges applies the changes feed to overview until `more` is false.
 * Throws HttpError 410 when the cursor is too old, 422 when it is not accepted.
 */
export async function pullChanges(api, overview) {
  let o = overview;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await api.get(`/api/v1/changes?cursor=${encodeURIComponent(o.cursor || '')}`);
    const feed = res.data || { changes: [], cursor: o.cursor, more: false };
    o = withUnreadSummary(applyChanges(o, feed.changes, feed.cursor), feed.notifications);
    if (!feed.more) break;
  }
  return o;
}

/**
 * refreshOverview brings the stored overview up to date and stores it.
 * Returns {overview, savedAt}. Network errors propagate (the caller shows the
 * stored copy with its age).
 *
 * early is an overview GET already under way (boot asks for it together with the
 * session). Its 304 counts only if it was asked with this stored copy's ETag.
 */
export async function refreshOverview(api, store, key, { early } = {}) {
  const cached = await store.getDoc(key);
  const etagSent = cached && cached.data ? cached.etag : undefined;
  let overview, etag;
  let res = early ? await early : null;
  if (!res || (res.notModified && res.etag !== etagSent)) res = await api.get('/api/v1/me/overview', { etag: etagSent });
  if (res.notModified && cached) {
    overview = cached.data;
    etag = cached.etag;
  } else {
    overview = res.data;
    etag = res.etag;
  }
  try {
    overview = await pullChanges(api, overview);
  } catch (err) {
    if (!startOver(err)) throw err;
    const full = await api.get('/api/v1/me/overview');
    overview = full.data;
    etag = full.etag;
  }
  const savedAt = Date.now();
  await store.putDoc(key, overview, etag, savedAt);
  return { overview, savedAt };
}

/** applyLiveChange pulls the feed after a live "change" event and stores the result. */
export async function applyLiveChange(api, store, key) {
  const cached = await store.getDoc(key);
  if (!cached || !cached.data) return refreshOverview(api, store, key);
  try {
    const overview = await pullChanges(api, cached.data);
    const savedAt = Date.now();
    await store.putDoc(key, overview, cached.etag, savedAt);
    return { overview, savedAt };
  } catch (err) {
    if (startOver(err)) return refreshOverview(api, store, key);
    throw err;
  }
}
