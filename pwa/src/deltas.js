// Applying the changes feed (GET /api/v1/changes) to a stored overview, so the first
// screen stays current without refetching everything. Pure: returns a new overview.
import { applySuggestion } from './suggestions.js';

const MAX_RECENT = 5;
const MAX_NOTIFICATIONS = 5;

const byTime = (field, dir = 1) => (a, b) => {
  const x = a[field] ? Date.parse(a[field]) : Infinity;
  const y = b[field] ? Date.parse(b[field]) : Infinity;
  return dir * (x - y);
};
// needsAction is soonest first; items with no due date come last.
const byDue = byTime('dueAt');
const byStart = byTime('startsAt');
const newestFirst = (field) => (a, b) => Date.parse(b[field] || 0) - Date.parse(a[field] || 0);

function upsert(list, item, sort, max) {
  const next = list.filter((x) => x.id !== item.id);
  next.push(item);
  if (sort) next.sort(sort);
  return max ? next.slice(0, max) : next;
}
const without = (list, id) => list.filter((x) => x.id !== id);
const withoutItem = (list, kind, id) => list.filter((x) => !(x.kind === kind && x.id === id));

function upsertItem(list, item) {
  const next = withoutItem(list, item.kind, item.id);
  next.push(item);
  return next.sort(byDue);
}

/** caseNeedsAction is true when a case waits for the citizen. */
export function caseNeedsAction(c) {
  return c.status === 'awaiting_citizen';
}

function caseItem(c) {
  return {
    kind: 'case', id: c.id, title: c.title, agency: c.agency,
    dueAt: c.nextAction ? c.nextAction.dueAt ?? null : null,
    nextAction: c.nextAction ? c.nextAction.text ?? null : null,
    subject: c.subject ?? null,
  };
}

function applyCase(o, ch) {
  // A case on an errand is shown through its errand, never on its own.
  if (ch.op === 'delete' || !ch.data || ch.data.errand) {
    o.recent = without(o.recent, ch.id);
    o.needsAction = withoutItem(o.needsAction, 'case', ch.id);
    return;
  }
  const c = ch.data;
  o.recent = upsert(o.recent, c, newestFirst('updatedAt'), MAX_RECENT);
  o.needsAction = caseNeedsAction(c) ? upsertItem(o.needsAction, caseItem(c)) : withoutItem(o.needsAction, 'case', c.id);
}

function errandItem(e) {
  return { kind: 'errand', id: e.id, title: e.title, agency: e.agency, dueAt: null, nextAction: null, subject: e.subject ?? null };
}

function applyErrand(o, ch) {
  if (ch.op === 'delete' || !ch.data) {
    o.errands = without(o.errands || [], ch.id);
    o.needsAction = withoutItem(o.needsAction, 'errand', ch.id);
    return;
  }
  const e = ch.data;
  o.errands = upsert(o.errands || [], e, newestFirst('updatedAt'));
  o.needsAction = caseNeedsAction(e) ? upsertItem(o.needsAction, errandItem(e)) : withoutItem(o.needsAction, 'errand', e.id);
}

function applyBooking(o, ch, now) {
  const b = ch.data;
  const live = ch.op !== 'delete' && b && b.status === 'confirmed' && Date.parse(b.endsAt) > now;
  if (!live) {
    o.upcoming = without(o.upcoming, ch.id);
    o.needsAction = withoutItem(o.needsAction, 'booking', ch.id);
    return;
  }
  o.upcoming = upsert(o.upcoming, b, byStart);
  o.needsAction = o.needsAction.map((it) => (it.kind === 'booking' && it.id === b.id ? { ...it, title: b.resource ?? it.title } : it));
}

function applyKey(o, ch) {
  const k = ch.data;
  if (ch.op === 'delete' || !k || k.status !== 'active') {
    o.keys = without(o.keys, ch.id);
    o.needsAction = withoutItem(o.needsAction, 'key', ch.id);
    return;
  }
  o.keys = upsert(o.keys, k);
}

function applyNotification(o, ch) {
  const n = ch.data;
  const wasListed = o.notifications.items.some((x) => x.id === ch.id);
  let { unread, items } = o.notifications;
  if (ch.op === 'delete' || !n) {
    if (wasListed) { items = without(items, ch.id); unread = Math.max(0, unread - 1); }
  } else if (n.readAt) {
    if (wasListed) { items = without(items, n.id); unread = Math.max(0, unread - 1); }
  } else {
    if (!wasListed) unread += 1;
    items = upsert(items, n, newestFirst('createdAt'), MAX_NOTIFICATIONS);
  }
  o.notifications = { unread, items };
}

function applyTile(o, ch) {
  o.tiles = ch.op === 'delete' || !ch.data ? without(o.tiles, ch.id) : upsert(o.tiles, ch.data);
}

function applySuggestionChange(o, ch) {
  o.suggestions = applySuggestion(o.suggestions, ch);
}

const appliers = {
  case: applyCase, errand: applyErrand, booking: applyBooking, key: applyKey, notification: applyNotification, tile: applyTile,
  suggestion: applySuggestionChange,
};

/**
 * applyChanges returns the overview with the changes applied, in order, and the
 * feed's new cursor. Unknown kinds are ignored so an older app survives a newer server.
 */
export function applyChanges(overview, changes, cursor, now = Date.now()) {
  const o = {
    ...overview,
    needsAction: [...(overview.needsAction || [])],
    upcoming: [...(overview.upcoming || [])],
    keys: [...(overview.keys || [])],
    recent: [...(overview.recent || [])],
    tiles: [...(overview.tiles || [])],
    // An overview from a server without suggestions stays without them until one arrives.
    suggestions: overview.suggestions ? [...overview.suggestions] : undefined,
    notifications: {
      unread: overview.notifications?.unread ?? 0,
      items: [...(overview.notifications?.items || [])],
    },
  };
  for (const ch of changes || []) {
    const apply = appliers[ch.kind];
    if (apply) apply(o, ch, now);
  }
  if (cursor !== undefined && cursor !== null) o.cursor = cursor;
  return o;
}
